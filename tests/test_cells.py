"""Reading one cell (worker/core/cells.py): every parser's values, limits, codes and texts."""

from __future__ import annotations

from datetime import date, datetime
from fractions import Fraction

import pytest

from worker.core import cells
from worker.core.cells import CellProblem, Percent, Uncomputed

DATE_FIX = "nhập theo dạng dd/mm/yyyy, ví dụ 05/07/2025"


def problem_of(parse: object, *args: object) -> tuple[str, str, str]:
    with pytest.raises(CellProblem) as caught:
        parse(*args)  # type: ignore[operator]
    return caught.value.code, caught.value.message, caught.value.fix


def test_a_cell_problem_carries_its_code_message_and_fix() -> None:
    problem = CellProblem("bad_date", "không phải ngày hợp lệ", DATE_FIX)
    assert (problem.code, problem.message, problem.fix) == (
        "bad_date",
        "không phải ngày hợp lệ",
        DATE_FIX,
    )


def test_an_uncomputed_formula_shows_as_its_formula() -> None:
    assert str(Uncomputed("SUM(A1:A3)")) == "=SUM(A1:A3)"


@pytest.mark.parametrize(
    ("value", "shown"),
    [(0.95, "95%"), (0.955, "95,5%"), (1.0, "100%"), (0.123456789012, "12,3456789%")],
    ids=["whole", "decimal_comma", "hundred", "ten_significant_digits"],
)
def test_a_percentage_shows_the_vietnamese_way(value: float, shown: str) -> None:
    assert str(Percent(value)) == shown


def test_a_percentage_reads_as_its_number_outside_a_count_column() -> None:
    assert cells.unwrap_percent(Percent(0.95), count=False) == 0.95
    assert cells.unwrap_percent("95%", count=False) == "95%"


@pytest.mark.parametrize(
    ("value", "shown", "example"),
    [("90%", "90%", "90"), ("48 %", "48 %", "48"), ("12,5%", "12,5%", "12,5")],
    ids=["whole", "space_before_sign", "decimal_comma"],
)
def test_a_percentage_typed_as_text_in_a_count_column_is_refused_like_a_percent_cell(
    value: str, shown: str, example: str
) -> None:
    assert problem_of(cells.unwrap_percent, value, True) == (
        "percent_count",
        f"ô ghi phần trăm ({shown}) nhưng cột này ghi số lượng",
        f"nhập số lượng, không kèm dấu %, ví dụ {example}",
    )


def test_a_percentage_in_a_count_column_is_refused_with_the_count_it_shows() -> None:
    assert problem_of(cells.unwrap_percent, Percent(0.955), True) == (
        "percent_count",
        "ô đang ở dạng phần trăm (95,5%) nhưng cột này ghi số lượng",
        "đổi định dạng ô sang Số rồi nhập số lượng, ví dụ 95,5",
    )


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, ""),
        ("  Tổ\u00a0tự quản\u00a0 ", "Tổ tự quản"),
        ("To\u0302\u0309", "Tổ"),  # decomposed diacritics composed (NFC)
        (12, "12"),
    ],
    ids=["none", "spaces_and_nbsp", "nfc", "number"],
)
def test_clean_text_is_nfc_without_outer_spaces(value: object, text: str) -> None:
    assert cells.clean_text(value) == text


@pytest.mark.parametrize(
    ("value", "blank"),
    [(None, True), ("", True), (" \u00a0 ", True), ("x", False), (0, False), (False, False)],
)
def test_only_nothing_and_blank_text_are_blank(value: object, blank: bool) -> None:
    assert cells.is_blank(value) is blank


@pytest.mark.parametrize(
    "error",
    [
        "#REF!",
        "#N/A",
        "#DIV/0!",
        "#VALUE!",
        "#NAME?",
        "#NUM!",
        "#NULL!",
        "#ERROR!",
        "#SPILL!",
        "#CALC!",
        "#GETTING_DATA",
    ],
)
def test_every_formula_error_of_excel_and_google_sheets_is_refused(error: str) -> None:
    for written in (error, f" {error.lower()} "):
        assert problem_of(cells.check_text, written) == (
            "formula_error",
            "ô có lỗi công thức",
            "sửa công thức hoặc nhập giá trị trực tiếp",
        )


