"""The results tab written inside the .xlsx package: every other part stays byte-identical."""

from __future__ import annotations

import io
import os
import posixpath
import shutil
import stat
import struct
import subprocess
import sys
import zipfile
import zlib
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from xml.etree import ElementTree as ET

import openpyxl
import pytest
import xlsxwriter

from tests.conftest import good_unit
from tests.openpyxl_baseline import read_tabs
from worker.adapters.files import remove_leftovers
from worker.adapters.local import older_temp
from worker.adapters.xlsx.workbook import write_workbook
from worker.adapters.xlsx.write import write_tab
from worker.core.errors import SheetError
from worker.core.layout import load
from worker.core.results import Grid

RESULTS = "Kết quả"
BOOKKEEPING = {
    "[Content_Types].xml",
    "xl/workbook.xml",
    "xl/_rels/workbook.xml.rels",
    "docProps/app.xml",
    "xl/styles.xml",
}
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
APP = "http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
# openpyxl, used here only to read, warns that it would drop the data bar's x14 extension.
pytestmark = pytest.mark.filterwarnings("ignore:.*extension is not supported:UserWarning")
EVIL = '=HYPERLINK("http://x.invalid","bấm")'


def grid() -> Grid:
    """A small Kết quả: stamp, a titled section, a header row, values of every kind, a link."""
    return Grid(
        [
            ["Cập nhật lúc", "29/10/2026 06:30", "Năm đánh giá", 2026],
            [],
            ["Lỗi dữ liệu (2)"],
            ["Tab", "Ô", "Giá trị", "Lỗi", "Ngày"],
            ["Mô hình", "D4", EVIL, "=1+1", date(2026, 1, 31)],
            ["Mô hình", "B7", "+1", " khoảng trắng ", datetime(2026, 2, 1, 12, 0)],
            ["Chỉ tiêu", "E2", 66.67, "có\x01ký tự\x0bcấm", ""],
        ],
        titles={2},
        headers={3},
        widths=(14, 8, 30, 40, 12),
        links={(4, 1): "'Mô hình'!D4", (5, 1): "'Mô hình'!B7"},
    )


def expected_values(g: Grid) -> list[list[object]]:
    """What a reader should find: blanks as None, forbidden characters gone, dates as dates."""
    out = []
    for row in g.rows:
        values: list[object] = []
        for v in row:
            if isinstance(v, str):
                v = v.replace("\x01", "").replace("\x0b", "") or None
            elif isinstance(v, date) and not isinstance(v, datetime):
                v = datetime(v.year, v.month, v.day)
            values.append(v)
        while values and values[-1] is None:
            values.pop()
        out.append(values)
    return out


def tiny_png() -> bytes:
    """A 1×1 red PNG, made by hand (no image library needed)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00"))
        + chunk(b"IEND", b"")
    )


def xlsxwriter_unit(path: Path, own_tab: str | None = None) -> Path:
    """A unit workbook as another program writes it: a picture, a comment, a data bar (x14
    extension), formulas with cached values, a chart, defined names, merged cells, an
    autofilter, a hidden sheet; `own_tab` adds the unit's own tab of that name, with a comment,
    in the middle."""
    wb = xlsxwriter.Workbook(str(path))
    models = wb.add_worksheet("Mô hình")
    models.write_row(0, 0, [c.header for c in load("unit").tab("models").columns])
    models.write_row(1, 0, ["MH-001", "Tổ tự quản thôn 1", "Phong trào", "Quốc phòng - an ninh"])
    models.write_comment("A1", "Mã riêng của mô hình")
    models.insert_image("N2", "logo.png", {"image_data": io.BytesIO(tiny_png())})
    models.merge_range("A10:C10", "Ghi chú chung của đơn vị", wb.add_format({"bold": True}))
    models.data_validation(
        "J2:J100", {"validate": "list", "source": ["Đang hoạt động", "Đã kết thúc"]}
    )
    if own_tab:
        own = wb.add_worksheet(own_tab)
        own.write("A1", "Bảng tự làm của đơn vị")
        own.write_comment("A1", "đơn vị tự ghi chú")
    targets = wb.add_worksheet("Chỉ tiêu")
    targets.write_row(0, 0, [c.header for c in load("unit").tab("targets").columns])
    for r in range(1, 5):
        targets.write_row(r, 0, [f"MH-00{r}", 2026, "Tuần tra", "buổi", 10])
        targets.write_formula(r, 5, f"=E{r + 1}+{r}", None, 10 + r)  # cached value 10 + r
    targets.autofilter("A1:F5")
    targets.conditional_format("F2:F5", {"type": "data_bar", "data_bar_2010": True})
    chart = wb.add_chart({"type": "column"})
    chart.add_series({"values": "='Chỉ tiêu'!$F$2:$F$5", "categories": "='Chỉ tiêu'!$A$2:$A$5"})
    targets.insert_chart("H2", chart)
    wb.define_name("KeHoach", "='Chỉ tiêu'!$E$2:$E$5")
    wb.define_name("'Chỉ tiêu'!ThucHien", "='Chỉ tiêu'!$F$2:$F$5")  # local: localSheetId
    wb.add_worksheet("Ẩn").hide()
    wb.close()
    return path


def openpyxl_unit(path: Path) -> Path:
    write_workbook(path, load("unit"), good_unit(3))
    return path


def entries(path: Path) -> dict[str, bytes]:
    """Every zip entry's uncompressed content, in zip order."""
    with zipfile.ZipFile(path) as z:
        return {info.filename: z.read(info) for info in z.infolist()}


