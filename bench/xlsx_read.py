"""CPU time of reading unit workbooks, side by side: python bench/xlsx_read.py --units 500

Readers: worker.adapters.xlsx.read.read_tabs (calamine, with its XML looks for uncomputed formulas,
percentages and error cells), bare calamine (to show what those looks cost), and
worker.adapters.xlsx.workbook.read_tabs (openpyxl, read-only). Files: the demo province's
units after a sync (each with its Kết quả tab), then copies of them up to --units files. Each
reader reads every file --repeat times; the best round counts (process CPU time, not wall time).
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from click.testing import CliRunner

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the openpyxl baseline
from python_calamine import CalamineWorkbook

from tests import openpyxl_baseline
from worker.adapters.xlsx import read as xlsx_read
from worker.app.cli import main as cli

TODAY = date(2026, 10, 29)


def bare_calamine(path: Path) -> dict[str, list[list[Any]]]:
    with CalamineWorkbook.from_path(str(path)) as wb:
        return {n: wb.get_sheet_by_name(n).to_python(skip_empty_area=False) for n in wb.sheet_names}


# The project's reader first, openpyxl's last: bench/cycle.py times these two per unit.
PROJECT, OPENPYXL = "xlsx_read (calamine)", "xlsx (openpyxl)"
READERS: dict[str, Callable[[Path], Any]] = {
    PROJECT: xlsx_read.read_tabs,
    "bare calamine": bare_calamine,
    OPENPYXL: openpyxl_baseline.read_tabs,
}


def demo_units(root: Path) -> list[Path]:
    for args in (["init", root, "--demo"], ["sync", "--workspace", root]):
        CliRunner().invoke(cli, [*map(str, args), "--today", TODAY.isoformat()])
    units = sorted((root / "units").glob("*.xlsx"))
    for path in units:
        xlsx_read.read_tabs(path)  # the demo's files are all readable
    return units


def copies(units: list[Path], count: int, folder: Path) -> list[Path]:
    folder.mkdir()
    result = []
    for n in range(count):
        result.append(folder / f"u{n:04d}.xlsx")
        shutil.copy(units[n % len(units)], result[-1])
    return result


def best_cpu(reader: Callable[[Path], Any], files: list[Path], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.process_time()
        for path in files:
            reader(path)
        best = min(best, time.process_time() - started)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--units", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        units = demo_units(Path(tmp) / "ws")
        sets = {f"demo ({len(units)} units)": units}
        if args.units:
            sets[f"{args.units} units"] = copies(units, args.units, Path(tmp) / "many")
        for label, files in sets.items():
            size = sum(p.stat().st_size for p in files) / len(files) / 1024
            print(f"{label}, {size:.0f} KB each, best of {args.repeat}:")
            times = {name: best_cpu(r, files, args.repeat) for name, r in READERS.items()}
            for name, seconds in times.items():
                per_file = 1000 * seconds / len(files)
                print(f"  {name:22} {seconds:8.3f} s CPU  {per_file:7.2f} ms/file")
            ratio = times[OPENPYXL] / times[PROJECT]
            print(f"  openpyxl / xlsx_read: {ratio:.1f}x")


if __name__ == "__main__":
    main()