def test_an_uncomputed_formula_is_refused_with_how_to_compute_it() -> None:
    assert problem_of(cells.check_text, Uncomputed("A1+1")) == (
        "uncomputed_formula",
        "ô có công thức chưa được tính",
        "mở tệp bằng Excel hoặc LibreOffice rồi lưu lại",
    )


def test_text_is_refused_beyond_the_32767_characters_a_cell_holds() -> None:
    """Excel's limit for one cell: longer text could not be written back into Kết quả whole."""
    cells.check_text("x" * 32_767)
    assert problem_of(cells.check_text, "x" * 32_768) == (
        "too_long",
        "ô dài 32.768 ký tự, vượt giới hạn 32.767 ký tự của một ô",
        "rút gọn nội dung",
    )


def test_a_long_text_has_its_thousands_grouped_by_dots() -> None:
    assert problem_of(cells.check_text, "x" * 1_234_567)[1].startswith("ô dài 1.234.567 ký tự")


@pytest.mark.parametrize("value", [None, 12, 1.5, "Có", Percent(0.5)])
def test_ordinary_values_pass_the_check_every_column_makes(value: object) -> None:
    assert cells.check_text(value) is None


@pytest.mark.parametrize(
    ("value", "read"),
    [(7.0, "7"), (7, "7"), (7.5, "7.5"), ("007", "007"), (" MH-01\u00a0", "MH-01")],
    ids=["whole_float", "int", "fraction", "leading_zeros", "spaces"],
)
def test_ids_are_text_and_a_whole_number_cell_loses_its_decimals(value: object, read: str) -> None:
    assert cells.parse_id(value) == read


@pytest.mark.parametrize(
    ("value", "read"),
    [
        (datetime(2025, 7, 5, 13, 45), date(2025, 7, 5)),
        (date(2025, 7, 5), date(2025, 7, 5)),
        (1, date(1899, 12, 31)),  # serial day 1; then too old, below
        (45843, date(2025, 7, 5)),
        (45843.0, date(2025, 7, 5)),
        (2_958_465, date(9999, 12, 31)),
        ("2025-07-05", date(2025, 7, 5)),
        ("2025-07-05 00:00", date(2025, 7, 5)),
        ("2025-07-05T00:00:00", date(2025, 7, 5)),
        ("5/7/2025", date(2025, 7, 5)),
        ("05.07.2025", date(2025, 7, 5)),
        ("05-07-2025", date(2025, 7, 5)),
        (" 05/07/2025 ", date(2025, 7, 5)),
        ("29/02/2024", date(2024, 2, 29)),
    ],
)
def test_dates_are_read_from_every_form_a_sheet_gives(value: object, read: date) -> None:
    if read < cells.EARLIEST_DATE:
        assert problem_of(cells.parse_date, value)[0] == "too_old"
    else:
        assert cells.parse_date(value) == read


@pytest.mark.parametrize(
    "value",
    [0, -1, 2_958_466, 45843.5, True, "", "5/7/25", "2025/07/05", "2025-7-5", "29/02/2025", "x"],
    ids=[
        "serial_zero",
        "negative_serial",
        "beyond_9999",
        "fractional_serial",
        "boolean",
        "empty",
        "two_digit_year",
        "iso_with_slashes",
        "iso_without_zeros",
        "no_29_february_2025",
        "text",
    ],
)
def test_what_is_not_a_date_is_refused_with_the_form_to_use(value: object) -> None:
    assert problem_of(cells.parse_date, value) == ("bad_date", "không phải ngày hợp lệ", DATE_FIX)


def test_a_date_before_1945_is_too_old_and_says_so() -> None:
    assert cells.parse_date("01/01/1945") == date(1945, 1, 1)
    assert problem_of(cells.parse_date, "31/12/1944") == (
        "too_old",
        "ngày 31/12/1944 trước năm 1945, không thể đúng",
        "kiểm tra lại năm (có thể gõ nhầm); " + DATE_FIX,
    )