def tab_parts(parts: dict[str, bytes], tab: str) -> set[str]:
    """The parts that belong to one tab only: its sheet, its rels, what they point to."""
    book = ET.fromstring(parts["xl/workbook.xml"])
    sheet = next(s for s in book.iter(f"{{{MAIN}}}sheet") if s.get("name") == tab)
    rels = ET.fromstring(parts["xl/_rels/workbook.xml.rels"])
    target = next(r.get("Target") for r in rels if r.get("Id") == sheet.get(f"{{{REL}}}id"))
    part = posixpath.normpath(posixpath.join("xl", target or ""))
    own = {part}
    sheet_rels = posixpath.join(
        posixpath.dirname(part), "_rels", posixpath.basename(part) + ".rels"
    )
    if sheet_rels in parts:
        own.add(sheet_rels)
        for r in ET.fromstring(parts[sheet_rels]):
            own.add(
                posixpath.normpath(posixpath.join(posixpath.dirname(part), r.get("Target", "")))
            )
    return own


def results_sheet(wb: openpyxl.Workbook) -> list[list[object]]:
    rows = [[c.value for c in row] for row in wb[RESULTS].iter_rows()]
    for row in rows:
        while row and row[-1] is None:
            row.pop()
    return rows


MAKERS: dict[str, Callable[[Path], Path]] = {
    "openpyxl": openpyxl_unit,
    "xlsxwriter": xlsxwriter_unit,
    "xlsxwriter_own_tab": lambda p: xlsxwriter_unit(p, own_tab="KẾT QUẢ"),
}


@pytest.mark.parametrize("maker", list(MAKERS), ids=list(MAKERS))
def test_three_writes_leave_every_other_part_byte_identical(tmp_path: Path, maker: str) -> None:
    path = MAKERS[maker](tmp_path / "u1.xlsx")
    before = entries(path)
    own = tab_parts(before, "KẾT QUẢ") if maker == "xlsxwriter_own_tab" else set()
    for _ in range(3):
        write_tab(path, RESULTS, grid())
    after = entries(path)
    kept = [n for n in before if n not in BOOKKEEPING | own]
    assert [n for n in after if n in kept] == kept  # same names, same order
    assert [n for n in kept if after[n] != before[n]] == []
    added = set(after) - set(before)
    assert len(added) == 1
    assert added.pop().startswith("xl/worksheets/sheet")
    assert set(before) - set(after) == own  # the replaced tab's own parts, nothing else


def test_formulas_keep_their_cached_values_pictures_and_extensions(tmp_path: Path) -> None:
    path = xlsxwriter_unit(tmp_path / "u1.xlsx")
    write_tab(path, RESULTS, grid())
    write_tab(path, RESULTS, grid())
    values = openpyxl.load_workbook(path, data_only=True)["Chỉ tiêu"]
    assert [values.cell(r, 6).value for r in range(2, 6)] == [11, 12, 13, 14]
    parts = entries(path)
    assert any(n.startswith("xl/media/") for n in parts)
    targets = next(v for n, v in parts.items() if b"x14:conditionalFormatting" in v)
    assert b"<f>E2+1</f><v>11</v>" in targets


