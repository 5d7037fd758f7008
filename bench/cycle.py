"""The benchmark, side by side in one run: python bench/cycle.py (500 units, 20,000 models)

On a province of --units units built from the demo (no Google), in this order:
- the first `run --once` (reads every unit, writes every Kết quả) and the second, quiet one
  (nothing changed: nothing written), wall-clock and CPU time;
- per unit of that province, as the runs left it (each with its Kết quả tab), the project's
  write of Kết quả (worker/adapters/xlsx/write.py: write_tab) against openpyxl's load + save of the
  same workbook, each on its own copy, and the project's read (worker/adapters/xlsx/read.py) against
  openpyxl's read-only read, the ways interleaved unit by unit so that a busy machine slows
  each alike; totals in wall-clock and CPU time, the best of --io-repeat rounds; the ways are
  those of bench/xlsx_write.py and bench/xlsx_read.py;
- validate + rate alone of --models models, in units drawn in memory as the demo's (their data
  errors included), no file: the best of --repeat runs, models per second, peak memory, and the
  time of a reference workload in the same run (str() of every cell read), so that figures
  compare across machines. The rows of every unit stay in memory, which the worker never does
  (it reads one unit at a time): they are kept out of the garbage collector's sight
  (gc.freeze). --units 0 runs this part alone, --models 0 leaves it out.
"""

from __future__ import annotations

import argparse
import gc
import resource
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # bench.* and tests.*

from bench import xlsx_read as read_bench
from bench import xlsx_write as write_bench
from jobs import cycle
from worker.adapters.xlsx.read import read_tabs
from worker.adapters.xlsx.workbook import write_workbook
from worker.app.scaffold import init_workspace
from worker.app.wiring import open_workspace
from worker.core.evaluate import UnitResult, evaluate_unit
from worker.core.layout import load
from worker.core.registry import Unit, read_registry
from worker.core.results import Grid, unit_grid
from worker.core.tabs import ParseCache
from worker.demo.province import unit_tabs

TODAY = date(2026, 10, 29)


def province(root: Path, units: int) -> int:
    """The demo province, its workbooks copied until there are `units` units; returns how many
    models their Mô hình tabs hold."""
    init_workspace(root, demo=True, today=TODAY)
    registry = openpyxl.load_workbook(root / "registry.xlsx")["Danh mục đơn vị"]
    rows = [[c.value for c in row] for row in registry.iter_rows(min_row=2) if row[0].value]
    sources = [r for r in rows if (root / r[5]).exists()]
    for n in range(len(rows), units):
        src = sources[n % len(sources)]
        sheet = f"units/u{n:04d}.xlsx"
        shutil.copy(root / src[5], root / sheet)
        rows.append([f"U{n:04d}", f"{src[1]} ({n})", *src[2:5], sheet, "Có"])
    tab = load("registry").tab("units")
    write_workbook(
        root / "registry.xlsx",
        load("registry"),
        {"units": [dict(zip([c.key for c in tab.columns], r, strict=True)) for r in rows[:units]]},
    )
    return sum(
        openpyxl.load_workbook(root / r[5], read_only=True)["Mô hình"].max_row - 1
        for r in rows[:units]
        if (root / r[5]).exists()
    )


Tabs = dict[str, list[list[Any]]]


def units_of(models: int) -> list[tuple[Unit, Tabs]]:
    """Demo units drawn in memory until they hold `models` models (IDs in the tab Mô hình)."""
    units, count = [], 0
    for unit_id, tabs in unit_tabs(10**9, TODAY):
        units.append((Unit(unit_id, unit_id, "Xã", "", (), "", True), tabs))
        count += len({row[0] for row in tabs["Mô hình"][1:]} - {None})
        if count >= models:
            return units
    raise AssertionError("unreachable: unit_tabs draws as many units as asked")


def evaluate_all(units: list[tuple[Unit, Tabs]]) -> list[UnitResult]:
    """What the sync does before writing: every unit validated and rated, results kept."""
    cache = ParseCache()  # each run starts cold, as a day's first does
    return [
        evaluate_unit(u, t, 2026, TODAY, date(2026, 10, 31), set(), "mean_ratio", cache=cache)
        for u, t in units
    ]


