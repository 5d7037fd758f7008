"""Reading one tab (worker/core/tabs.py): its header row, each cell typed, each problem placed."""

from __future__ import annotations

from datetime import date, datetime
from fractions import Fraction

import pytest

from tests.conftest import TODAY
from worker.core.cells import CellProblem, Percent
from worker.core.layout import Column, Tab, load
from worker.core.tabs import (
    CellError,
    ParseCache,
    Row,
    _is_blank_row,
    _read_cell,
    column_letter,
    find_tab,
    header_row,
    read_tab,
    show,
)

# A small tab of every kind of column: an ID, a required text, an optional text that may be
# absent, a positive number, a count, a checkbox, a date that cannot be in the future.
TAB = Tab(
    "things",
    "Việc",
    (
        Column("thing_id", "Mã việc", "id", "", required=True),
        Column("note", "Ghi chú", "text", "", optional=True),
        Column("name", "Tên việc", "text", "", required=True),
        Column("planned", "Kế hoạch", "number", "", positive=True),
        Column("done", "Thực hiện", "number", ""),
        Column("checked", "Đã kiểm tra", "yesno", ""),
        Column("on", "Ngày", "date", "", past=True),
        Column("owner", "Người làm", "text", ""),
    ),
)
HEADER = [c.header for c in TAB.columns]
ROW = ["V1", "", "Tuần tra", 10, 8, "Có", date(2026, 5, 1), "An"]


def read(rows: list[list[object]] | None, tab: Tab = TAB) -> tuple[list[Row], list[CellError]]:
    errors: list[CellError] = []
    return read_tab(tab, rows, TODAY, errors), errors


@pytest.mark.parametrize(
    ("number", "letters"),
    [
        (1, "A"),
        (2, "B"),
        (26, "Z"),
        (27, "AA"),
        (28, "AB"),
        (52, "AZ"),
        (53, "BA"),
        (702, "ZZ"),
        (703, "AAA"),
        (16384, "XFD"),
    ],
)
def test_a_column_is_lettered_from_its_number_as_spreadsheets_do(number: int, letters: str) -> None:
    assert column_letter(number) == letters


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (None, ""),
        (datetime(2025, 7, 5, 8, 30), "05/07/2025"),
        (date(2025, 7, 5), "05/07/2025"),
        (7.0, "7"),
        (7.5, "7.5"),
        (" Có ", "Có"),
        ("x" * 60, "x" * 60),
        ("x" * 61, "x" * 57 + "…"),
    ],
    ids=["none", "datetime", "date", "whole_float", "float", "text", "sixty", "sixty_one"],
)
def test_a_value_is_shown_as_the_unit_would_recognise_it(value: object, shown: str) -> None:
    assert show(value) == shown


def test_an_error_names_the_tab_and_cell_as_staff_say_them() -> None:
    error = CellError("Mô hình", "G7", "bad_date", "31/02/2026", "không phải ngày hợp lệ", "sửa")
    assert str(error) == "tab Mô hình, ô G7: “31/02/2026” không phải ngày hợp lệ — sửa"
    assert error.what() == "“31/02/2026” không phải ngày hợp lệ — sửa"
    assert (error.column, error.entity) == ("", "")


def test_an_error_of_a_whole_tab_names_only_the_tab() -> None:
    error = CellError("Danh mục đơn vị", "", "missing_tab", "", "không tìm thấy tab", "đổi tên")
    assert str(error) == "tab Danh mục đơn vị: không tìm thấy tab — đổi tên"


def test_the_value_is_not_repeated_when_the_message_quotes_it_or_names_the_column() -> None:
    quoted = CellError("T", "A1", "bad_email", "a@", "“a@” không phải địa chỉ", "sửa")
    assert quoted.what() == "“a@” không phải địa chỉ — sửa"
    positive = CellError("T", "E2", "not_positive", "0", "Kế hoạch phải lớn hơn 0", "nhập")
    assert positive.what() == "Kế hoạch phải lớn hơn 0 — nhập"


def test_a_row_names_its_cells_by_column_key() -> None:
    row = Row(7, {}, (), {"thing_id": "A", "name": "AB"})
    assert row.cells == {"thing_id": "A7", "name": "AB7"}


