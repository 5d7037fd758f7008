"""Hostile workbooks (tests/hostile.py): each is refused, or read, in bounded time and memory,
with its own message; every other unit of the run is done."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

from tests import hostile
from tests.conftest import good_unit
from worker.adapters.xlsx.read import read_tabs
from worker.adapters.xlsx.write import write_tab
from worker.core.errors import SheetError
from worker.core.results import Grid

Cli = Callable[..., Result]
PEAK_MB = 400  # the bound for a run with one hostile unit among good ones


def refused(path: Path) -> str:
    started = time.monotonic()
    with pytest.raises(SheetError) as caught:
        read_tabs(path)
    assert time.monotonic() - started < 5  # told from the zip directory and one scan
    return str(caught.value)


def test_a_value_at_the_last_cell_of_a_sheet_is_refused_naming_it(tmp_path: Path) -> None:
    """calamine would allocate 17 billion cells (512 GiB) and abort the whole run."""
    message = refused(hostile.far_cell(tmp_path / "u1.xlsx"))
    assert message == (
        "tệp u1.xlsx quá lớn để đọc (tab Mô hình có dữ liệu tới dòng 1.048.576, cột XFD: vùng "
        "từ A1 gồm 17.179.869.353 ô, vượt giới hạn 500.000 ô): xóa các ô có dữ liệu nằm "
        "ngoài bảng (như ô XFD1048576 của tab Mô hình) hoặc tách bảng tính, rồi lưu lại"
    )


def test_a_cell_formatted_at_the_last_place_but_empty_is_no_obstacle(tmp_path: Path) -> None:
    """calamine makes no cell of a formatted empty one: the sheet is read as its values say."""
    empty = b'<row r="1048576"><c r="XFD1048576" s="0"/></row>'
    path = hostile.package(tmp_path / "u1.xlsx", hostile.unit_sheets(**{"Mô hình": empty}))
    assert len(read_tabs(path)["Mô hình"]) == 3  # the header and two models


def test_a_sheet_that_inflates_past_the_limit_is_refused_unread(tmp_path: Path) -> None:
    message = refused(hostile.zip_bomb(tmp_path / "u1.xlsx", inflated=200 << 20))
    assert message == (
        "tệp u1.xlsx quá lớn để đọc (tab Ghi chú: phần xl/worksheets/sheet7.xml giải nén ra "
        "200 MB, vượt giới hạn 100 MB): xóa các dòng, cột thừa (kể cả dòng trống có định dạng) "
        "hoặc tách bảng tính"
    )


def test_a_million_rows_are_refused_before_they_are_read(tmp_path: Path) -> None:
    message = refused(hostile.million_rows(tmp_path / "u1.xlsx"))
    assert message.startswith("tệp u1.xlsx quá lớn để đọc (tab Chỉ tiêu: phần ")
    assert "vượt giới hạn 100 MB" in message


def test_two_thousand_sheets_are_read_and_get_their_results_tab(tmp_path: Path) -> None:
    path = hostile.many_sheets(tmp_path / "u1.xlsx")
    started = time.monotonic()
    tabs = read_tabs(path)
    assert len(tabs) == 6 + 2000
    write_tab(path, "Kết quả", Grid([["Cập nhật lúc", "16/11/2026 06:30"]]))
    assert read_tabs(path)["Kết quả"] == [["Cập nhật lúc", "16/11/2026 06:30"]]
    assert time.monotonic() - started < 30


@pytest.mark.parametrize("kind", ["far_cell", "zip_bomb"])
def test_a_hostile_unit_leaves_every_other_unit_done_within_the_memory_bound(
    workspace: Callable[..., Path], tmp_path: Path, kind: str
) -> None:
    root = workspace(*[(f"U{n}", good_unit(2), f"u{n}@x.vn") for n in (1, 2, 3)])
    hostile.KINDS[kind](root / "units" / "u2.xlsx")
    args = ["run", "--once", "--workspace", str(root), "--today", "2026-11-16"]
    status, output, peak = hostile.run_measured(args, tmp_path / "run.log")
    assert status == 1, output  # one unit's trouble: the others were done
    assert "2 cập nhật tab Kết quả" in output, output
    assert "! U2 Công an xã U2: tệp u2.xlsx quá lớn để đọc" in output, output
    assert "Traceback" not in output
    assert peak < PEAK_MB, f"{peak:.0f} MB"


@pytest.mark.parametrize("kind", ["many_errors", "big_picture"])
def test_a_unit_as_large_as_the_limits_allow_is_done_within_the_memory_bound(
    workspace: Callable[..., Path], tmp_path: Path, kind: str
) -> None:
    """80,000 rows of six wrong cells (480,000 errors, 200 of them listed); a 90 MB picture."""
    root = workspace(*[(f"U{n}", good_unit(2), f"u{n}@x.vn") for n in (1, 2, 3)])
    hostile.KINDS[kind](root / "units" / "u2.xlsx")
    args = ["run", "--once", "--workspace", str(root), "--today", "2026-11-16"]
    status, output, peak = hostile.run_measured(args, tmp_path / "run.log")
    assert "3 cập nhật tab Kết quả" in output, output
    assert "Traceback" not in output and status in (0, 1)
    assert peak < PEAK_MB, f"{peak:.0f} MB"
