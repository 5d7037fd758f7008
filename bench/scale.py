"""How the worker grows with the province: python bench/scale.py [--quick | --sizes 125 2000]

For each size, a province of that many units (about 20 models each: two of the demo's units
drawn by worker/demo's generator, merged into one workbook; a pool of distinct workbooks, copied
until there are enough), and in this order:
- the cold write: every unit's Kết quả tab written into its workbook (write_tab, on a copy; the
  folder flushed once at the end, as the sync does), against a raw copy of the same workbook
  (every zip entry copied compressed, as it was, into a new file, fsynced once: what any
  durable write of the file costs at the least) and against a copy through zipfile (every entry
  inflated and deflated again); interleaved unit by unit, CPU and wall-clock time in this
  process;
- start-and-stat: a child process that starts as the command does (imports it, opens the
  workspace, reads the registry) and stats every unit's file: the least a run that finds nothing
  changed must do;
- the cold run (`mohinh run --once`: every unit read, rated and written, the digests sent), the
  quiet run (the same again: nothing changed), the run after 10 % of the units saved a change
  (one number each, by openpyxl as a spreadsheet program would, not timed), and the November
  consolidation (`mohinh consolidate` on 16/11: the workbook, the drafted report, the email);
  each a child process, its CPU time (user + system) and peak memory (ru_maxrss) from wait4.

Then the growth exponent of each between the two largest sizes (the log-log slope: 1.0 is
linear, 2.0 quadratic) and a Markdown table, printed and written to --out, which the README
quotes. CPU time is the measure: the wall-clock of a shared machine says more about the others.
"""

from __future__ import annotations

import argparse
import io
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a checkout

from worker.adapters.files import sync_folders
from worker.adapters.xlsx.read import read_tabs
from worker.adapters.xlsx.workbook import set_cells, write_workbook
from worker.adapters.xlsx.write import write_tab
from worker.adapters.xlsx.zipcopy import raw_entry, write_zip
from worker.app.scaffold import init_workspace
from worker.core.evaluate import Unit, evaluate_unit
from worker.core.layout import load
from worker.core.results import Grid, unit_grid
from worker.core.tabs import column_letter
from worker.demo.province import unit_rows
from worker.demo.sample import UNITS

TODAY = date(2026, 10, 29)  # a week before the 05/11 cutoff: the digests are due
NOVEMBER = date(2026, 11, 16)  # the consolidation day
POOL = 40  # distinct workbooks; a province copies them
QUICK, FULL = (125, 250), (125, 250, 500, 1000, 2000)
RESULTS = load("unit").results_tab or ""


def merged(first: dict[str, list], second: dict[str, list]) -> dict[str, list]:
    """Two drawn units' rows as one unit's: the second's IDs moved up a hundred (MH-003 ->
    MH-103, ĐH-01 -> ĐH-11), so that none collides."""

    def moved(row: dict[str, Any]) -> dict[str, Any]:
        out = dict(row)
        if isinstance(out.get("model_id"), str) and out["model_id"].startswith("MH-"):
            out["model_id"] = f"MH-{100 + int(out['model_id'][3:]):03d}"
        if isinstance(out.get("exemplar_id"), str) and out["exemplar_id"].startswith("ĐH-"):
            out["exemplar_id"] = f"ĐH-{10 + int(out['exemplar_id'][3:]):02d}"
        return out

    return {key: first[key] + [moved(r) for r in second.get(key, [])] for key in first}


def pool(folder: Path, size: int) -> list[tuple[Path, str]]:
    """`size` distinct unit workbooks of about 20 models each, with the level of their unit."""
    folder.mkdir(parents=True, exist_ok=True)
    drawn = list(unit_rows(2 * size, TODAY))
    levels = [spec[2] for spec in UNITS]
    made = []
    for n in range(size):
        path = folder / f"p{n:02d}.xlsx"
        write_workbook(path, load("unit"), merged(drawn[2 * n][1], drawn[2 * n + 1][1]))
        made.append((path, levels[(2 * n) % len(levels)]))
    return made


def province(root: Path, units: int, workbooks: list[tuple[Path, str]]) -> list[Unit]:
    """A workspace of `units` units (the demo's settings), each its own copy of a pooled
    workbook; returns the units."""
    init_workspace(root, demo=True, today=TODAY)
    for old in (root / "units").glob("*.xlsx"):
        old.unlink()
    rows, made = [], []
    for n in range(units):
        source, level = workbooks[n % len(workbooks)]
        sheet = f"units/u{n:04d}.xlsx"
        shutil.copyfile(source, root / sheet)
        unit_id, name = f"U{n:04d}", f"Đơn vị số {n}"
        rows.append(
            {
                "unit_id": unit_id,
                "name": name,
                "level": level,
                "parent": "",
                "emails": f"u{n:04d}@example.gov.vn",
                "sheet": sheet,
                "active": "Có",
            }
        )
        made.append(Unit(unit_id, name, level, "", (), sheet, True))
    write_workbook(root / "registry.xlsx", load("registry"), {"units": rows})
    return made


