"""Time the cycle on a province of N units built from the demo: python bench/cycle.py --units 60

Prints the time of: building the province, validate + rate of every model (no I/O), the first
full run (writes every Kết quả), a second run (nothing changed: nothing written).
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from datetime import date, datetime
from pathlib import Path

import openpyxl

from jobs import cycle
from worker.evaluate import evaluate_unit, read_registry
from worker.layout import load
from worker.scaffold import init_workspace
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--units", type=int, default=60)
    args = parser.parse_args()
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
