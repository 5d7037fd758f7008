"""The local .xlsx backend: reads every tab, writes only Kết quả, atomically, text as text."""

from __future__ import annotations

import os
import shutil
import zipfile
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from tests.conftest import TODAY, good_unit
from worker.adapters.xlsx.read import read_tabs
from worker.adapters.xlsx.write import write_tab
from worker.core.cells import Percent
from worker.core.errors import SheetError
from worker.core.evaluate import Unit, evaluate_unit
from worker.core.results import Grid, unit_grid

NOW = datetime(2026, 10, 29, 6, 30)
EVIL = '=HYPERLINK("http://x.invalid","bấm")'


def snapshot(path: Path, skip: str = "Kết quả") -> dict[str, Any]:
    """Everything a unit sees in its own tabs: values, styles, validations, comments, widths."""
    wb = openpyxl.load_workbook(path)
    shot = {}
    for ws in wb.worksheets:
        if ws.title == skip:
            continue
        shot[ws.title] = {
            "cells": [
                (
                    c.coordinate,
                    c.value,
                    c.data_type,
                    c.number_format,
                    c.font.b,
                    c.fill.fgColor.rgb,
                    c.comment.text if c.comment else None,
                )
                for row in ws.iter_rows()
                for c in row
            ],
            "validations": sorted(
                (str(dv.sqref), dv.formula1) for dv in ws.data_validations.dataValidation
            ),
            "widths": {k: d.width for k, d in ws.column_dimensions.items()},
            "freeze": ws.freeze_panes,
        }
    return shot


@pytest.fixture
def unit_file(workspace: Callable[..., Path]) -> Path:
    rows = good_unit(2)
    rows["models"][1]["name"] = EVIL
    rows["models"][0]["note"] = "=1+1"
    root = workspace(("U1", rows, "a@example.gov.vn"))
    return root / "units" / "u1.xlsx"


def grid_for(path: Path) -> Grid:
    unit = Unit("U1", "Công an xã U1", "Xã", "", (), str(path), True)
    result = evaluate_unit(
        unit, read_tabs(path), 2026, TODAY, date(2026, 10, 31), set(), "mean_ratio"
    )
    return unit_grid(result, NOW)


def test_writing_results_leaves_every_other_tab_as_it_was(unit_file: Path) -> None:
    wb = openpyxl.load_workbook(unit_file)  # a unit's own touch: a formula in a spare column
    wb["Mô hình"]["N2"] = "=LEN(B2)"
    wb.save(unit_file)
    before = snapshot(unit_file)
    write_tab(unit_file, "Kết quả", grid_for(unit_file))
    write_tab(unit_file, "Kết quả", grid_for(unit_file))  # and again: replaced, not added
    assert snapshot(unit_file) == before
    wb = openpyxl.load_workbook(unit_file)
    assert wb.sheetnames == [
        "Mô hình",
        "Chỉ tiêu",
        "Đánh giá",
        "Hồ sơ",
        "Điển hình",
        "Tiêu chí điển hình",
        "Kết quả",
    ]
    assert wb["Mô hình"]["N2"].value == "=LEN(B2)"  # the unit's formula is still a formula
    assert wb["Kết quả"].protection.sheet is True


def test_results_name_each_model_and_the_time_of_the_update(unit_file: Path) -> None:
    write_tab(unit_file, "Kết quả", grid_for(unit_file))
    rows = read_tabs(unit_file)["Kết quả"]
    assert rows[0] == ["Kết quả đánh giá mô hình, điển hình năm 2026 — Công an xã U1"]
    assert rows[1][:4] == ["Cập nhật lúc", "29/10/2026 06:30", "Năm đánh giá", 2026]
    models = [r for r in rows if r and r[0] in ("MH-001", "MH-002")]
    assert [(r[0], r[3], r[4], r[5], r[6]) for r in models] == [
        # 100 %: the number 1 formatted as a percentage, as the reader finds it
        ("MH-001", "Có", 31, Percent(1.0), "Tốt"),
        ("MH-002", "Có", 31, Percent(1.0), "Tốt"),
    ]


