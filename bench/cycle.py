"""Time the cycle on a province of N units built from the demo: python bench/cycle.py --units 60

Prints the time of: building the province, validate + rate of every model (no I/O), the first
full run (writes every Kết quả), a second run (nothing changed: nothing written).

With --models N (python bench/cycle.py --models 20000): validate + rate alone of N models, in
units drawn in memory as the demo's (their data errors included), no file: the best of
--repeat runs, models per second, peak memory, and the time of a reference workload in the
same run (str() of every cell read), so that figures compare across machines; wall-clock and
CPU times both. The rows of every unit stay in memory, which the worker never does (it reads
one unit at a time): they are kept out of the garbage collector's sight (gc.freeze).
"""

from __future__ import annotations

import argparse
import gc
import resource
import shutil
import tempfile
import time
from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl

from jobs import cycle
from worker.demo import unit_tabs
from worker.evaluate import Unit, UnitResult, evaluate_unit, read_registry
from worker.layout import load
from worker.scaffold import init_workspace
from worker.validation import readers_of
from worker.wiring import open_workspace
from worker.xlsx import write_workbook
from worker.xlsx_read import read_tabs

TODAY = date(2026, 10, 29)


def province(root: Path, units: int) -> None:
    """The demo province, its workbooks copied until there are `units` units."""
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
    readers_of.cache_clear()  # each run starts cold, as a day's first does
    return [
        evaluate_unit(u, t, 2026, TODAY, date(2026, 10, 31), set(), "mean_ratio") for u, t in units
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--units", type=int, default=60)
    parser.add_argument("--models", type=int, help="only validate + rate of this many models")
    parser.add_argument("--repeat", type=int, default=3, help="runs of --models; the best counts")
    args = parser.parse_args()
    if args.models:
        bench_models(args.models, args.repeat)
        return
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "ws"
        started = time.perf_counter()
        province(root, args.units)
        built = time.perf_counter() - started

        with open_workspace(root) as ws:
            units, _ = read_registry(ws.backend.read_registry())
            tabs = [(u, read_tabs(root / u.sheet)) for u in units if (root / u.sheet).exists()]
            started = time.perf_counter()
            models = sum(
                len(
                    evaluate_unit(u, t, 2026, TODAY, date(2026, 10, 31), set(), "mean_ratio").models
                )
                for u, t in tabs
            )
            compute = time.perf_counter() - started

        timings = []
        for _ in range(2):
            with open_workspace(root) as ws:
                started = time.perf_counter()
                cycle.run_once(ws, TODAY, datetime.combine(TODAY, datetime.now().time()))
                timings.append(time.perf_counter() - started)

    print(f"units {args.units}, models {models}")
    print(f"build the province          {built:7.2f} s")
    print(f"validate + rate (no I/O)    {compute:7.3f} s  ({1e3 * compute / models:.2f} ms/model)")
    print(
        f"first run --once (writes)   {timings[0]:7.2f} s  ({timings[0] / args.units:.3f} s/unit)"
    )
    print(f"second run --once (no-op)   {timings[1]:7.2f} s")


if __name__ == "__main__":
    main()