def models_of(root: Path, units: list[Unit]) -> int:
    return sum(
        len({r[0] for r in read_tabs(root / u.sheet)["Mô hình"][1:]} - {None}) for u in units
    )


@dataclass
class Usage:
    cpu: float  # seconds, user + system
    wall: float
    peak: float  # MB

    def row(self) -> str:
        return f"{self.cpu:.2f} s / {self.peak:.0f} MB"


def child(argv: list[str], ok: tuple[int, ...] = (0, 1)) -> Usage:
    """Run `argv` as a child process; its own CPU time and peak memory (wait4's rusage)."""
    started = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    assert proc.stderr is not None
    errors = proc.stderr.read()  # read before waiting: a full pipe would block the child
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode not in ok:
        raise SystemExit(f"{' '.join(argv)}: exit {proc.returncode}\n{errors.decode()}")
    return Usage(usage.ru_utime + usage.ru_stime, wall, usage.ru_maxrss / 1024)


def mohinh(root: Path, *args: str) -> Usage:
    return child([sys.executable, "-m", "worker", *args, "--workspace", str(root)])


# What any run does before it can tell that nothing changed: start (the command's imports, the
# settings, the calendar, the state), read the registry, stat every unit's file.
FLOOR = """
import sys
from pathlib import Path
import worker.app.cli
from worker.app.wiring import open_workspace
from worker.core.registry import read_registry
root = Path(sys.argv[1])
with open_workspace(root, lock=False) as ws:
    units, _ = read_registry(ws.backend.read_registry())
    for unit in units:
        (root / unit.sheet).stat()
"""


def raw_copy(source: Path, target: Path) -> None:
    """The least a durable write of the workbook costs: its bytes read, every zip entry copied
    compressed as it was (worker/adapters/xlsx/zipcopy.py), the new file written and fsynced."""
    data = source.read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        out = write_zip([raw_entry(data, info) for info in z.infolist()])
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        os.write(fd, out)
        os.fsync(fd)
    finally:
        os.close(fd)