def test_a_tab_is_found_by_its_name_whatever_its_form_and_the_first_one_counts() -> None:
    tabs = {"Khác": [["x"]], " MÔ  HÌNH ": [["first"]], "Mô hình": [["second"]]}
    assert find_tab(tabs, "Mô hình") == [["first"]]
    assert find_tab(tabs, "Hồ sơ") is None


@pytest.mark.parametrize(
    ("raw", "blank"),
    [
        ([None, None], True),
        ([None, "  ", "\u00a0"], True),
        ([], True),
        ([None, 0], False),
        ([False], False),
        (["", "x"], False),
        ([Percent(0.0)], False),
    ],
    ids=["nothing", "spaces", "empty", "zero", "false", "text", "percent"],
)
def test_a_row_is_blank_only_when_every_cell_is(raw: list[object], blank: bool) -> None:
    assert _is_blank_row(raw) is blank


def test_a_good_tab_is_read_typed_row_by_row() -> None:
    rows, errors = read([HEADER, ROW])
    assert errors == []
    [row] = rows
    assert row.number == 2
    assert row.values == {
        "thing_id": "V1",
        "note": None,
        "name": "Tuần tra",
        "planned": 10,
        "done": 8,
        "checked": True,
        "on": date(2026, 5, 1),
        "owner": "An",
    }
    assert row.errors == ()
    assert row.cells["owner"] == "H2"


def test_a_missing_tab_is_one_error_at_a1_and_no_row() -> None:
    assert read(None) == (
        [],
        [
            CellError(
                "Việc",
                "A1",
                "missing_tab",
                "",
                "không tìm thấy tab “Việc”",
                "thêm lại tab này theo mẫu (tên tab và dòng tiêu đề)",
            )
        ],
    )


def test_an_empty_tab_lacks_every_column_but_the_optional_ones_and_has_no_row() -> None:
    rows, errors = read([])
    assert rows == []
    assert [(e.cell, e.code, e.message) for e in errors] == [
        ("A1", "missing_header", f"thiếu cột “{c.header}”") for c in TAB.columns if not c.optional
    ]
    assert errors[0].fix == "thêm cột có tiêu đề “Mã việc” vào dòng 1 (dòng tiêu đề cột)"


def test_an_absent_optional_column_does_not_hide_a_missing_required_one_after_it() -> None:
    header = [h for h in HEADER if h not in ("Ghi chú", "Tên việc")]
    rows, errors = read([header, [v for v, h in zip(ROW, HEADER, strict=True) if h in header]])
    assert rows == []  # without a required column no row is read
    assert [(e.cell, e.code, e.value) for e in errors] == [("G1", "missing_header", "")]
    assert errors[0].message == "thiếu cột “Tên việc”"


def test_a_missing_column_that_is_not_required_is_reported_and_its_cells_read_as_empty() -> None:
    rows, errors = read([HEADER[:-1], ROW[:-1]])
    assert [(e.cell, e.code) for e in errors] == [("H1", "missing_header")]
    assert rows[0].values["owner"] is None
    assert rows[0].cells["owner"] == "A2"  # no column of its own: named at the first


def test_an_absent_optional_column_is_read_as_empty_without_an_error() -> None:
    rows, errors = read([[h for h in HEADER if h != "Ghi chú"], [v for v in ROW if v != ""]])
    assert errors == []
    assert rows[0].values["note"] is None and rows[0].values["name"] == "Tuần tra"


def test_a_header_found_twice_is_reported_where_it_repeats_and_the_first_is_read() -> None:
    rows, errors = read([[*HEADER, " tên  VIỆC "], [*ROW, "Khác"]])
    assert [(e.tab, e.cell, e.code, e.value, e.message, e.fix) for e in errors] == [
        (
            "Việc",
            "I1",
            "duplicate_header",
            "tên  VIỆC",
            "tiêu đề cột bị lặp lại",
            "xóa hoặc đổi tên một trong hai cột trùng",
        )
    ]
    assert rows[0].values["name"] == "Tuần tra"