def test_a_date_after_today_is_refused_only_when_today_is_given() -> None:
    today = date(2026, 10, 29)
    assert cells.parse_date("29/10/2026", today) == today
    assert cells.parse_date("30/10/2026") == date(2026, 10, 30)
    assert problem_of(cells.parse_date, "30/10/2026", today) == (
        "future_date",
        "ngày 30/10/2026 là ngày chưa tới",
        "kiểm tra lại ngày; không nhập ngày chưa tới",
    )


@pytest.mark.parametrize(
    ("value", "read"),
    [
        (12, Fraction(12)),
        (0.1, Fraction(1, 10)),  # the decimal the cell shows, not the binary float
        (2.5, Fraction(5, 2)),
        ("1,5", Fraction(3, 2)),
        ("1.5", Fraction(3, 2)),
        ("1.000", Fraction(1000)),
        ("1.000.000", Fraction(1_000_000)),
        ("1.500,5", Fraction(3001, 2)),
        (" 1 000 ", Fraction(1000)),
        ("-3", Fraction(-3)),
        ("12.50", Fraction(25, 2)),
    ],
)
def test_numbers_are_read_exactly_in_the_vietnamese_notation(value: object, read: Fraction) -> None:
    number = cells.parse_number(value)
    assert number == read and isinstance(number, Fraction)


@pytest.mark.parametrize("value", [True, False])
def test_a_checkbox_is_not_a_number(value: bool) -> None:
    assert problem_of(cells.parse_number, value) == (
        "bad_number",
        "không phải số",
        "nhập một số, ví dụ 12 hoặc 1,5",
    )


def test_text_that_is_no_number_is_refused_with_the_decimal_comma_named() -> None:
    assert problem_of(cells.parse_number, "mười") == (
        "bad_number",
        "không phải số",
        "nhập một số, ví dụ 12 hoặc 1,5 (dấu phẩy thập phân)",
    )


@pytest.mark.parametrize(
    "value", ["1e3", "1E3", "2.5e-1", "1_000", "1_0", "90%", "0x10", "1.2.3,4,5", "--3"]
)
def test_exponents_underscores_and_signs_python_reads_are_not_numbers(value: str) -> None:
    """Decimal("1e3") and Decimal("1_000") are 1000: no unit writes a count so."""
    assert problem_of(cells.parse_number, value) == (
        "bad_number",
        "không phải số",
        "nhập một số, ví dụ 12 hoặc 1,5 (dấu phẩy thập phân)",
    )


@pytest.mark.parametrize("value", ["NaN", "Infinity", "-inf"])
def test_infinity_and_not_a_number_are_refused(value: str) -> None:
    assert problem_of(cells.parse_number, value) == (
        "bad_number",
        "không phải số",
        "nhập một số, ví dụ 12 hoặc 1,5",
    )


@pytest.mark.parametrize(("value", "year"), [(2000, 2000), ("2026", 2026), (2100.0, 2100)])
def test_a_year_is_a_whole_number_from_2000_to_2100(value: object, year: int) -> None:
    read = cells.parse_year(value)
    assert read == year and isinstance(read, int)


@pytest.mark.parametrize("value", [1999, 2101, 2026.5, "26"])
def test_a_year_outside_2000_to_2100_or_not_whole_is_refused(value: object) -> None:
    assert problem_of(cells.parse_year, value) == (
        "bad_year",
        "không phải năm hợp lệ",
        "nhập năm có 4 chữ số, ví dụ 2026",
    )


@pytest.mark.parametrize(
    "value",
    [True, 1, 1.0, "có", "Có", "co", "x", "X", "true", "1", "yes", "đúng", "đạt", "✓", "v"],
)
def test_every_usual_yes_is_read_as_yes(value: object) -> None:
    assert cells.parse_yesno(value) is True


NO = ("không", "Khong", "false", "0", "no", "sai", "chưa", "chưa đạt")


@pytest.mark.parametrize("value", [None, False, 0, 0.0, "", "  ", *NO])
def test_every_usual_no_and_an_empty_cell_are_read_as_no(value: object) -> None:
    assert cells.parse_yesno(value) is False


@pytest.mark.parametrize("value", [2, 0.5, "có lẽ", "đạt một phần"])
def test_anything_else_in_a_checkbox_column_is_refused(value: object) -> None:
    assert problem_of(cells.parse_yesno, value) == (
        "bad_yesno",
        "không phải Có/Không",
        "tích ô hoặc nhập Có/Không",
    )