def reference(units: list[tuple[Unit, Tabs]]) -> int:
    """The reference workload: str() of every cell read, the least any validation must do."""
    return sum(len(str(v)) for _, tabs in units for rows in tabs.values() for r in rows for v in r)


def best_of(repeat: int, work: Any) -> tuple[float, float]:
    """The least wall-clock and the least CPU time of `repeat` runs (on a shared machine the
    CPU time says more: it leaves out the time others' processes held the cores)."""
    walls, cpus = [], []
    for _ in range(repeat):
        started, cpu = time.perf_counter(), time.process_time()
        work()
        walls.append(time.perf_counter() - started)
        cpus.append(time.process_time() - cpu)
    return min(walls), min(cpus)


def max_rss() -> float:
    """The process's peak resident memory so far, in MB (Linux counts it in KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def bench_models(models: int, repeat: int) -> None:
    # Peak memory by max RSS deltas, not tracemalloc: tracing every allocation would slow
    # validation several times over, and the runs are the thing measured.
    started = max_rss()
    units = units_of(models)
    read = max_rss()
    # The worker holds one unit's rows at a time; here all of them stay in memory, where each
    # full collection would scan them. Frozen out of the collector's sight: not timed.
    gc.collect()
    gc.freeze()
    compute, compute_cpu = best_of(repeat, lambda: evaluate_all(units))
    peak = max_rss()
    baseline, baseline_cpu = best_of(repeat, lambda: reference(units))
    rated = sum(len(r.models) for r in evaluate_all(units))
    print(f"units {len(units)}, models {rated} (best of {repeat} runs)")
    print(
        f"validate + rate          {compute:7.3f} s  ({rated / compute:,.0f} models/s)"
        f"  CPU {compute_cpu:.3f} s"
    )
    print(
        f"reference: str() a cell  {baseline:7.3f} s  (validate + rate = {compute / baseline:.1f}×)"
        f"  CPU {baseline_cpu:.3f} s ({compute_cpu / baseline_cpu:.1f}×)"
    )
    print(
        f"peak memory {peak:.0f} MB: {started:.0f} MB at start, rows read {read - started:.0f} MB"
        f" more, validate + rate {peak - read:.0f} MB more"
    )


Clock = tuple[float, float]  # wall-clock and CPU seconds


def clocked(work: Callable[[], Any]) -> Clock:
    started, cpu = time.perf_counter(), time.process_time()
    work()
    return time.perf_counter() - started, time.process_time() - cpu


def runs(root: Path) -> list[Clock]:
    """The first `run --once` (every Kết quả written) and the second (nothing to write)."""
    timings = []
    for _ in range(2):
        with open_workspace(root) as ws:
            now = datetime.combine(TODAY, datetime.now().time())
            timings.append(clocked(lambda ws=ws, now=now: cycle.run_once(ws, TODAY, now)))
    return timings


def workbooks(root: Path) -> list[tuple[Path, Unit, Grid, int]]:
    """Each unit's workbook, the Kết quả grid the project writes there and its model count."""
    with open_workspace(root) as ws:
        units, _ = read_registry(ws.backend.read_registry())
    now = datetime(2026, 10, 29, 6, 30)
    result = []
    for unit in units:
        path = root / unit.sheet
        if path.exists():
            rated = evaluate_unit(
                unit, read_tabs(path), 2026, TODAY, date(2026, 10, 31), set(), "mean_ratio"
            )
            result.append((path, unit, unit_grid(rated, now), len(rated.models)))
    return result


WAYS = {
    "write Kết quả": (
        write_bench.WAYS[write_bench.PROJECT],
        write_bench.WAYS[write_bench.OPENPYXL],
    ),
    "read every tab": (
        read_bench.READERS[read_bench.PROJECT],
        read_bench.READERS[read_bench.OPENPYXL],
    ),
}