def test_the_header_row_is_the_first_naming_every_column_below_title_rows() -> None:
    title = ["DANH SÁCH VIỆC NĂM 2026"]
    partial = ["Mã việc", "Tên việc"]  # names some of the columns: not the best row
    rows, errors = read([title, [], partial, HEADER, ROW])
    assert errors == []
    assert [r.number for r in rows] == [5]
    assert rows[0].cells["thing_id"] == "A5"


def test_with_no_full_header_the_first_row_naming_most_columns_is_the_header() -> None:
    rows, errors = read([["Mã việc"], HEADER[:5], HEADER[:3], ROW[:5]])
    assert [(e.cell, e.code) for e in errors] == [("F2", "missing_header")] * 3
    assert [r.number for r in rows] == [3, 4]
    tie = [["Mã việc"], HEADER[:5], HEADER[3:], ROW]  # 5 columns named twice: the first
    assert header_row(tie, TAB, ParseCache()) == 1


def test_with_no_header_at_all_the_first_row_is_the_header() -> None:
    rows, errors = read([["x"], ["y", "z"]])
    assert rows == []
    assert {(e.cell, e.code) for e in errors} == {("B1", "missing_header")}
    assert header_row([], TAB, ParseCache()) == 0


def test_the_header_row_is_not_looked_for_below_the_tenth_row() -> None:
    rows, errors = read([*[["tiêu đề"]] * 9, HEADER, ROW])
    assert errors == [] and rows[0].number == 11
    rows, errors = read([*[["tiêu đề"]] * 10, HEADER, ROW])
    assert rows == [] and {e.code for e in errors} == {"missing_header"}


def test_blank_rows_are_skipped_and_every_row_keeps_its_spreadsheet_number() -> None:
    rows, _ = read([HEADER, ROW, [None] * 8, ["", "  "], [], [*ROW[:1], "x", *ROW[2:]], ROW[:3]])
    assert [r.number for r in rows] == [2, 6, 7]
    assert rows[2].values["owner"] is None  # a short row: the cells beyond it are empty


def test_each_error_of_a_row_names_the_rows_model_by_its_id() -> None:
    bad = ["V1", "", "", 0, -1, "có lẽ", date(2026, 12, 1), "An"]
    rows, errors = read([HEADER, bad])
    assert [(e.cell, e.code, e.column, e.entity) for e in errors] == [
        ("C2", "empty_required", "Tên việc", "V1"),
        ("D2", "not_positive", "Kế hoạch", "V1"),
        ("E2", "negative", "Thực hiện", "V1"),
        ("F2", "bad_yesno", "Đã kiểm tra", "V1"),
        ("G2", "future_date", "Ngày", "V1"),
    ]
    assert rows[0].errors == tuple(errors)
    assert [rows[0].values[k] for k in ("name", "planned", "done", "checked", "on")] == [None] * 5


def test_an_error_of_a_row_without_a_readable_id_names_no_model() -> None:
    rows, errors = read([HEADER, ["#REF!", *ROW[1:]]])
    assert [(e.cell, e.code, e.value, e.entity) for e in errors] == [
        ("A2", "formula_error", "#REF!", "")
    ]
    assert rows[0].values["thing_id"] is None


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        (
            0,
            (
                "not_positive",
                "Kế hoạch phải lớn hơn 0",
                "nhập số kế hoạch đặt ra cho chỉ tiêu, ví dụ 10",
            ),
        ),
        (
            -2,
            (
                "not_positive",
                "Kế hoạch phải lớn hơn 0",
                "nhập số kế hoạch đặt ra cho chỉ tiêu, ví dụ 10",
            ),
        ),
    ],
)
def test_a_positive_column_refuses_zero_and_below(value: object, problem: tuple) -> None:
    with pytest.raises(CellProblem) as caught:
        _read_cell(TAB.column("planned"), value, TODAY)
    assert (caught.value.code, caught.value.message, caught.value.fix) == problem


def test_a_positive_column_takes_one_and_a_fraction_above_zero() -> None:
    assert _read_cell(TAB.column("planned"), 1, TODAY) == 1
    assert _read_cell(TAB.column("planned"), "0,5", TODAY) == Fraction(1, 2)


