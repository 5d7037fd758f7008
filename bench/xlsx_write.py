"""Time writing a unit's Kết quả tab: inside the package vs openpyxl's load-and-save.

    .venv/bin/python bench/xlsx_write.py --models 20 --repeat 15

A unit workbook with `--models` models (and some data errors: a Kết quả of ~60 rows),
already holding a Kết quả tab, is written again and again by each way in turn, on its own copy;
prints the median of each and how many times cheaper write_tab is.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

import openpyxl

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # tests.conftest's rows

from tests.conftest import good_unit
from tests.openpyxl_baseline import read_tabs, replace_tab
from worker.adapters.xlsx.workbook import write_workbook
from worker.adapters.xlsx.write import replaced, write_tab
from worker.core.evaluate import Unit, evaluate_unit
from worker.core.layout import load
from worker.core.results import Grid, unit_grid

NAME = "Kết quả"


def unit_workbook(path: Path, models: int) -> Grid:
    """A unit with `models` models, every other one with a target row in error (3 errors
    each); returns its Kết quả."""
    rows = good_unit(models)
    for n, model in enumerate(rows["models"], start=1):
        if n % 2:
            rows["targets"].append({"model_id": model["model_id"], "year": 2026, "planned": "ba"})
        model["note"] = f"Ghi chú {n}"
    write_workbook(path, load("unit"), rows)
    unit = Unit("U1", "Công an xã U1", "Xã", "", (), str(path), True)
    result = evaluate_unit(
        unit, read_tabs(path), 2026, date(2026, 10, 29), date(2026, 10, 31), set(), "mean_ratio"
    )
    grid = unit_grid(result, datetime(2026, 10, 29, 6, 30))
    replace_tab(path, NAME, grid)  # a unit as the old code left it: Kết quả already there
    return grid


def load_and_save(path: Path, grid: Grid) -> None:
    """What the old code costs at the least: openpyxl.load_workbook + save, nothing else."""
    openpyxl.load_workbook(path).save(path)


# The project's write first, openpyxl's load-and-save third: bench/cycle.py times these two
# per unit of its province.
PROJECT, OPENPYXL = "write_tab (inside the package)", "openpyxl load_workbook + save"
WAYS: dict[str, Callable[[Path, Grid], None]] = {
    PROJECT: lambda p, g: write_tab(p, NAME, g),
    # The same work without the two fsyncs, which the openpyxl ways do not do and whose
    # cost depends on the disk and on what else writes to it.
    "write_tab less its fsyncs": lambda p, g: p.write_bytes(replaced(p.read_bytes(), NAME, g)),
    OPENPYXL: load_and_save,
    "xlsx.replace_tab (load, fill, save)": lambda p, g: replace_tab(p, NAME, g),
}


def seconds(fn: Callable[[Path, Grid], None], path: Path, grid: Grid) -> float:
    started = time.perf_counter()
    fn(path, grid)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--models", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    ways = WAYS
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "source.xlsx"
        grid = unit_workbook(source, args.models)
        times: dict[str, list[float]] = {way: [] for way in ways}
        for _ in range(args.repeat):  # interleaved, so a busy machine slows each alike
            for n, (way, fn) in enumerate(ways.items()):
                copy = Path(tmp) / f"u{n}.xlsx"
                shutil.copy(source, copy)
                times[way].append(seconds(fn, copy, grid))
        size = source.stat().st_size
    print(f"unit: {args.models} models, Kết quả {len(grid.rows)} rows, file {size / 1024:.0f} KiB")
    medians = {way: statistics.median(values) for way, values in times.items()}
    for way, median in medians.items():
        print(f"{way:38s} {median * 1000:8.1f} ms")
    baseline = medians[OPENPYXL]
    for way in list(ways)[:2]:
        print(f"openpyxl load_workbook + save / {way}: {baseline / medians[way]:.1f}×")


if __name__ == "__main__":
    main()