def side_by_side(
    files: list[tuple[Path, Unit, Grid, int]], scratch: Path, rounds: int
) -> dict[str, Any]:
    """Per operation, the project's and openpyxl's totals over every unit, (wall, CPU) each:
    the ways interleaved unit by unit; per operation and clock the best of `rounds` rounds. A
    write goes to a fresh copy of the unit's workbook (copied outside the timing); reads
    leave the file as it was."""
    scratch.mkdir(exist_ok=True)
    best: dict[str, list[list[float]]] = {op: [[1e9, 1e9], [1e9, 1e9]] for op in WAYS}
    for _ in range(rounds):
        totals = {op: [[0.0, 0.0], [0.0, 0.0]] for op in WAYS}
        for path, _unit, grid, _models in files:
            for n, write in enumerate(WAYS["write Kết quả"]):
                copy = scratch / f"{n}.xlsx"
                shutil.copy(path, copy)
                wall, cpu = clocked(lambda w=write, c=copy, g=grid: w(c, g))
                totals["write Kết quả"][n][0] += wall
                totals["write Kết quả"][n][1] += cpu
            for n, read in enumerate(WAYS["read every tab"]):
                wall, cpu = clocked(lambda r=read, p=path: r(p))
                totals["read every tab"][n][0] += wall
                totals["read every tab"][n][1] += cpu
        for op, ways in totals.items():
            for n, (wall, cpu) in enumerate(ways):
                best[op][n] = [min(best[op][n][0], wall), min(best[op][n][1], cpu)]
    return best


def bench_province(units: int, rounds: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "ws"
        built = clocked(lambda: province(root, units))
        first, second = runs(root)
        files = workbooks(root)
        models = sum(m for *_, m in files)
        tabs = [(u, read_tabs(p)) for p, u, _, _ in files]
        compute = clocked(lambda: evaluate_all(tabs))
        best = side_by_side(files, Path(tmp) / "scratch", rounds)
        size = sum(p.stat().st_size for p, *_ in files) / len(files) / 1024
        rows = sum(len(g.rows) for _, _, g, _ in files) / len(files)
    count = len(files)
    print(
        f"units {units}, models {models}; a workbook {size:.0f} KiB and its Kết quả"
        f" {rows:.0f} rows on average ({count} workbooks)"
    )
    print(f"build the province          {built[0]:7.2f} s")
    print(
        f"first run --once (writes)   {first[0]:7.2f} s  ({first[0] / units:.3f} s/unit)"
        f"  CPU {first[1]:.2f} s"
    )
    print(
        f"second run --once (no-op)   {second[0]:7.2f} s  ({second[0] / units:.3f} s/unit)"
        f"  CPU {second[1]:.2f} s"
    )
    print(
        f"validate + rate (no I/O)    {compute[0]:7.3f} s"
        f"  ({1e3 * compute[0] / models:.2f} ms/model)"
        f"  CPU {compute[1]:.3f} s"
    )
    print(f"per unit, side by side (best of {rounds} round{'s' * (rounds > 1)}):")
    print(
        f"  {'':16} {'clock':5} {'project':>10} {'openpyxl':>10}"
        f" {'project ÷ openpyxl':>19}  cheaper"
    )
    for op, ((p_wall, p_cpu), (o_wall, o_cpu)) in best.items():
        for clock, mine, theirs in (("wall", p_wall, o_wall), ("CPU", p_cpu, o_cpu)):
            print(
                f"  {op:16} {clock:5} {1e3 * mine / count:7.2f} ms {1e3 * theirs / count:7.2f} ms"
                f" {mine / theirs:19.3f}  {theirs / mine:5.1f}×"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--units", type=int, default=500, help="units of the province; 0: none")
    parser.add_argument("--models", type=int, default=20000, help="validate + rate alone; 0: no")
    parser.add_argument("--repeat", type=int, default=3, help="runs of --models; the best counts")
    parser.add_argument(
        "--io-repeat", type=int, default=1, help="rounds of the side-by-side reads and writes"
    )
    args = parser.parse_args()
    if args.units:
        bench_province(args.units, args.io_repeat)
    if args.models:
        bench_models(args.models, args.repeat)


if __name__ == "__main__":
    main()
