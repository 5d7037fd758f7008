"""Reading unit workbooks with calamine (worker/xlsx_read.py): the same values as openpyxl, formulas
never computed and percentages in count columns reported, damaged and locked files named.

The fixtures in tests/fixtures/ were made by real office software; their README says how.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from tests.conftest import TODAY, as_tabs, good_unit
from worker import cells, xlsx
from worker.cli import main
from worker.evaluate import Unit, UnitResult, evaluate_unit
from worker.xlsx_read import read_tabs

FIXTURES = Path(__file__).parent / "fixtures"
UNIT = Unit("U1", "Công an xã Thử", "Xã", "", ("a@example.gov.vn",), "u1.xlsx", True)
REFERENCE = date(2026, 10, 31)
READABLE = ["xlsxwriter-unit.xlsx", "libreoffice-unit.xlsx", "uncomputed-unit.xlsx"]
READABLE += ["percent-unit.xlsx"]


def evaluate(tabs: dict[str, Any]) -> UnitResult:
    return evaluate_unit(UNIT, tabs, 2026, TODAY, REFERENCE, set(), "mean_ratio")


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
        "Chỉ tiêu!F2: '=SUM(G2:H2)' ô có công thức chưa được tính — "
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
        "Chỉ tiêu!E2: '95%' ô đang ở dạng phần trăm (95%) nhưng cột này ghi số lượng — "
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
        assert read_tabs(path) == trimmed(xlsx.read_tabs(path)), path.name
