"""Issue 16's classes of workbooks, one fixture each (tests/fixtures/README.md): what Excel,
LibreOffice or openpyxl opens is read and written, never called damaged; dates keep their date
system; cells are read as the unit meant."""

from __future__ import annotations

import shutil
import subprocess
import time
import zipfile
from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import xlsxwriter
from lxml import etree
from python_calamine import CalamineWorkbook

from tests import hostile, openpyxl_baseline
from tests.conftest import TODAY
from worker.adapters.xlsx.read import read_tabs
from worker.adapters.xlsx.write import write_tab
from worker.core import cells
from worker.core.errors import SheetError
from worker.core.evaluate import Unit, UnitResult, evaluate_unit
from worker.core.results import Grid

FIXTURES = Path(__file__).parent / "fixtures"
RESULTS = "Kết quả"
UNIT = Unit("U1", "Công an xã Thử", "Xã", "", ("a@example.gov.vn",), "u1.xlsx", True)
STRICT = "http://purl.oclc.org/ooxml/spreadsheetml/main"
STRICT_REL = "http://purl.oclc.org/ooxml/officeDocument/relationships"
DAY = date(2026, 11, 16)
GRID = Grid([["Cập nhật lúc", "16/11/2026 06:30"], ["Ngày tổng hợp", DAY], ["Tỷ lệ", 0.5]])


def evaluate(tabs: dict[str, Any]) -> UnitResult:
    return evaluate_unit(UNIT, tabs, 2026, TODAY, date(2026, 10, 31), set(), "mean_ratio")


def plain(tabs: dict[str, list[list[Any]]]) -> dict[str, list[list[Any]]]:
    """Both readers' values alike: the reader's marks as openpyxl gives them (a percentage its
    number, an uncomputed formula empty), whole floats as ints, no trailing blanks."""
    out = {}
    for name, rows in tabs.items():
        kept = []
        for row in rows:
            values = [
                None
                if isinstance(v, cells.Uncomputed)
                else v.value
                if isinstance(v, cells.Percent)
                else int(v)
                if isinstance(v, float) and v.is_integer()
                else v
                for v in row
            ]
            while values and values[-1] is None:
                values.pop()
            kept.append(values)
        while kept and not kept[-1]:
            kept.pop()
        out[name] = kept
    return out


def written(tmp_path: Path, name: str) -> Path:
    """A copy of the fixture with its Kết quả written; checked as a reader would see it."""
    path = tmp_path / name
    shutil.copy(FIXTURES / name, path)
    before = read_tabs(path)
    by_openpyxl = _openpyxl_reads(path)
    write_tab(path, RESULTS, GRID)
    after = read_tabs(path)
    assert after[RESULTS] == [
        ["Cập nhật lúc", "16/11/2026 06:30"],
        ["Ngày tổng hợp", datetime(2026, 11, 16)],
        ["Tỷ lệ", 0.5],
    ]
    assert {k: v for k, v in after.items() if k != RESULTS} == before
    if by_openpyxl:  # what openpyxl read before, it reads after, and the tab
        assert openpyxl_baseline.read_tabs(path)[RESULTS][0] == ["Cập nhật lúc", "16/11/2026 06:30"]
    return path


def _openpyxl_reads(path: Path) -> bool:
    """Whether openpyxl reads values in the workbook (none in a Strict one, or Excel 2007
    beta's: other namespaces)."""
    try:
        return any(any(rows) for rows in openpyxl_baseline.read_tabs(path).values())
    except Exception:  # openpyxl fails on these files in ways of its own (TypeError...)
        return False


def libreoffice_reads(path: Path, tmp_path: Path) -> list[str]:
    """The written file's Kết quả, as LibreOffice Calc reads it (converted to CSV)."""
    out = tmp_path / "lo"
    subprocess.run(
        ["soffice", "--headless", f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}",
         "--convert-to", "xlsx", "--outdir", str(out), str(path)],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    wb = openpyxl.load_workbook(out / path.with_suffix(".xlsx").name, data_only=True)
    return [str(v) for row in wb[RESULTS].iter_rows(values_only=True) for v in row]


# --- what other programs write, and Excel, LibreOffice or openpyxl opens ---------------------