def test_unit_text_that_looks_like_a_formula_stays_text(unit_file: Path) -> None:
    write_tab(unit_file, "Kết quả", grid_for(unit_file))
    wb = openpyxl.load_workbook(unit_file)
    cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value == EVIL]
    assert len(cells) == 2  # in Mô hình and in Kết quả
    assert all(c.data_type == "s" for c in cells)
    with zipfile.ZipFile(unit_file) as z:
        sheets = [z.read(n).decode() for n in z.namelist() if n.startswith("xl/worksheets/")]
    assert any("HYPERLINK" in s for s in sheets)
    assert not any("<f>HYPERLINK" in s for s in sheets)


def test_a_crash_while_saving_leaves_the_old_workbook_whole(
    unit_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = unit_file.read_bytes()

    def crash(*args: object, **kwargs: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError):
        write_tab(unit_file, "Kết quả", grid_for(unit_file))
    assert unit_file.read_bytes() == before
    assert not [p for p in unit_file.parent.iterdir() if p.name.startswith(".")]  # no temp left


def test_a_workbook_open_in_excel_is_not_written(unit_file: Path) -> None:
    (unit_file.parent / f"~${unit_file.name}").write_bytes(b"lock")
    with pytest.raises(SheetError, match=r"đang được mở \(~\$u1.xlsx"):
        write_tab(unit_file, "Kết quả", grid_for(unit_file))


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "không tìm thấy tệp u1.xlsx"),
        (b"not a zip", "tệp u1.xlsx bị hỏng hoặc không phải tệp .xlsx"),
    ],
    ids=["missing", "corrupt"],
)
def test_an_unreadable_workbook_is_reported_in_vietnamese(
    tmp_path: Path, content: bytes | None, message: str
) -> None:
    path = tmp_path / "u1.xlsx"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(SheetError, match=message):
        read_tabs(path)
    with pytest.raises(SheetError) as caught:
        read_tabs(path)
    assert not any(w in str(caught.value) for w in ("zip", "No such", "Errno", "(")), caught.value


def test_a_workbook_that_cannot_be_opened_is_reported_as_locked(unit_file: Path) -> None:
    # Root reads any file whatever its mode, so a folder in the file's place stands in for
    # a file the system refuses to open.
    unit_file.unlink()
    unit_file.mkdir()
    with pytest.raises(SheetError, match=r"u1\.xlsx"):
        read_tabs(unit_file)


def test_a_new_unit_workbook_has_dropdowns_frozen_headers_and_hints(
    workspace: Callable[..., Path],
) -> None:
    root = workspace()
    wb = openpyxl.load_workbook(root / "units" / "mau-bang-tinh-don-vi.xlsx")
    models = wb["Mô hình"]
    assert models.freeze_panes == "A2"
    assert models["A1"].comment.text.startswith("Mã riêng của mô hình")
    lists = {str(dv.sqref): dv.formula1 for dv in models.data_validations.dataValidation}
    assert lists["D2:D1000"] == (
        '"Kinh tế,Văn hóa - xã hội,Quốc phòng - an ninh,Xây dựng hệ thống chính trị"'
    )
    assert lists["J2:J1000"] == '"Đang hoạt động,Đã kết thúc"'
    assessment = {
        str(dv.sqref): dv.formula1 for dv in wb["Đánh giá"].data_validations.dataValidation
    }
    assert assessment["C2:C1000"] == '"Có,Không"'
    assert models.column_dimensions["B"].width == 28  # the tab fits A4 landscape at 9 pt
    assert models.print_title_rows == "$1:$1" and models.page_setup.orientation == "landscape"


def test_a_results_tab_someone_edited_is_written_again(
    workspace: Callable[..., Path], cli: Callable[..., Any]
) -> None:
    root = workspace(("U1", good_unit(1), "a@example.gov.vn"))
    cli("sync", "--workspace", root, "--today", "2026-10-29")
    path = root / "units" / "u1.xlsx"
    wb = openpyxl.load_workbook(path)
    row = next(r for r in wb["Kết quả"].iter_rows() if r[0].value == "MH-001")
    row[6].value = "Tốt lắm"  # the protection was lifted and a rating "corrected" by hand
    wb.save(path)
    again = cli("sync", "--workspace", root, "--today", "2026-10-29")
    assert "1 cập nhật tab Kết quả, 0 không đổi" in again.output
    rows = read_tabs(path)["Kết quả"]
    assert next(r for r in rows if r and r[0] == "MH-001")[6] == "Tốt"


