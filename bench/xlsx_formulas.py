"""A sheet of many formulas read by the project's reader and by calamine alone, side by side.

    .venv/bin/python bench/xlsx_formulas.py                 # 20,000 formulas, best of 7
    .venv/bin/python bench/xlsx_formulas.py --formulas 2000 10000 20000 50000

The reader was quadratic in formulas (issue 16: 2k took 0.46 s, 20k 70.6 s). Each workbook
(written by XlsxWriter: a column of numbers, a column of formulas with cached results) is read
by `read_tabs` and by bare calamine in turn, --repeat times; the best CPU time of each counts.
The issue's bound: the reader within twice calamine's own time.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import xlsxwriter

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.xlsx_read import bare_calamine
from worker.adapters.xlsx.read import read_tabs


def workbook(path: Path, formulas: int) -> Path:
    wb = xlsxwriter.Workbook(path)
    ws = wb.add_worksheet("Chỉ tiêu")
    for r in range(formulas):
        ws.write_number(r, 0, r)
        ws.write_number(r, 1, 2 * r)
        ws.write_formula(r, 2, f"=A{r + 1}+B{r + 1}", None, 3 * r)
    wb.close()
    return path


def best(reader: Callable[[Path], Any], path: Path, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.process_time()
        reader(path)
        times.append(time.process_time() - started)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--formulas", type=int, nargs="+", default=[20_000])
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        for count in args.formulas:
            path = workbook(Path(tmp) / f"f{count}.xlsx", count)
            read_tabs(path), bare_calamine(path)  # warm: the first call loads what it needs
            ours, theirs = (
                best(read_tabs, path, args.repeat),
                best(bare_calamine, path, args.repeat),
            )
            size = path.stat().st_size / 1024
            print(
                f"{count:>7} formulas ({size:.0f} KB): read_tabs {ours * 1000:7.1f} ms CPU, "
                f"calamine {theirs * 1000:7.1f} ms CPU, ratio {ours / theirs:.2f}"
            )


if __name__ == "__main__":
    main()
