"""Reading unit workbooks with calamine (worker/adapters/xlsx/read.py): the same values as
openpyxl, formulas never computed and percentages in count columns reported, damaged and locked
files named.

The fixtures in tests/fixtures/ were made by real office software; their README says how.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from tests import openpyxl_baseline
from tests.conftest import TODAY, as_tabs, good_unit
from worker.adapters.xlsx.read import read_tabs
from worker.app.cli import main
from worker.core import cells
from worker.core.errors import SheetError
from worker.core.evaluate import Unit, UnitResult, evaluate_unit

FIXTURES = Path(__file__).parent / "fixtures"
UNIT = Unit("U1", "Công an xã Thử", "Xã", "", ("a@example.gov.vn",), "u1.xlsx", True)
REFERENCE = date(2026, 10, 31)
OFFICE = ["xlsxwriter-unit.xlsx", "libreoffice-unit.xlsx"]
READABLE = [*OFFICE, "uncomputed-unit.xlsx", "percent-unit.xlsx"]


def evaluate(tabs: dict[str, Any]) -> UnitResult:
    return evaluate_unit(UNIT, tabs, 2026, TODAY, REFERENCE, set(), "mean_ratio")


def as_openpyxl_reads(tabs: dict[str, list[list[Any]]]) -> dict[str, list[list[Any]]]:
    """What openpyxl would have made of the markers: an uncomputed formula is empty, a percentage
    its bare number."""
    plain = {}
    for name, rows in tabs.items():
        plain[name] = [
            [
                None
                if isinstance(v, cells.Uncomputed)
                else v.value
                if isinstance(v, cells.Percent)
                else v
                for v in row
            ]
            for row in rows
        ]
    return trimmed(plain)


def trimmed(tabs: dict[str, list[list[Any]]]) -> dict[str, list[list[Any]]]:
    """Rows without trailing empty cells and trailing empty rows: neither reader is bound to the
    other's idea of where a sheet ends (openpyxl counts formatted empty cells, calamine values)."""
    result = {}
    for name, rows in tabs.items():
        kept = [list(row) for row in rows]
        for row in kept:
            while row and row[-1] is None:
                row.pop()
        while kept and not kept[-1]:
            kept.pop()
        result[name] = kept
    return result


# The markers, through the validator (no file involved).


def test_a_formula_never_computed_is_reported_where_it_stands() -> None:
    tabs = as_tabs(good_unit())
    tabs["Chỉ tiêu"][1][5] = cells.Uncomputed("SUM(G2:H2)")
    result = evaluate(tabs)
    assert [str(e) for e in result.errors] == [
        "tab Chỉ tiêu, ô F2: “=SUM(G2:H2)” ô có công thức chưa được tính — "
        "mở tệp bằng Excel hoặc LibreOffice rồi lưu lại"
    ]
    assert result.models[0].level == "Chưa xếp loại"


def test_a_formula_never_computed_in_a_text_column_is_reported_too() -> None:
    tabs = as_tabs(good_unit())
    tabs["Mô hình"][1][1] = cells.Uncomputed('"Tổ "&A2')
    assert [(e.cell, e.code) for e in evaluate(tabs).errors] == [("B2", "uncomputed_formula")]


def test_a_percentage_in_a_count_column_names_the_number_meant() -> None:
    tabs = as_tabs(good_unit())
    tabs["Chỉ tiêu"][1][4] = cells.Percent(0.95)
    assert [str(e) for e in evaluate(tabs).errors] == [
        "tab Chỉ tiêu, ô E2: “95%” ô đang ở dạng phần trăm (95%) nhưng cột này ghi số lượng — "
        "đổi định dạng ô sang Số rồi nhập số lượng, ví dụ 95"
    ]


def test_a_fractional_percentage_is_shown_with_a_decimal_comma() -> None:
    assert str(cells.Percent(0.125)) == "12,5%"


def test_a_percentage_elsewhere_is_read_as_its_number() -> None:
    tabs = as_tabs(good_unit())
    tabs["Chỉ tiêu"][1][1] = cells.Percent(2026.0)  # a year formatted as % by mistake
    tabs["Hồ sơ"][1][1] = cells.Percent(1.0)  # a yes/no typed as 1 into a % cell
    result = evaluate(tabs)
    assert result.errors == []
    assert result.models[0].level == "Tốt"