FIELDS = ("Kinh tế", "Văn hóa - xã hội", "Quốc phòng - an ninh")


@pytest.mark.parametrize(
    ("value", "read"),
    [("Kinh tế", "Kinh tế"), ("  KINH   TẾ ", "Kinh tế"), ("văn hóa - xã hội", "Văn hóa - xã hội")],
)
def test_an_allowed_value_is_read_whatever_its_case_and_spaces(value: str, read: str) -> None:
    assert cells.parse_enum(value, FIELDS) == read


def test_a_value_close_to_an_allowed_one_names_it() -> None:
    assert problem_of(cells.parse_enum, "Kinh te", FIELDS) == (
        "not_allowed",
        "không có trong danh sách cho phép",
        "chọn một giá trị trong danh sách; có thể là “Kinh tế”",
    )


def test_a_value_spelt_with_d_for_đ_is_close_to_the_allowed_one() -> None:
    fix = problem_of(cells.parse_enum, "Dang hoat dong", ("Đang hoạt động", "Đã kết thúc"))[2]
    assert fix == "chọn một giá trị trong danh sách; có thể là “Đang hoạt động”"


def test_a_value_typed_with_d_for_đ_is_matched_to_the_allowed_one() -> None:
    # "di" is "Đi" without its diacritics: folded alike, though far apart as typed
    fix = problem_of(cells.parse_enum, "di", ("Đi", "Về"))[2]
    assert fix == "chọn một giá trị trong danh sách; có thể là “Đi”"


def test_a_value_far_from_every_allowed_one_lists_them_all() -> None:
    assert problem_of(cells.parse_enum, "Giáo dục", FIELDS)[2] == (
        "chọn một trong các giá trị: “Kinh tế”, “Văn hóa - xã hội”, “Quốc phòng - an ninh”"
    )


def test_a_value_just_below_the_closeness_cutoff_is_not_guessed() -> None:
    # difflib's ratio of "abcdef" and "abcxyz" is exactly 0.5, of "abcdex" 0.83: 0.6 between
    assert "có thể là" not in problem_of(cells.parse_enum, "abcxyz", ("abcdef",))[2]
    assert "có thể là “abcdef”" in problem_of(cells.parse_enum, "abcdex", ("abcdef",))[2]


@pytest.mark.parametrize(
    ("value", "read"),
    [
        ("a@x.vn", ("a@x.vn",)),
        ("a@x.vn; b@x.vn", ("a@x.vn", "b@x.vn")),
        ("a@x.vn,b@x.vn", ("a@x.vn", "b@x.vn")),
        ("a@x.vn;;b@x.vn", ("a@x.vn", "b@x.vn")),
        ("a@x.vn; ;b@x.vn", ("a@x.vn", "b@x.vn")),
        (";a@x.vn;", ("a@x.vn",)),
        ("Nguyễn Văn A <a@x.vn>", ("a@x.vn",)),
        ('"Trần, B" <b@x.vn>; a@x.vn', ("b@x.vn", "a@x.vn")),
        ("< a@x.vn >", ("a@x.vn",)),
        ("", ()),
        (None, ()),
    ],
    ids=[
        "one",
        "semicolon",
        "comma",
        "empty_element_keeps_the_next_address",
        "blank_element_keeps_the_next_address",
        "separators_at_the_ends",
        "display_name",
        "quoted_name_with_comma",
        "spaces_inside_brackets",
        "empty",
        "none",
    ],
)
def test_addresses_are_read_from_every_usual_list(value: object, read: tuple[str, ...]) -> None:
    assert cells.parse_emails(value) == read


@pytest.mark.parametrize(
    "part",
    ["a@x", "a.x.vn", "a b@x.vn", "a@x.v", "a@@x.vn", "Tên <a@x>", "a@x.vn>", "<a@x.vn"],
)
def test_an_address_that_is_not_one_is_refused_by_name(part: str) -> None:
    assert problem_of(cells.parse_emails, f"ok@x.vn; {part}") == (
        "bad_email",
        f"“{part}” không phải địa chỉ email hợp lệ",
        "nhập địa chỉ dạng ten@donvi.gov.vn, nhiều địa chỉ cách nhau bằng ;",
    )