PUBLIC = [
    "strict-excel.xlsx",
    "parts-at-root.xlsx",
    "utf16-parts.xlsx",
    "excel4-macro-sheet.xlsm",
    "duplicate-entries.xlsx",
    "backslash-entries.xlsx",
]


@pytest.mark.parametrize(
    "name", [n for n in PUBLIC if n not in ("strict-excel.xlsx", "backslash-entries.xlsx")]
)
def test_a_workbook_openpyxl_opens_is_read_as_openpyxl_reads_it(name: str) -> None:
    assert plain(read_tabs(FIXTURES / name)) == plain(openpyxl_baseline.read_tabs(FIXTURES / name))


def test_a_strict_workbook_is_read_with_its_values() -> None:
    """openpyxl finds no sheet in a Strict workbook (its namespaces differ): the values are those
    LibreOffice reads (soffice --convert-to csv) in Apache POI's SampleSS.strict.xlsx."""
    assert read_tabs(FIXTURES / "strict-excel.xlsx") == {
        "First Sheet": [
            ["Test spreadsheet"],
            ["2nd row", "2nd row 2nd column"],
            [],
            ["This one is red"],
        ],
        "Sheet Number 2": [
            ["Start of 2nd sheet"],
            ["Sheet 2 row 2"],
            [],
            ["I'm in bold blue, on a yellow background"],
            [],
            ["cb=1", "cb=10", "cb=2", "cb=sum"],
            [1.0, 10.0, 2.0, 13.0],
        ],
        "Sheet3": [],
    }


@pytest.mark.parametrize("name", PUBLIC)
def test_a_workbook_openpyxl_opens_gets_its_results_tab(tmp_path: Path, name: str) -> None:
    written(tmp_path, name)


def test_a_workbook_whose_entries_are_named_with_backslashes_is_read() -> None:
    """PhpSpreadsheet's test file (written by a Windows tool); openpyxl and LibreOffice find
    none of its parts, Excel and PhpSpreadsheet read it."""
    [(name, rows)] = read_tabs(FIXTURES / "backslash-entries.xlsx").items()
    assert name == "Sheet" and len(rows) == 3
    assert rows[0][:3] == ["Key ID", "Key", "English"]
    assert rows[1][:3] == ["184323", "mail_SPDR35Removal_title_032023", "Dev Update"]


def test_a_strict_workbook_gets_a_strict_results_tab_excel_and_libreoffice_read(
    tmp_path: Path,
) -> None:
    path = written(tmp_path, "strict-excel.xlsx")
    with zipfile.ZipFile(path) as z:
        book = etree.fromstring(z.read("xl/workbook.xml"))
        rels = etree.fromstring(z.read("xl/_rels/workbook.xml.rels"))
        sheet = book.find(f"{{{STRICT}}}sheets/{{{STRICT}}}sheet[@name='{RESULTS}']")
        assert sheet is not None
        rid = sheet.get(f"{{{STRICT_REL}}}id")
        rel = next(r for r in rels if r.get("Id") == rid)
        assert rel.get("Type") == f"{STRICT_REL}/worksheet"
        part = etree.fromstring(z.read("xl/" + rel.get("Target", "")))
        assert etree.QName(part).namespace == STRICT
        styles = z.read("xl/styles.xml")
        assert b"schemas.openxmlformats.org/spreadsheetml" not in styles
    with CalamineWorkbook.from_path(str(path)) as wb:
        assert wb.get_sheet_by_name(RESULTS).to_python()[0] == ["Cập nhật lúc", "16/11/2026 06:30"]
    assert "Ngày tổng hợp" in libreoffice_reads(path, tmp_path)


def test_a_macro_workbook_keeps_its_excel4_sheet_which_is_not_a_tab(tmp_path: Path) -> None:
    path = written(tmp_path, "excel4-macro-sheet.xlsm")
    with zipfile.ZipFile(FIXTURES / "excel4-macro-sheet.xlsm") as a, zipfile.ZipFile(path) as b:
        macro = [n for n in a.namelist() if "macrosheet" in n.casefold()]
        assert macro and all(a.read(n) == b.read(n) for n in macro)