@pytest.mark.parametrize("where", ["../ngoai.xlsx", "ABSOLUTE", "units/lien-ket.xlsx"])
def test_a_registry_path_leading_outside_the_workspace_is_refused_and_nothing_is_written(
    workspace: Callable[..., Path], cli: Callable[..., Any], tmp_path: Path, where: str
) -> None:
    from worker.adapters.xlsx.workbook import set_cell

    root = workspace(("U1", good_unit(1), "a@x.vn"), ("U2", good_unit(1), "b@x.vn"))
    outside = tmp_path / "ngoai.xlsx"
    shutil.copy(root / "units" / "u2.xlsx", outside)
    if where == "units/lien-ket.xlsx":
        (root / "units" / "lien-ket.xlsx").symlink_to(outside)  # a symbolic link out
    sheet = str(outside) if where == "ABSOLUTE" else where
    set_cell(root / "registry.xlsx", "Danh mục đơn vị", "F3", sheet)
    before = outside.read_bytes()
    result = cli("sync", "--workspace", root, "--today", "2026-10-29")
    assert result.exit_code == 1
    assert (
        f"! U2 Công an xã U2: đường dẫn '{sheet}' (ô F3 của cột Bảng tính, tab Danh mục đơn vị) "
        "dẫn ra ngoài thư mục làm việc: chép tệp vào thư mục units/ và ghi đường dẫn tương đối, "
        "ví dụ units/u2.xlsx"
    ) in result.output
    assert "1 cập nhật tab Kết quả" in result.output  # U1 is done all the same
    assert outside.read_bytes() == before


def test_temp_files_a_killed_run_left_are_removed_at_the_next_start(
    workspace: Callable[..., Path], cli: Callable[..., Any]
) -> None:
    root = workspace(("U1", good_unit(1), "a@x.vn"))
    leftover = root / "units" / ".~mohinh-u1.xlsx.tmp"
    leftover.write_bytes(b"half a workbook")
    cli("sync", "--workspace", root, "--today", "2026-10-29", "--dry-run")
    assert leftover.exists()  # a dry run touches nothing
    cli("sync", "--workspace", root, "--today", "2026-10-29")
    assert not leftover.exists()


def test_a_merged_title_above_the_headers_of_a_real_workbook_names_the_right_cell(
    workspace: Callable[..., Path],
) -> None:
    rows = good_unit()
    rows["models"][0]["decision_date"] = "01/01/1899"
    root = workspace(("U1", rows, "a@example.gov.vn"))
    path = root / "units" / "u1.xlsx"
    wb = openpyxl.load_workbook(path)
    ws = wb["Mô hình"]
    ws.insert_rows(1, 2)  # a title row and a blank row above the headers
    ws["A1"] = "DANH SÁCH MÔ HÌNH NĂM 2026"
    ws.merge_cells("A1:L1")
    wb.save(path)
    unit = Unit("U1", "Công an xã U1", "Xã", "", ("a@example.gov.vn",), str(path), True)
    result = evaluate_unit(unit, read_tabs(path), 2026, TODAY, date(2026, 10, 31), set(), "")
    assert [(e.tab, e.cell, e.code) for e in result.errors] == [("Mô hình", "G4", "too_old")]


