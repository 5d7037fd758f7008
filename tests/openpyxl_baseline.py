"""The openpyxl ways the worker used before (read-only load; load, replace a tab, save), kept
as the baseline that tests and benchmarks compare the project's reader and writer with."""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.workbook.workbook import Workbook

from worker.adapters.xlsx.workbook import fill, save_atomically
from worker.core.errors import SheetError
from worker.core.layout import load, normalize_header
from worker.core.results import Grid


def read_tabs(path: Path) -> dict[str, list[list[Any]]]:
    """Every tab's rows as cell values (formula results, not formulas), the header row first."""
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except FileNotFoundError:
        raise SheetError(f"không tìm thấy tệp {path.name}") from None
    except PermissionError:
        raise SheetError(f"không có quyền đọc tệp {path.name} (tệp đang bị khóa)") from None
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as exc:
        raise SheetError(f"tệp {path.name} bị hỏng hoặc không phải tệp .xlsx ({exc})") from None
    try:
        return {
            ws.title: [list(row) for row in ws.iter_rows(values_only=True)] for ws in wb.worksheets
        }
    finally:
        wb.close()


def replace_tab(path: Path, name: str, grid: Grid) -> None:
    """Replace (or add) one tab of a workbook, protected; every other tab is left as it was."""
    lock = path.with_name(f"~${path.name}")
    if lock.exists():
        raise SheetError(
            f"tệp {path.name} đang được mở trong Excel ({lock.name}); "
            "đóng tệp để lần sau ghi được Kết quả"
        )
    try:
        wb = openpyxl.load_workbook(path)
    except PermissionError:
        raise SheetError(f"không có quyền ghi tệp {path.name}") from None
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as exc:
        raise SheetError(f"tệp {path.name} bị hỏng ({exc})") from None
    index = len(wb.sheetnames)
    ours = _results_tab(wb, name)
    if ours is not None:
        index = wb.sheetnames.index(ours)
        del wb[ours]
    ws = wb.create_sheet(name, index)
    fill(ws, grid)
    ws.protection.sheet = True  # only the worker writes here; units see, sort and copy
    ws.freeze_panes = "A2"
    try:
        save_atomically(wb, path)
    except PermissionError:
        raise SheetError(f"không có quyền ghi tệp {path.name}") from None


def _results_tab(wb: Workbook, name: str) -> str | None:
    """Our tab: by its name as a person may retype it (case, spaces), or by the stamp in A1."""
    wanted = normalize_header(name)
    for title in wb.sheetnames:
        if normalize_header(title) == wanted:
            return title
    stamp = load("unit").stamp_label
    return next((t for t in wb.sheetnames if stamp and wb[t]["A1"].value == stamp), None)