def test_a_count_refuses_a_negative_number_but_takes_zero() -> None:
    column = TAB.column("done")
    assert _read_cell(column, 0, TODAY) == 0
    with pytest.raises(CellProblem) as caught:
        _read_cell(column, "-0,5", TODAY)
    assert (caught.value.code, caught.value.message, caught.value.fix) == (
        "negative",
        "không được âm",
        "nhập Thực hiện từ 0 trở lên",
    )


def test_a_count_refuses_a_percentage_and_another_column_reads_its_number() -> None:
    with pytest.raises(CellProblem) as caught:
        _read_cell(TAB.column("done"), Percent(0.5), TODAY)
    assert caught.value.code == "percent_count"
    assert _read_cell(TAB.column("owner"), Percent(0.5), TODAY) == "0.5"


def test_an_empty_cell_is_nothing_unless_the_column_is_required_or_a_checkbox() -> None:
    assert _read_cell(TAB.column("owner"), "  ", TODAY) is None
    assert _read_cell(TAB.column("checked"), None, TODAY) is False
    with pytest.raises(CellProblem) as caught:
        _read_cell(TAB.column("name"), None, TODAY)
    assert (caught.value.code, caught.value.message, caught.value.fix) == (
        "empty_required",
        "ô bắt buộc đang trống",
        "nhập Tên việc",
    )


def test_a_date_column_not_marked_past_takes_a_future_date() -> None:
    column = Column("due", "Hạn", "date", "")
    assert _read_cell(column, "01/12/2026", TODAY) == date(2026, 12, 1)
    with pytest.raises(CellProblem):
        _read_cell(TAB.column("on"), "01/12/2026", TODAY)


def test_every_type_of_column_reads_its_own_kind_of_value() -> None:
    unit = load("unit")
    registry = load("registry").tab("units")
    assert _read_cell(unit.tab("targets").column("year"), "2026", TODAY) == 2026
    assert _read_cell(unit.tab("models").column("model_id"), 7.0, TODAY) == "7"
    assert _read_cell(unit.tab("models").column("status"), "đang hoạt động", TODAY) == (
        "Đang hoạt động"
    )
    assert _read_cell(registry.column("emails"), "a@x.vn;b@x.vn", TODAY) == ("a@x.vn", "b@x.vn")


def test_a_formula_error_is_refused_before_an_empty_cell_is_considered() -> None:
    with pytest.raises(CellProblem) as caught:
        _read_cell(TAB.column("owner"), "#N/A", TODAY)
    assert caught.value.code == "formula_error"


def test_a_run_reads_the_same_tab_with_the_same_readers_and_headers() -> None:
    cache = ParseCache()
    assert cache.columns(TAB) is cache.columns(TAB)
    assert list(cache.columns(TAB)) == [
        "mã việc",
        "ghi chú",
        "tên việc",
        "kế hoạch",
        "thực hiện",
        "đã kiểm tra",
        "ngày",
        "người làm",
    ]
    assert cache.header(" MÃ\u00a0 VIỆC ") == "mã việc" and cache.letter(27) == "AB"
    rows, _ = read([HEADER, ROW])
    errors: list[CellError] = []
    assert read_tab(TAB, [HEADER, ROW], TODAY, errors, cache) == rows


def test_a_column_the_layout_does_not_know_is_ignored_wherever_it_stands() -> None:
    rows, errors = read([["Cột riêng", *HEADER], ["x", *ROW]])
    assert errors == []
    assert rows[0].values["thing_id"] == "V1" and rows[0].cells["owner"] == "I2"


def test_a_single_named_column_makes_a_row_the_header_over_a_title() -> None:
    assert header_row([["DANH SÁCH"], ["Mã việc"], ROW], TAB, ParseCache()) == 1


def test_a_tab_without_an_id_column_names_no_model_in_its_errors() -> None:
    plain = Tab("plain", "Bảng", (Column("n", "Số", "number", "", required=True),))
    rows, errors = read([["Số"], ["một"]], plain)
    assert [(e.cell, e.code, e.entity) for e in errors] == [("A2", "bad_number", "")]
    assert rows[0].values == {"n": None}