def test_files_the_worker_creates_are_readable_by_others_as_the_umask_allows(
    tmp_path: Path, cli: Callable[..., Any]
) -> None:
    old = os.umask(0o002)  # a shared folder's usual umask
    try:
        root = tmp_path / "tinh"
        cli("init", root, "--demo", "--today", "2026-10-29")
        os.chmod(root / "registry.xlsx", 0o660)  # staff chose this one: it is kept
        cli("run", "--once", "--workspace", root, "--today", "2026-11-16")
        from worker.adapters.xlsx.workbook import set_cell

        set_cell(root / "registry.xlsx", "Danh mục đơn vị", "F8", "units/ca-tp.xlsx")
    finally:
        os.umask(old)

    def mode(path: Path) -> int:
        return path.stat().st_mode & 0o777

    assert mode(root / "units" / "ca-hl.xlsx") == 0o664
    assert mode(root / "reports" / "tong-hop-2026.xlsx") == 0o664
    assert mode(root / "reports" / "bao-cao-2026.docx") == 0o664
    assert {mode(p) for p in (root / "outbox").glob("*.eml")} == {0o664}
    assert mode(root / "registry.xlsx") == 0o660


@pytest.mark.parametrize(
    ("where", "what"),
    [
        ("reports/tong-hop-2026.xlsx", "thư mục reports/ của phần mềm"),
        ("outbox/thu.xlsx", "thư mục outbox/ của phần mềm"),
        ("logs/nhat-ky.xlsx", "thư mục logs/ của phần mềm"),
        ("backups/ban-sao.xlsx", "thư mục backups/ của phần mềm"),
        ("units/../state.sqlite", "tệp trạng thái của phần mềm"),
    ],
    ids=["reports", "outbox", "logs", "backups", "state"],
)
def test_a_registry_row_on_one_of_the_workspaces_own_files_is_set_aside_and_nothing_is_written(
    workspace: Callable[..., Path], cli: Callable[..., Any], where: str, what: str
) -> None:
    from worker.adapters.xlsx.workbook import set_cell

    root = workspace(("U1", good_unit(1), "a@x.vn"), ("U2", good_unit(1), "b@x.vn"))
    target = (root / where).resolve()
    target.parent.mkdir(exist_ok=True)
    if target.name != "state.sqlite":
        shutil.copy(root / "units" / "u2.xlsx", target)
    cli("sync", "--workspace", root, "--today", "2026-10-29")  # the state exists from here on
    set_cell(root / "registry.xlsx", "Danh mục đơn vị", "F3", where)
    before = target.read_bytes()
    result = cli("sync", "--workspace", root, "--today", "2026-10-29")
    assert result.exit_code == 1
    assert (
        f"  ! Danh mục đơn vị, ô F3 — U2 Công an xã U2 (chưa được đọc): “{where}” trỏ vào "
        f"{what}, không phải bảng tính của đơn vị — ghi đường dẫn tệp của đơn vị, ví dụ "
        "units/u2.xlsx"
    ) in result.output
    if target.name != "state.sqlite":  # the state changes with every run, by the worker
        assert target.read_bytes() == before


def test_a_unit_file_the_province_cannot_find_is_told_to_the_province_and_not_to_the_unit(
    workspace: Callable[..., Path], cli: Callable[..., Any]
) -> None:
    from email import message_from_bytes
    from email.policy import default

    root = workspace(("U1", good_unit(1), "a@x.vn"), ("U2", None, "b@x.vn"))  # no units/u2.xlsx
    result = cli("run", "--once", "--workspace", root, "--today", "2026-10-29")
    assert result.exit_code == 1
    told = (
        "không tìm thấy tệp units/u2.xlsx (ô F3 của cột Bảng tính, tab Danh mục đơn vị) — chép "
        "tệp của đơn vị vào đường dẫn này hoặc sửa ô F3; thư nhắc đơn vị chờ đến khi đọc được tệp"
    )
    assert f"  ! U2 Công an xã U2: {told}" in result.output
    assert "chờ tỉnh tìm tệp bảng tính: U2" in result.output
    messages = [
        message_from_bytes(p.read_bytes(), policy=default) for p in (root / "outbox").glob("*.eml")
    ]
    assert sorted(str(m["To"]) for m in messages) == ["a@x.vn", "tinh@example.gov.vn"]
    (to_province,) = [m for m in messages if m["To"] == "tinh@example.gov.vn"]
    text = to_province.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert f"- U2 Công an xã U2: {told}" in text