@pytest.mark.parametrize("maker", ["openpyxl", "xlsxwriter"])
def test_the_tab_holds_exactly_the_grid_with_text_as_text(tmp_path: Path, maker: str) -> None:
    path = MAKERS[maker](tmp_path / "u1.xlsx")
    write_tab(path, RESULTS, grid())
    wb = openpyxl.load_workbook(path)
    assert results_sheet(wb) == expected_values(grid())
    ws = wb[RESULTS]
    assert (ws["C5"].value, ws["C5"].data_type) == (EVIL, "s")
    assert (ws["D5"].value, ws["D5"].data_type) == ("=1+1", "s")
    assert (ws["C6"].value, ws["C6"].data_type) == ("+1", "s")
    assert (ws["C7"].value, ws["C7"].data_type) == (66.67, "n")
    assert ws["E5"].number_format == ws["E6"].number_format == "DD/MM/YYYY"
    assert b"<f>" not in next(
        v for n, v in entries(path).items() if b"HYPERLINK" in v and b"sheetProtection" in v
    )


def test_a_second_reader_sees_the_same_values(tmp_path: Path) -> None:
    import python_calamine as calamine

    path = openpyxl_unit(tmp_path / "u1.xlsx")
    write_tab(path, RESULTS, grid())
    rows = calamine.CalamineWorkbook.from_path(str(path)).get_sheet_by_name(RESULTS).to_python()
    assert rows[0] == ["Cập nhật lúc", "29/10/2026 06:30", "Năm đánh giá", 2026, ""]
    assert rows[4][:5] == ["Mô hình", "D4", EVIL, "=1+1", date(2026, 1, 31)]
    assert rows[5][2:4] == ["+1", " khoảng trắng "]


def test_the_tab_is_protected_frozen_styled_and_linked(tmp_path: Path) -> None:
    path = openpyxl_unit(tmp_path / "u1.xlsx")
    write_tab(path, RESULTS, grid())
    ws = openpyxl.load_workbook(path)[RESULTS]
    assert ws.protection.sheet is True
    assert (ws.protection.sort, ws.protection.autoFilter) == (False, False)  # still allowed
    assert ws.freeze_panes == "A2"
    assert [ws.column_dimensions[c].width for c in "ABCDE"] == [14, 8, 30, 40, 12]
    assert (ws["A3"].font.b, ws["A3"].font.sz) == (True, 12)
    assert all(ws.cell(4, c).font.b for c in range(1, 6))
    assert ws["B4"].fill.fgColor.rgb == "FFDDEBF7"
    assert ws["B4"].alignment.wrap_text is True
    assert not ws["B5"].font.b
    links = {c: ws[c].hyperlink for c in ("B5", "B6")}
    assert {c: (h.location, h.display) for c, h in links.items()} == {
        "B5": ("'Mô hình'!D4", "D4"),
        "B6": ("'Mô hình'!B7", "B7"),
    }


def test_styles_are_added_once_however_often_the_tab_is_written(tmp_path: Path) -> None:
    path = openpyxl_unit(tmp_path / "u1.xlsx")
    write_tab(path, RESULTS, grid())
    styles = entries(path)["xl/styles.xml"]
    write_tab(path, RESULTS, grid())
    write_tab(path, RESULTS, grid())
    assert entries(path)["xl/styles.xml"] == styles


@pytest.mark.parametrize(
    "own", ["KẾT QUẢ", " kết quả ", "Kết quả"], ids=["upper", "spaces", "same"]
)
def test_a_units_results_tab_is_replaced_in_place_and_named_back(tmp_path: Path, own: str) -> None:
    path = xlsxwriter_unit(tmp_path / "u1.xlsx", own_tab=own)
    for _ in range(2):
        write_tab(path, RESULTS, grid())
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["Mô hình", RESULTS, "Chỉ tiêu", "Ẩn"]
    assert results_sheet(wb) == expected_values(grid())
    assert wb["Ẩn"].sheet_state == "hidden"
    assert wb.defined_names["KeHoach"].attr_text == "'Chỉ tiêu'!$E$2:$E$5"
    assert "ThucHien" in wb["Chỉ tiêu"].defined_names  # localSheetId still points at it