def zip_rewrite(source: Path, target: Path) -> None:
    """A copy through zipfile, as a program that copies a zip entry by entry does: each entry
    inflated and deflated again, the new file fsynced. For comparison: the bound is the raw copy."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            new.writestr(info, old.read(info))
        new.fp.flush()  # type: ignore[union-attr]
        os.fsync(new.fp.fileno())  # type: ignore[union-attr]


def clocked(work: Callable[[], Any]) -> tuple[float, float]:
    started, cpu = time.perf_counter(), time.process_time()
    work()
    return time.process_time() - cpu, time.perf_counter() - started


@dataclass
class Writes:
    write: list[float] = field(default_factory=lambda: [0.0, 0.0])  # CPU, wall seconds
    copy: list[float] = field(default_factory=lambda: [0.0, 0.0])
    rewrite: list[float] = field(default_factory=lambda: [0.0, 0.0])


def cold_writes(root: Path, units: list[Unit], pooled: int, scratch: Path) -> Writes:
    """Every unit's Kết quả written into a copy of its workbook (none has the tab yet) against a
    raw copy of it, interleaved unit by unit; the grids computed first, not timed (unit n is a
    copy of pooled workbook n % `pooled`: they share a grid)."""
    scratch.mkdir(exist_ok=True)
    grids: list[Grid] = []
    for unit in units[:pooled]:
        result = evaluate_unit(
            unit, read_tabs(root / unit.sheet), 2026, TODAY, date(2026, 10, 31), set(),
            "mean_ratio",
        )  # fmt: skip
        grids.append(unit_grid(result, datetime.combine(TODAY, datetime.min.time())))
    totals = Writes()
    for n, unit in enumerate(units):
        source, copy, written = root / unit.sheet, scratch / "copy.xlsx", scratch / "write.xlsx"
        shutil.copyfile(source, written)
        grid = grids[n % pooled]
        ways: list[tuple[list[float], Callable[[], Any]]] = [
            (totals.write, lambda w=written, g=grid: write_tab(w, RESULTS, g, False)),
            (totals.copy, lambda s=source, c=copy: raw_copy(s, c)),
            (totals.rewrite, lambda s=source, c=copy: zip_rewrite(s, c)),
        ]
        for total, work in ways:
            cpu, wall = clocked(work)
            total[0] += cpu
            total[1] += wall
    # as the sync does: the folder of the workbooks written flushed once, at the end
    cpu, wall = clocked(lambda: sync_folders([scratch]))
    totals.write[0] += cpu
    totals.write[1] += wall
    return totals


def change_some(root: Path, units: list[Unit], share: int = 10) -> int:
    """One unit in `share` saves a change (a target's achieved count), as a spreadsheet program
    saves the whole file; returns how many."""
    tab = load("unit").tab("targets")
    column = column_letter(1 + [c.key for c in tab.columns].index("achieved"))
    changed = units[::share]
    for n, unit in enumerate(changed):
        set_cells(root / unit.sheet, tab.name, {f"{column}2": 1000 + n})
    return len(changed)


@dataclass
class Size:
    units: int
    models: int
    writes: Writes
    floor: Usage
    cold: Usage
    quiet: Usage
    changed: Usage
    november: Usage


def measure(units: int, workbooks: list[tuple[Path, str]], tmp: Path) -> Size:
    root = tmp / f"ws-{units}"
    made = province(root, units, workbooks)
    print(f"{units} units: built", file=sys.stderr, flush=True)
    writes = cold_writes(root, made, len(workbooks), tmp / "scratch")
    today = TODAY.isoformat()
    floor = child([sys.executable, "-c", FLOOR, str(root)], ok=(0,))
    cold = mohinh(root, "run", "--once", "--today", today)
    quiet = mohinh(root, "run", "--once", "--today", today)
    change_some(root, made)
    changed = mohinh(root, "run", "--once", "--today", today)
    november = mohinh(root, "consolidate", "--today", NOVEMBER.isoformat())
    size = Size(units, models_of(root, made), writes, floor, cold, quiet, changed, november)
    shutil.rmtree(root)
    print(f"{units} units: measured", file=sys.stderr, flush=True)
    return size


def exponent(small: Size, large: Size, usage: Callable[[Size], float]) -> float:
    """The log-log slope of `usage` between two sizes: 1 linear, 2 quadratic."""
    return math.log(usage(large) / usage(small)) / math.log(large.units / small.units)


RUNS: dict[str, Callable[[Size], Usage]] = {
    "cold run": lambda s: s.cold,
    "quiet run": lambda s: s.quiet,
    "10 % changed": lambda s: s.changed,
    "consolidation": lambda s: s.november,
    "start and stat": lambda s: s.floor,
}


def table(sizes: list[Size]) -> Iterator[str]:
    yield "| units | models | " + " | ".join(RUNS) + " |"
    yield "|---:|---:|" + "---:|" * len(RUNS)
    for s in sizes:
        yield f"| {s.units:,} | {s.models:,} | " + " | ".join(
            f(s).row() for f in RUNS.values()
        ) + " |"  # fmt: skip
    if len(sizes) > 1:
        a, b = sizes[-2], sizes[-1]
        yield f"| growth {a.units:,} → {b.units:,} | | " + " | ".join(
            f"CPU ^{exponent(a, b, lambda s, f=f: f(s).cpu):.2f}"
            f" / MB ^{exponent(a, b, lambda s, f=f: f(s).peak):.2f}"
            for f in RUNS.values()
        ) + " |"  # fmt: skip
    yield ""
    yield (
        "| units | quiet ÷ start and stat (CPU) | cold write, CPU a unit | raw copy"
        " | write ÷ raw copy, CPU (wall) | zipfile rewrite | write ÷ rewrite, CPU (wall) |"
    )
    yield "|---:|---:|---:|---:|---:|---:|---:|"
    for s in sizes:
        w, c, r = s.writes.write, s.writes.copy, s.writes.rewrite
        yield (
            f"| {s.units:,} | {s.quiet.cpu / s.floor.cpu:.2f} | {1e3 * w[0] / s.units:.2f} ms"
            f" | {1e3 * c[0] / s.units:.2f} ms | {w[0] / c[0]:.2f} ({w[1] / c[1]:.2f})"
            f" | {1e3 * r[0] / s.units:.2f} ms | {w[0] / r[0]:.2f} ({w[1] / r[1]:.2f}) |"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", help=f"units; default {FULL}")
    parser.add_argument("--quick", action="store_true", help=f"the sizes {QUICK}, for CI")
    parser.add_argument("--out", type=Path, help="also write the Markdown table there")
    args = parser.parse_args()
    chosen = sorted(args.sizes or (QUICK if args.quick else FULL))
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        workbooks = pool(tmp / "pool", min(POOL, max(chosen)))
        sizes = [measure(n, workbooks, tmp) for n in chosen]
    lines = [
        f"CPU time (user + system) and peak memory of each, {os.cpu_count()} cores;"
        f" {datetime.now():%d/%m/%Y}.",
        "",
        *table(sizes),
    ]
    print("\n".join(lines))
    if args.out:
        args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