def test_an_unrelated_sheet_broken_after_its_data_does_not_stop_the_write(
    tmp_path: Path,
) -> None:
    """Finding Kết quả looks at the first rows of each sheet, never parses the rest."""
    path = written(tmp_path, "broken-other-sheet-unit.xlsx")
    result = evaluate(read_tabs(path))
    assert [(m.model.model_id, m.level) for m in result.models] == [
        ("MH-001", "Tốt"),
        ("MH-002", "Khá"),
        ("MH-003", "Trung bình"),
    ]


def test_twenty_thousand_formulas_are_read_in_a_few_seconds(tmp_path: Path) -> None:
    """The reader was quadratic in formulas: 20k took 70 s, and one such unit stalled a run."""
    path = tmp_path / "u1.xlsx"
    wb = xlsxwriter.Workbook(path)
    ws = wb.add_worksheet("Chỉ tiêu")
    for r in range(20_000):
        ws.write_number(r, 0, r)
        ws.write_formula(r, 1, f"=A{r + 1}*2", None, 2 * r)
    wb.close()
    started = time.process_time()
    rows = read_tabs(path)["Chỉ tiêu"]
    assert time.process_time() - started < 5
    assert rows[-1] == [19_999, 39_998]


# What calamine refuses and LibreOffice opens (LibreOffice's reading of each, by soffice
# --convert-to csv, in the comments).
REPAIRED = [
    "merged-whole-column.xlsx",  # mergeCell ref="A:A": calamine and openpyxl refuse
    "sheet-state-show.xlsx",  # <sheet state="show">: calamine and openpyxl refuse
    "excel2007-beta.xlsx",  # the workbook in Excel 2007 beta's namespace
    "broken-package-rels.xlsx",  # _rels/.rels not XML: the workbook found at xl/workbook.xml
    "bad-checksum.xlsx",  # a sheet whose CRC-32 is wrong: its data read all the same
    "no-workbook-rels.xlsx",  # no xl/_rels/workbook.xml.rels: three empty tabs
]


@pytest.mark.parametrize("name", REPAIRED)
def test_a_workbook_libreoffice_opens_is_read_and_gets_its_results_tab(
    tmp_path: Path, name: str
) -> None:
    written(tmp_path, name)


def test_what_libreoffice_reads_is_what_is_read() -> None:
    assert read_tabs(FIXTURES / "sheet-state-show.xlsx")["Sheet1"][0] == ["asdf"] * 29
    assert read_tabs(FIXTURES / "no-workbook-rels.xlsx") == {
        "Tabelle1": [],
        "Tabelle2": [],
        "Tabelle3": [],
    }
    assert list(read_tabs(FIXTURES / "merged-whole-column.xlsx")) == ["Columns", "Rows"]


def test_a_part_declaring_a_dtd_is_refused_with_its_own_message() -> None:
    """OPC forbids DTDs (ECMA-376 part 2, M1.18): they carry the "billion laughs"."""
    with pytest.raises(SheetError) as caught:
        read_tabs(FIXTURES / "xml-entity-bomb.xlsx")
    assert str(caught.value) == (
        "tệp xml-entity-bomb.xlsx có phần xl/sharedStrings.xml khai báo DTD, điều tệp .xlsx "
        "không được có (Excel không mở, và có thể phình ra vô hạn khi đọc): mở bằng "
        "LibreOffice, lưu lại dạng .xlsx, hoặc chép lại bản còn tốt"
    )


def test_a_zip_whose_entries_are_encrypted_is_password_protected(tmp_path: Path) -> None:
    """A zip password (not Excel's): its entries' flag bit 0 set in the central directory."""
    data = bytearray((FIXTURES / "xlsxwriter-unit.xlsx").read_bytes())
    at = data.find(b"PK\x01\x02")
    data[at + 8] |= 1
    path = tmp_path / "u1.xlsx"
    path.write_bytes(bytes(data))
    with pytest.raises(SheetError) as caught:
        read_tabs(path)
    assert str(caught.value).startswith("tệp u1.xlsx được đặt mật khẩu")


def test_an_open_document_spreadsheet_named_xlsx_is_named_as_such(tmp_path: Path) -> None:
    path = tmp_path / "u1.xlsx"
    shutil.copy(FIXTURES / "ods-named-xlsx.xlsx", path)
    for action in (lambda: read_tabs(path), lambda: write_tab(path, RESULTS, GRID)):
        with pytest.raises(SheetError) as caught:
            action()
        assert str(caught.value) == (
            "tệp u1.xlsx là bảng tính OpenDocument (.ods), không phải .xlsx: mở bằng "
            "LibreOffice rồi lưu lại dạng Excel 2007-365 (.xlsx)"
        )