def test_a_new_tab_is_added_last_and_listed_in_app_xml(tmp_path: Path) -> None:
    path = xlsxwriter_unit(tmp_path / "u1.xlsx")
    write_tab(path, RESULTS, grid())
    assert openpyxl.load_workbook(path).sheetnames[-1] == RESULTS
    app = ET.fromstring(entries(path)["docProps/app.xml"])
    vt = "{http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes}"
    titles = [t.text for t in app.iterfind(f"{{{APP}}}TitlesOfParts/{vt}vector/{vt}lpstr")]
    assert titles[titles.index("Ẩn") + 1] == RESULTS
    assert titles.index(RESULTS) == 3  # after the three worksheets, before the named ranges
    assert b'<vt:vector size="6" baseType="lpstr">' in entries(path)["docProps/app.xml"]
    assert b"<vt:i4>4</vt:i4>" in entries(path)["docProps/app.xml"]


def rename_in_package(path: Path, old: str, new: str) -> None:
    """What a user renaming a tab in Excel changes: the sheet's name in the workbook part."""
    parts = entries(path)
    parts["xl/workbook.xml"] = parts["xl/workbook.xml"].replace(
        f'name="{old}"'.encode(), f'name="{new}"'.encode()
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)


def rename_with_openpyxl(path: Path, old: str, new: str) -> None:
    """A rename saved by a program that turns every text into a shared string."""
    wb = openpyxl.load_workbook(path)
    wb[old].title = new
    wb.save(path)


@pytest.mark.parametrize(
    "rename", [rename_in_package, rename_with_openpyxl], ids=["inline_stamp", "shared_stamp"]
)
def test_a_renamed_results_tab_is_found_by_its_stamp(
    tmp_path: Path, rename: Callable[[Path, str, str], None]
) -> None:
    path = openpyxl_unit(tmp_path / "u1.xlsx")
    write_tab(path, RESULTS, grid())
    rename(path, RESULTS, "Kết quả cũ")
    write_tab(path, RESULTS, grid())
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames.count(RESULTS) == 1
    assert "Kết quả cũ" not in wb.sheetnames
    assert len(wb.sheetnames) == 7


def test_a_renamed_results_tab_whose_first_row_is_long_is_found_by_its_stamp(
    tmp_path: Path,
) -> None:
    """Its first rows lie past the few KB read first: the longer head is read."""
    path = openpyxl_unit(tmp_path / "u1.xlsx")
    long = grid()
    long.rows[0][1] = "dài " * 3000  # 12 KB of text in B1
    write_tab(path, RESULTS, long)
    rename_in_package(path, RESULTS, "Kết quả cũ")
    write_tab(path, RESULTS, grid())
    wb = openpyxl.load_workbook(path)
    assert (wb.sheetnames.count(RESULTS), "Kết quả cũ" in wb.sheetnames) == (1, False)


def test_a_tab_that_only_looks_like_ours_is_left_alone(tmp_path: Path) -> None:
    path = openpyxl_unit(tmp_path / "u1.xlsx")
    wb = openpyxl.load_workbook(path)
    wb.create_sheet("Ghi chú")["A2"] = "Cập nhật lúc"  # the label, but not in A1
    wb.save(path)
    write_tab(path, RESULTS, grid())
    assert openpyxl.load_workbook(path)["Ghi chú"]["A2"].value == "Cập nhật lúc"
    assert openpyxl.load_workbook(path).sheetnames[-2:] == ["Ghi chú", RESULTS]


@pytest.mark.parametrize("mode", [0o664, 0o640, 0o600])
def test_the_files_mode_is_kept(tmp_path: Path, mode: int) -> None:
    path = openpyxl_unit(tmp_path / "u1.xlsx")
    path.chmod(mode)
    write_tab(path, RESULTS, grid())
    assert stat.S_IMODE(path.stat().st_mode) == mode


def test_a_read_only_file_is_not_written(tmp_path: Path) -> None:
    path = openpyxl_unit(tmp_path / "u1.xlsx")
    path.chmod(0o444)
    before = path.read_bytes()
    with pytest.raises(SheetError) as err:
        write_tab(path, RESULTS, grid())
    assert str(err.value) == (
        "tệp u1.xlsx chỉ cho phép đọc nên không ghi được tab Kết quả: bỏ chế độ chỉ đọc của tệp "
        "(Thuộc tính → bỏ chọn Chỉ đọc, hoặc chmod u+w u1.xlsx) rồi chạy lại"
    )
    assert path.read_bytes() == before


