"""The consolidation workbook is streamed (openpyxl's write-only mode): what it writes is what a
workbook built in memory writes, part for part; an empty row alone is written as an empty
<row> element (a streamed sheet cannot skip a row), which Excel and every reader take as
nothing."""

from __future__ import annotations

import re
import zipfile
from datetime import date
from pathlib import Path

from worker.adapters.xlsx.workbook import fill, new_workbook
from worker.core.results import Grid, Percent


def parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        # core.xml holds the time it was saved
        return {n: z.read(n) for n in z.namelist() if n != "docProps/core.xml"}


def test_a_streamed_sheet_is_written_as_one_built_in_memory(tmp_path: Path) -> None:
    grid = Grid(
        [
            ["Tổng hợp mô hình năm 2026"],
            [],
            ["Đơn vị", "Ghi chú", "Tỷ lệ", "Ngày"],
            ["Công an xã Hàm Liêm", "=1+1", Percent(0.8333), date(2026, 10, 31)],
            ["Tỉnh đoàn", "dài " * 60, "", None],
            ["Tổng", "", Percent(1), ""],
        ],
        titles={0},
        headers={2},
        widths=(24, 18, 10),
        totals={5},
    )
    for streamed in (False, True):
        wb = new_workbook(write_only=streamed)
        fill(wb.create_sheet("Tổng hợp đơn vị"), grid)
        wb.save(tmp_path / f"{streamed}.xlsx")
    built, streamed_parts = parts(tmp_path / "False.xlsx"), parts(tmp_path / "True.xlsx")
    assert list(streamed_parts) == list(built)
    sheet = "xl/worksheets/sheet1.xml"
    assert [n for n in built if streamed_parts[n] != built[n]] == [sheet]
    empty_rows = re.compile(rb'<row r="\d+"></row>')
    assert empty_rows.findall(streamed_parts[sheet]) == [b'<row r="2"></row>']
    assert empty_rows.sub(b"", streamed_parts[sheet]) == built[sheet]