# --- dates in a 1904 workbook ------------------------------------------------------------------


def test_a_1904_workbook_reads_its_dates_and_gets_them_written_in_its_own_system(
    tmp_path: Path,
) -> None:
    tabs = read_tabs(FIXTURES / "date1904-unit.xlsx")
    assert [row[6] for row in tabs["Mô hình"][1:]] == [
        datetime(2023, 3, 1),
        datetime(2024, 6, 15),
        datetime(2024, 1, 10),
    ]
    path = written(tmp_path, "date1904-unit.xlsx")  # 16/11/2026 reads back as 16/11/2026
    wb = openpyxl.load_workbook(path)
    assert wb.epoch.year == 1904
    assert wb[RESULTS]["B2"].value == datetime(2026, 11, 16)


# --- cells read as the unit meant ---------------------------------------------------------------


def test_dossier_columns_in_the_guides_own_words_are_read() -> None:
    result = evaluate(read_tabs(FIXTURES / "guide-headers-unit.xlsx"))
    assert result.errors == []
    assert [m.level for m in result.models] == ["Tốt", "Khá", "Trung bình"]


def test_counts_typed_as_percentages_exponents_or_with_underscores_are_refused() -> None:
    result = evaluate(read_tabs(FIXTURES / "typed-counts-unit.xlsx"))
    assert [(e.cell, e.code, e.value) for e in result.errors] == [
        ("E2", "percent_count", "48%"),
        ("F3", "percent_count", "90%"),
        ("F4", "bad_number", "1e3"),
        ("F5", "bad_number", "1_000"),
    ]
    assert [m.level for m in result.models] == ["Chưa xếp loại"] * 3


def test_an_end_before_the_founding_is_named_on_its_cell() -> None:
    result = evaluate(read_tabs(FIXTURES / "ended-before-founding-unit.xlsx"))
    assert [str(e) for e in result.errors] == [
        "tab Mô hình, ô K4: “01/05/2023” ngày kết thúc trước ngày quyết định thành lập "
        "(10/01/2024, ô G4) — sửa Ngày kết thúc hoặc Ngày quyết định thành lập cho đúng"
    ]


def test_a_name_longer_than_a_cell_holds_is_an_error_naming_the_cell() -> None:
    result = evaluate(read_tabs(FIXTURES / "long-name-unit.xlsx"))
    assert [(e.cell, e.code) for e in result.errors] == [("B3", "too_long")]
    assert "ô dài 100.004 ký tự, vượt giới hạn 32.767 ký tự của một ô" in str(result.errors[0])


# --- each trouble its own message ---------------------------------------------------------------


def test_a_missing_file_is_not_found_whatever_the_case_of_its_name(tmp_path: Path) -> None:
    for name in ("HPN.XLSX", "hpn.xlsx"):
        with pytest.raises(SheetError) as caught:
            read_tabs(tmp_path / "units" / name)
        assert str(caught.value) == (
            f"không tìm thấy tệp {name}: kiểm tra cột Bảng tính trong danh mục đơn vị"
        )


def test_a_workbook_named_in_capitals_is_read(tmp_path: Path) -> None:
    path = tmp_path / "HPN.XLSX"
    shutil.copy(FIXTURES / "xlsxwriter-unit.xlsx", path)
    assert "Mô hình" in read_tabs(path)


def test_a_cell_at_row_zero_is_no_place_and_the_rest_is_read(tmp_path: Path) -> None:
    """Row 0 (Apache POI's fuzzed poc-shared-strings.xlsx has one): calamine refuses the
    workbook; the lenient reader leaves that row out."""
    zero = b'<row r="0"><c r="A0" t="inlineStr"><is><t>?</t></is></c></row>'
    sheet = hostile.sheet_xml([zero, *hostile.rows_xml([["Mã mô hình"], ["MH-001"]])])
    path = hostile.package(tmp_path / "u1.xlsx", [("Mô hình", sheet)])
    assert read_tabs(path) == {"Mô hình": [["Mã mô hình"], ["MH-001"]]}