@pytest.mark.parametrize("lock", ["~$u1.xlsx", ".~lock.u1.xlsx#"], ids=["excel", "libreoffice"])
def test_a_file_open_in_a_spreadsheet_program_is_not_written(tmp_path: Path, lock: str) -> None:
    path = openpyxl_unit(tmp_path / "u1.xlsx")
    (tmp_path / lock).write_text("owner")
    before = path.read_bytes()
    with pytest.raises(SheetError) as err:
        write_tab(path, RESULTS, grid())
    assert str(err.value) == (
        f"tệp u1.xlsx đang được mở ({lock}): đóng tệp u1.xlsx; lần chạy sau sẽ ghi Kết quả "
        f"(nếu tệp không mở ở đâu, xóa tệp {lock})"
    )
    assert path.read_bytes() == before


def test_a_crash_before_the_rename_leaves_the_old_file_and_no_temp(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = openpyxl_unit(tmp_path / "u1.xlsx")
    before = path.read_bytes()

    def crash(*args: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError):
        write_tab(path, RESULTS, grid())
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["u1.xlsx"]


def test_leftovers_of_a_killed_run_are_removed_and_nothing_else(tmp_path: Path) -> None:
    ours = [
        tmp_path / ".~mohinh-u1.xlsx.tmp",
        tmp_path / ".~mohinh-bao-cao-2026.docx.tmp",
        tmp_path / ".u2-k3j_x9a0.xlsx",  # older releases' names
        tmp_path / ".k3j_x9a0.eml",
        tmp_path / ".q8z0_1ab.docx",
        tmp_path / ".state-20261116-063000.sqlite.tmp",
    ]
    theirs = [
        tmp_path / "u1.xlsx",
        tmp_path / "u2.xlsx",
        tmp_path / "~$u1.xlsx",
        tmp_path / ".~lock.u1.xlsx#",
        tmp_path / ".ghi-chu-12345678.xlsx",  # looks like ours, but there is no ghi-chu.xlsx
        tmp_path / "ban-nhap.tmp",
    ]
    for p in ours + theirs:
        p.write_bytes(b"x")
    assert remove_leftovers(tmp_path, older_temp) == sorted(ours)
    assert sorted(tmp_path.iterdir()) == sorted(theirs)


def broken(path: Path, kind: str) -> Path:
    if kind == "not_zip":
        path.write_bytes(b"PK\x03\x04 not really")
    else:
        openpyxl_unit(path)
        parts = entries(path)
        if kind == "no_workbook":
            del parts["xl/workbook.xml"]
        else:
            parts["xl/workbook.xml"] = parts["xl/workbook.xml"][:-20]
        with zipfile.ZipFile(path, "w") as z:
            for name, data in parts.items():
                z.writestr(name, data)
    return path


@pytest.mark.parametrize("kind", ["not_zip", "no_workbook", "bad_xml"])
def test_a_damaged_file_is_reported_in_vietnamese(tmp_path: Path, kind: str) -> None:
    path = broken(tmp_path / "u1.xlsx", kind)
    before = path.read_bytes()
    with pytest.raises(SheetError) as err:
        write_tab(path, RESULTS, grid())
    message = str(err.value)
    assert message == (
        "tệp u1.xlsx bị hỏng hoặc không phải tệp .xlsx: mở bằng Excel hoặc LibreOffice, lưu "
        "lại dạng .xlsx, hoặc chép lại bản còn tốt"
    )  # the reader's message: one for each kind of trouble
    assert path.read_bytes() == before


def test_a_missing_file_is_reported(tmp_path: Path) -> None:
    with pytest.raises(SheetError, match=r"không tìm thấy tệp u9\.xlsx: kiểm tra cột Bảng tính"):
        write_tab(tmp_path / "u9.xlsx", RESULTS, grid())


def minimal_package(path: Path) -> Path:
    """A package as some other programs write it: the `x:` prefix, absolute relationship
    targets, no docProps/app.xml and no styles part; an x14 dropdown in its sheet."""
    x = MAIN
    ml = "application/vnd.openxmlformats-officedocument.spreadsheetml"
    parts = {
        "[Content_Types].xml": (
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{ml}.sheet.main+xml"/>'
            f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{ml}.worksheet+xml"/>'
            "</Types>"
        ),
        "_rels/.rels": (
            f'<Relationships xmlns="{PKG}"><Relationship Id="r1" '
            f'Type="{REL}/officeDocument" Target="/xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            f'<x:workbook xmlns:x="{x}" xmlns:r="{REL}"><x:sheets>'
            '<x:sheet name="Mô hình" sheetId="1" r:id="rId1"/></x:sheets></x:workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            f'<Relationships xmlns="{PKG}"><Relationship Id="rId1" '
            f'Type="{REL}/worksheet" Target="/xl/worksheets/sheet1.xml"/></Relationships>'
        ),
        "xl/worksheets/sheet1.xml": (
            f'<x:worksheet xmlns:x="{x}"><x:sheetData><x:row r="1">'
            '<x:c r="A1" t="inlineStr"><x:is><x:t>Mã mô hình</x:t></x:is></x:c>'
            "</x:row></x:sheetData>"
            # an Excel 2010 dropdown fed from another tab: openpyxl would drop it
            '<x:extLst><x:ext uri="{CCE6A557-97BC-4b89-ADB6-D9C93CAAB3DF}" xmlns:x14='
            '"http://schemas.microsoft.com/office/spreadsheetml/2009/9/main"><x14:dataValidations'
            ' count="1" xmlns:xm="http://schemas.microsoft.com/office/excel/2006/main">'
            '<x14:dataValidation type="list"><x14:formula1><xm:f>Danh!$A$1:$A$4</xm:f>'
            "</x14:formula1><xm:sqref>D2:D100</xm:sqref></x14:dataValidation>"
            "</x14:dataValidations></x:ext></x:extLst></x:worksheet>"
        ),
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return path


def test_a_package_from_another_program_gets_its_tab(tmp_path: Path) -> None:
    path = minimal_package(tmp_path / "u1.xlsx")
    sheet = entries(path)["xl/worksheets/sheet1.xml"]
    write_tab(path, RESULTS, grid())
    write_tab(path, RESULTS, grid())
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["Mô hình", RESULTS]
    assert results_sheet(wb) == expected_values(grid())
    assert wb[RESULTS]["E5"].number_format == "DD/MM/YYYY"
    assert entries(path)["xl/worksheets/sheet1.xml"] == sheet
    assert b"<x14:dataValidation " in sheet
    assert entries(path)["xl/workbook.xml"].count(b"<x:sheet ") == 2  # its prefix is kept


def with_calc_chain(path: Path, tab: str) -> Path:
    """Add the calculation chain Excel keeps: one formula cell of `tab`, one of Chỉ tiêu."""
    parts = entries(path)
    book = ET.fromstring(parts["xl/workbook.xml"])
    ids = {s.get("name"): s.get("sheetId") for s in book.iter(f"{{{MAIN}}}sheet")}
    parts["xl/calcChain.xml"] = (
        f'<calcChain xmlns="{MAIN}"><c r="F2" i="{ids["Chỉ tiêu"]}"/><c r="F3"/>'
        f'<c r="B2" i="{ids[tab]}"/></calcChain>'
    ).encode()
    parts["xl/_rels/workbook.xml.rels"] = parts["xl/_rels/workbook.xml.rels"].replace(
        b"</Relationships>",
        f'<Relationship Id="rId99" Type="{REL}/calcChain" Target="calcChain.xml"/>'
        "</Relationships>".encode(),
    )
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
        b"</Types>",
        b'<Override PartName="/xl/calcChain.xml" ContentType="application/vnd.openxmlformats-'
        b'officedocument.spreadsheetml.calcChain+xml"/></Types>',
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return path


def test_a_calc_chain_naming_the_replaced_tab_is_dropped_for_excel_to_rebuild(
    tmp_path: Path,
) -> None:
    path = with_calc_chain(xlsxwriter_unit(tmp_path / "u1.xlsx", own_tab="KẾT QUẢ"), "KẾT QUẢ")
    write_tab(path, RESULTS, grid())
    parts = entries(path)
    assert "xl/calcChain.xml" not in parts
    assert b"calcChain" not in parts["xl/_rels/workbook.xml.rels"]
    assert b"calcChain" not in parts["[Content_Types].xml"]


def test_a_calc_chain_of_other_tabs_is_kept_as_it_was(tmp_path: Path) -> None:
    path = with_calc_chain(xlsxwriter_unit(tmp_path / "u1.xlsx", own_tab="KẾT QUẢ"), "Mô hình")
    chain = entries(path)["xl/calcChain.xml"]
    write_tab(path, RESULTS, grid())
    assert entries(path)["xl/calcChain.xml"] == chain
    assert b"calcChain" in entries(path)["xl/_rels/workbook.xml.rels"]


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_libreoffice_opens_the_written_workbook(tmp_path: Path) -> None:
    path = xlsxwriter_unit(tmp_path / "u1.xlsx", own_tab="KẾT QUẢ")
    write_tab(path, RESULTS, grid())
    out = tmp_path / "out"
    subprocess.run(
        ["soffice", "--headless", f"-env:UserInstallation={(tmp_path / 'lo').as_uri()}",
         "--convert-to", "xlsx", "--outdir", str(out), str(path)],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    wb = openpyxl.load_workbook(out / "u1.xlsx")
    assert wb.sheetnames == ["Mô hình", RESULTS, "Chỉ tiêu", "Ẩn"]
    assert results_sheet(wb) == expected_values(grid())
    assert wb[RESULTS].protection.sheet is True
    assert wb[RESULTS]["B5"].hyperlink.location == "'Mô hình'!D4"


def test_hostile_text_is_escaped_and_reads_back_as_written(tmp_path: Path) -> None:
    path = openpyxl_unit(tmp_path / "u1.xlsx")
    nasty = "a < b && c > d \"q\" 's' ]]> <x:c/> &amp;"
    lines = "dòng 1\ndòng 2\ttab"
    tab = 'Tab "A&B" <1>'
    g = Grid(
        [["Cập nhật lúc"], [nasty, lines, "</t></is></c><c><f>1+1</f></c>"]],
        links={(1, 0): f"'{tab}'!A1"},
    )
    write_tab(path, RESULTS, g)
    ws = openpyxl.load_workbook(path)[RESULTS]
    assert [ws["A2"].value, ws["B2"].value, ws["C2"].value] == g.rows[1]
    assert ws["A2"].hyperlink.location == f"'{tab}'!A1"
    assert ws["A2"].hyperlink.display == nasty
    assert [c.data_type for c in ws[2]] == ["s", "s", "s"]


def test_a_carriage_return_in_text_is_kept(tmp_path: Path) -> None:
    path = openpyxl_unit(tmp_path / "u1.xlsx")
    write_tab(path, RESULTS, Grid([["Cập nhật lúc"], ["a\r\nb"]]))
    import python_calamine as calamine

    rows = calamine.CalamineWorkbook.from_path(str(path)).get_sheet_by_name(RESULTS).to_python()
    assert rows[1] == ["a\r\nb"]


class Stream(io.RawIOBase):
    """A file that cannot seek: zipfile then writes data descriptors after each entry."""

    def __init__(self) -> None:
        self.data = bytearray()

    def writable(self) -> bool:
        return True

    def write(self, b: bytes) -> int:  # type: ignore[override]
        self.data += b
        return len(b)


def test_a_streamed_zip_with_stored_entries_is_copied_faithfully(tmp_path: Path) -> None:
    parts = entries(xlsxwriter_unit(tmp_path / "source.xlsx"))
    stream = Stream()
    when = (2024, 5, 6, 7, 8, 10)
    methods = {}
    with zipfile.ZipFile(stream, "w") as z:
        for n, (name, data) in enumerate(parts.items()):
            info = zipfile.ZipInfo(name, when)
            info.compress_type = methods[name] = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)[n % 2]
            with z.open(info, "w") as f:
                f.write(data)
    path = tmp_path / "u1.xlsx"
    path.write_bytes(bytes(stream.data))
    with zipfile.ZipFile(path) as z:
        assert any(i.flag_bits & 0x8 for i in z.infolist())  # the case under test
    write_tab(path, RESULTS, grid())
    with zipfile.ZipFile(path) as z:
        assert z.testzip() is None
        after = {i.filename: (i.date_time, i.compress_type) for i in z.infolist()}
    kept = [n for n in parts if n not in BOOKKEEPING]
    assert {n: after[n] for n in kept} == {n: (when, methods[n]) for n in kept}
    assert [n for n in entries(path) if n in parts] == list(parts)
    assert openpyxl.load_workbook(path).sheetnames[-1] == RESULTS


@pytest.mark.skipif(os.geteuid() != 0, reason="only root may give a file to another owner")
def test_the_files_owner_and_group_are_kept(tmp_path: Path) -> None:
    path = openpyxl_unit(tmp_path / "u1.xlsx")
    os.chown(path, 1234, 5678)
    write_tab(path, RESULTS, grid())
    assert (path.stat().st_uid, path.stat().st_gid) == (1234, 5678)


def test_through_a_symlink_the_linked_file_gets_the_tab(tmp_path: Path) -> None:
    real = openpyxl_unit(tmp_path / "shared.xlsx")
    (tmp_path / "units").mkdir()
    link = tmp_path / "units" / "u1.xlsx"
    link.symlink_to(real)
    write_tab(link, RESULTS, grid())
    assert link.is_symlink()
    assert openpyxl.load_workbook(real).sheetnames[-1] == RESULTS


def test_a_file_saved_while_the_tab_is_built_is_not_overwritten(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import worker.adapters.xlsx.write as module

    path = openpyxl_unit(tmp_path / "u1.xlsx")
    build = module.replaced

    def meanwhile_the_unit_saves(data: bytes, name: str, g: Grid) -> bytes:
        new = build(data, name, g)
        path.write_bytes(data)  # saved again by a program that leaves no lock file
        os.utime(path, ns=(1, 1))
        return new

    monkeypatch.setattr(module, "replaced", meanwhile_the_unit_saves)
    with pytest.raises(SheetError) as err:
        write_tab(path, RESULTS, grid())
    assert str(err.value) == (
        "tệp u1.xlsx vừa được lưu trong lúc ghi tab Kết quả nên không ghi đè: "
        "lần chạy sau sẽ ghi Kết quả"
    )
    assert RESULTS not in openpyxl.load_workbook(path).sheetnames
    assert sorted(p.name for p in tmp_path.iterdir()) == ["u1.xlsx"]


def test_a_macro_workbook_keeps_its_vba_project(tmp_path: Path) -> None:
    vba = tmp_path / "vbaProject.bin"
    vba.write_bytes(bytes(range(256)) * 8)  # stands in for a real project: copied, not read
    path = tmp_path / "u1.xlsm"
    wb = xlsxwriter.Workbook(str(path))
    wb.add_worksheet("Mô hình").write("A1", "Mã mô hình")
    wb.add_vba_project(str(vba))
    wb.close()
    before = entries(path)
    write_tab(path, RESULTS, grid())
    after = entries(path)
    assert after["xl/vbaProject.bin"] == before["xl/vbaProject.bin"] == vba.read_bytes()
    assert b"macroEnabled" in after["[Content_Types].xml"]
    assert openpyxl.load_workbook(path, keep_vba=True).sheetnames == ["Mô hình", RESULTS]


def test_the_benchmark_in_the_readme_runs() -> None:
    root = Path(__file__).resolve().parent.parent
    assert "bench/xlsx_write.py" in (root / "README.md").read_text("utf-8")
    done = subprocess.run(
        [sys.executable, str(root / "bench" / "xlsx_write.py"), "--models", "3", "--repeat", "1"],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    assert "openpyxl load_workbook + save / write_tab (inside the package):" in done.stdout


def test_an_old_xls_file_is_named_as_such(tmp_path: Path) -> None:
    path = tmp_path / "u1.xlsx"
    path.write_bytes(bytes.fromhex("d0cf11e0a1b11ae1") + bytes(504))  # a compound file header
    with pytest.raises(SheetError) as err:
        write_tab(path, RESULTS, grid())
    assert str(err.value) == (
        "tệp u1.xlsx là tệp Excel cũ (.xls), không phải .xlsx: mở bằng Excel hoặc LibreOffice "
        "rồi lưu lại dạng .xlsx (Sổ làm việc Excel)"
    )


def test_a_password_protected_file_is_named_as_such(tmp_path: Path) -> None:
    path = tmp_path / "u1.xlsx"
    shutil.copy(Path(__file__).parent / "fixtures" / "encrypted-unit.xlsx", path)
    with pytest.raises(SheetError) as err:
        write_tab(path, RESULTS, grid())
    assert str(err.value) == (
        "tệp u1.xlsx được đặt mật khẩu: bỏ mật khẩu (Tệp > Thông tin > Bảo vệ sổ làm việc) "
        "rồi lưu lại"
    )


def test_the_local_backends_reader_reads_the_tab_back(tmp_path: Path) -> None:
    path = xlsxwriter_unit(tmp_path / "u1.xlsx")
    write_tab(path, RESULTS, grid())
    rows = read_tabs(path)[RESULTS]
    assert [[v for v in row if v is not None] for row in rows] == [
        [v for v in row if v is not None] for row in expected_values(grid())
    ]