# The same values as openpyxl.


@pytest.fixture(scope="module")
def demo_units(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """The demo province after a sync: every unit with its Kết quả tab, and the registry."""
    root = tmp_path_factory.mktemp("demo") / "ws"
    for args in (["init", root, "--demo"], ["sync", "--workspace", root]):
        result = CliRunner().invoke(main, [*map(str, args), "--today", TODAY.isoformat()])
        assert result.exit_code in (0, 1), result.output  # 1: the demo's unreadable unit
    return [*sorted((root / "units").glob("*.xlsx")), root / "registry.xlsx"]


def test_the_demo_reads_as_openpyxl_reads_it(demo_units: list[Path]) -> None:
    assert len(demo_units) >= 10
    for path in demo_units:
        assert "Kết quả" in read_tabs(path) or path.name == "registry.xlsx"
        # Kết quả's percentages are numbers formatted as such: the reader marks them, openpyxl
        # gives the bare number
        ours = {
            name: [[v.value if isinstance(v, cells.Percent) else v for v in row] for row in rows]
            for name, rows in read_tabs(path).items()
        }
        assert ours == trimmed(openpyxl_baseline.read_tabs(path)), path.name


# The fixtures made by real office software (tests/fixtures/README.md).


@pytest.mark.filterwarnings("ignore:Data Validation extension:UserWarning")  # the x14 dropdown
@pytest.mark.parametrize("name", READABLE)
def test_every_fixture_reads_as_openpyxl_reads_it_but_for_the_markers(name: str) -> None:
    path = FIXTURES / name
    assert path.stat().st_size < 100_000
    assert as_openpyxl_reads(read_tabs(path)) == trimmed(openpyxl_baseline.read_tabs(path))


@pytest.mark.parametrize("name", OFFICE)
def test_office_files_rate_as_their_data_says(name: str) -> None:
    tabs = read_tabs(FIXTURES / name)
    result = evaluate(tabs)
    assert result.errors == []
    assert [(m.model.model_id, m.level) for m in result.models] == [
        ("MH-001", "Tốt"),
        ("MH-002", "Khá"),
        ("MH-003", "Trung bình"),
    ]
    assert "Danh mục" in tabs  # the hidden sheet of lists is read like any other


@pytest.mark.parametrize("name", OFFICE)
def test_formulas_are_read_as_their_cached_results(name: str) -> None:
    tabs = read_tabs(FIXTURES / name)
    achieved = [row[5] for row in tabs["Chỉ tiêu"][1:]]
    assert achieved == [26, 6, 10, 6]  # =SUM(G:H) of each row
    assert tabs["Mô hình"][1][13] == "#N/A"  # an error result is its text, as openpyxl reads it


def test_a_chart_sheet_is_not_a_tab() -> None:
    assert "Biểu đồ" not in read_tabs(FIXTURES / "xlsxwriter-unit.xlsx")


@pytest.mark.filterwarnings("ignore:Data Validation extension:UserWarning")
def test_a_formula_error_in_a_column_read_is_reported_as_with_openpyxl() -> None:
    tabs = read_tabs(FIXTURES / "libreoffice-unit.xlsx")
    tabs["Mô hình"][1][11] = tabs["Mô hình"][1][13]  # the #N/A into Ghi chú
    assert [(e.cell, e.code, e.value) for e in evaluate(tabs).errors] == [
        ("L2", "formula_error", "#N/A")
    ]


def test_formulas_written_by_a_program_and_never_computed_are_named() -> None:
    path = FIXTURES / "uncomputed-unit.xlsx"
    assert [str(e) for e in evaluate(read_tabs(path)).errors] == [
        f"tab Chỉ tiêu, ô F{r}: “=SUM(G{r}:H{r})” ô có công thức chưa được tính — "
        "mở tệp bằng Excel hoặc LibreOffice rồi lưu lại"
        for r in range(2, 6)
    ]
    # What the openpyxl reader told the unit: that filled cells were empty.
    assert {e.message for e in evaluate(openpyxl_baseline.read_tabs(path)).errors} == {
        "ô bắt buộc đang trống"
    }


def test_an_empty_formula_result_xlsxwriter_claims_cannot_be_told_from_none() -> None:
    """XlsxWriter writes a formula whose result is "" as <v></v> with no type, as openpyxl writes
    a formula never computed: both are read as uncomputed (only in a column nobody reads here)."""
    rows = read_tabs(FIXTURES / "xlsxwriter-unit.xlsx")["Mô hình"]
    assert [row[12] for row in rows[1:]] == [
        cells.Uncomputed(f'IF(K{r}="","",K{r})') for r in range(2, 5)
    ]
    libreoffice = read_tabs(FIXTURES / "libreoffice-unit.xlsx")["Mô hình"]
    assert [row[12] if len(row) > 12 else None for row in libreoffice[1:]] == [None] * 3


def test_percentages_typed_into_count_columns_are_named() -> None:
    result = evaluate(read_tabs(FIXTURES / "percent-unit.xlsx"))
    assert [str(e) for e in result.errors] == [
        "tab Chỉ tiêu, ô E2: “95%” ô đang ở dạng phần trăm (95%) nhưng cột này ghi số lượng — "
        "đổi định dạng ô sang Số rồi nhập số lượng, ví dụ 95",
        "tab Chỉ tiêu, ô F3: “100%” ô đang ở dạng phần trăm (100%) nhưng cột này ghi số lượng — "
        "đổi định dạng ô sang Số rồi nhập số lượng, ví dụ 100",
    ]


# Files that cannot be read.


def test_a_truncated_sheet_is_a_sheet_error_not_a_traceback() -> None:
    with pytest.raises(SheetError) as caught:
        read_tabs(FIXTURES / "truncated-unit.xlsx")
    assert str(caught.value).startswith("tệp truncated-unit.xlsx bị hỏng hoặc không phải tệp .xlsx")
    assert str(caught.value).endswith(
        ": mở bằng Excel hoặc LibreOffice, lưu lại dạng .xlsx, hoặc chép lại bản còn tốt"
    )


def test_a_file_cut_short_is_a_sheet_error(tmp_path: Path) -> None:
    data = (FIXTURES / "libreoffice-unit.xlsx").read_bytes()
    cut = tmp_path / "cut.xlsx"
    cut.write_bytes(data[: len(data) * 2 // 3])
    with pytest.raises(SheetError, match=r"^tệp cut.xlsx bị hỏng hoặc không phải tệp .xlsx"):
        read_tabs(cut)


def test_a_password_protected_workbook_is_named_as_such() -> None:
    with pytest.raises(SheetError) as caught:
        read_tabs(FIXTURES / "encrypted-unit.xlsx")
    assert str(caught.value) == (
        "tệp encrypted-unit.xlsx được đặt mật khẩu: bỏ mật khẩu "
        "(Tệp > Thông tin > Bảo vệ sổ làm việc) rồi lưu lại"
    )


def test_an_old_xls_file_named_xlsx_is_named_as_such(tmp_path: Path) -> None:
    old = tmp_path / "cu.xlsx"
    old.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(1024))
    with pytest.raises(SheetError) as caught:
        read_tabs(old)
    assert str(caught.value) == (
        "tệp cu.xlsx là tệp Excel cũ (.xls), không phải .xlsx: mở bằng Excel hoặc "
        "LibreOffice rồi lưu lại dạng .xlsx (Sổ làm việc Excel)"
    )


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(
        SheetError, match=r"^không tìm thấy tệp khong-co.xlsx: kiểm tra cột Bảng tính trong danh"
    ):
        read_tabs(tmp_path / "khong-co.xlsx")


def test_a_text_file_is_not_a_workbook(tmp_path: Path) -> None:
    text = tmp_path / "ghi-chu.xlsx"
    text.write_text("không phải bảng tính", "utf-8")
    with pytest.raises(SheetError, match=r"^tệp ghi-chu.xlsx bị hỏng hoặc không phải tệp .xlsx"):
        read_tabs(text)
