"""Validation (SPEC §4): every problem is one record with tab, cell, value and fix."""

from collections.abc import Callable
from datetime import date, datetime
from fractions import Fraction

import pytest

from tests.conftest import TODAY, as_tabs, good_unit
from worker.core.cells import Percent, Uncomputed
from worker.core.evaluate import Unit, evaluate_unit
from worker.core.layout import load
from worker.core.records import Criterion, Decision, Dossier, Target
from worker.core.tabs import CellError, ParseCache
from worker.core.validation import UnitData, validate_unit

UNIT = Unit("U1", "Công an xã Thử", "Xã", "", ("a@example.gov.vn",), "u1.xlsx", True)


def errors_of(rows: dict) -> list[str]:
    return [str(e) for e in validate_unit(as_tabs(rows), 2026, TODAY).errors]


def test_a_good_unit_has_no_error() -> None:
    data = validate_unit(as_tabs(good_unit(3)), 2026, TODAY)
    assert data.errors == []
    assert [m.model_id for m in data.models] == ["MH-001", "MH-002", "MH-003"]


def test_an_impossible_date_names_tab_cell_value_and_fix() -> None:
    rows = good_unit()
    rows["models"][0]["decision_date"] = "31/02/2026"
    assert errors_of(rows) == [
        "tab Mô hình, ô G2: “31/02/2026” không phải ngày hợp lệ — nhập theo "
        "dạng dd/mm/yyyy, ví dụ 05/07/2025"
    ]


@pytest.mark.parametrize(
    ("value", "read"),
    [
        ("5/7/2025", date(2025, 7, 5)),
        ("05.07.2025", date(2025, 7, 5)),
        ("2025-07-05", date(2025, 7, 5)),
        (datetime(2025, 7, 5), date(2025, 7, 5)),
        (45843, date(2025, 7, 5)),
        (45843.0, date(2025, 7, 5)),
    ],
    ids=["text_day_first", "dotted", "iso", "excel_date_cell", "serial", "serial_float"],
)
def test_dates_are_read_day_first_in_every_accepted_form(value: object, read: date) -> None:
    rows = good_unit()
    rows["models"][0]["decision_date"] = value
    data = validate_unit(as_tabs(rows), 2026, TODAY)
    assert data.errors == []
    assert data.models[0].decision_date == read


@pytest.mark.parametrize("value", ["5/7/25", "07/2025", "July 5, 2025", "2025/07/05"])
def test_ambiguous_dates_are_rejected(value: str) -> None:
    rows = good_unit()
    rows["models"][0]["decision_date"] = value
    assert [e.code for e in validate_unit(as_tabs(rows), 2026, TODAY).errors] == ["bad_date"]


def test_a_date_in_the_future_is_an_error() -> None:
    rows = good_unit()
    rows["models"][0]["decision_date"] = "30/10/2026"
    assert errors_of(rows) == [
        "tab Mô hình, ô G2: “30/10/2026” ngày 30/10/2026 là ngày chưa tới — kiểm tra "
        "lại ngày; không nhập ngày chưa tới"
    ]


@pytest.mark.parametrize(
    ("value", "read"),
    [
        ("1,5", Fraction(3, 2)),
        ("12,5", Fraction(25, 2)),
        ("1.000", Fraction(1000)),
        (2.5, Fraction(5, 2)),
        (" 12 ", Fraction(12)),
    ],
    ids=["decimal_comma", "decimal_comma_two_digits", "thousands_dot", "float", "spaces"],
)
def test_numbers_written_as_text_are_read_exactly(value: object, read: Fraction) -> None:
    rows = good_unit()
    rows["targets"][0]["achieved"] = value
    data = validate_unit(as_tabs(rows), 2026, TODAY)
    assert data.errors == []
    assert data.targets["MH-001"][0].achieved == read


@pytest.mark.parametrize(
    ("column", "cell", "value", "said"),
    [
        ("achieved", "F2", "90%", "“90%” ô ghi phần trăm (90%) nhưng cột này ghi số lượng — "
         "nhập số lượng, không kèm dấu %, ví dụ 90"),
        ("planned", "E2", "48%", "“48%” ô ghi phần trăm (48%) nhưng cột này ghi số lượng — "
         "nhập số lượng, không kèm dấu %, ví dụ 48"),
        ("achieved", "F2", "1e3", "“1e3” không phải số — nhập một số, ví dụ 12 hoặc 1,5 "
         "(dấu phẩy thập phân)"),
        ("planned", "E2", "1_000", "“1_000” không phải số — nhập một số, ví dụ 12 hoặc 1,5 "
         "(dấu phẩy thập phân)"),
    ],
    ids=["percent_achieved", "percent_planned", "exponent", "underscore"],
)  # fmt: skip
def test_counts_typed_as_percentages_exponents_or_with_underscores_are_refused(
    column: str, cell: str, value: str, said: str
) -> None:
    rows = good_unit()
    rows["targets"][0][column] = value
    data = validate_unit(as_tabs(rows), 2026, TODAY)
    assert [str(e) for e in data.errors] == [f"tab Chỉ tiêu, ô {cell}: {said}"]
    assert data.models == []  # never rated on a number read wrong


def test_a_planned_value_of_zero_is_rejected() -> None:
    rows = good_unit()
    rows["targets"][0]["planned"] = 0
    assert errors_of(rows) == [
        "tab Chỉ tiêu, ô E2: Kế hoạch phải lớn hơn 0 — nhập số kế hoạch đặt ra cho chỉ tiêu, "
        "ví dụ 10"
    ]


@pytest.mark.parametrize("error", ["#REF!", "#N/A", "#DIV/0!"])
def test_formula_errors_are_never_read_as_zero(error: str) -> None:
    rows = good_unit()
    rows["targets"][1]["achieved"] = error
    data = validate_unit(as_tabs(rows), 2026, TODAY)
    assert [str(e) for e in data.errors] == [
        f"tab Chỉ tiêu, ô F3: “{error}” ô có lỗi công thức — sửa công thức hoặc nhập giá trị "
        "trực tiếp"
    ]
    assert data.models == []  # the model is not rated on a broken number


def test_a_value_far_from_every_allowed_one_lists_them_instead_of_guessing() -> None:
    rows = good_unit()
    rows["models"][0]["field"] = "Giáo dục"
    [error] = errors_of(rows)
    assert "có thể là" not in error  # "Xây dựng hệ thống chính trị" was guessed before
    assert error.startswith("tab Mô hình, ô D2: “Giáo dục” không có trong danh sách cho phép")
    assert "chọn một trong các giá trị: “Kinh tế”, “Văn hóa - xã hội”" in error


def test_too_long_text_names_the_cell_and_the_limit_in_characters() -> None:
    """Beyond what an .xlsx cell holds the text would be cut when written back: an error."""
    rows = good_unit()
    rows["models"][0]["name"] = "x" * 100_000
    [error] = errors_of(rows)
    assert error.startswith("tab Mô hình, ô B2: “xxx")
    assert error.endswith(
        "ô dài 100.000 ký tự, vượt giới hạn 32.767 ký tự của một ô — rút gọn nội dung"
    )


def test_ids_stay_text() -> None:
    rows = good_unit()
    for tab in ("models", "targets", "assessments", "dossiers"):
        for row in rows[tab]:
            row["model_id"] = "007"
    data = validate_unit(as_tabs(rows), 2026, TODAY)
    assert [m.model_id for m in data.models] == ["007"]
    assert len(data.targets["007"]) == 2


def test_a_value_outside_the_list_names_the_closest_allowed_value() -> None:
    rows = good_unit()
    rows["models"][0]["field"] = "Kinh te"
    assert errors_of(rows) == [
        "tab Mô hình, ô D2: “Kinh te” không có trong danh sách cho phép — chọn "
        "một giá trị trong danh sách; có thể là “Kinh tế”"
    ]


def test_an_empty_required_cell_is_reported() -> None:
    rows = good_unit()
    rows["models"][0]["name"] = "  "
    assert errors_of(rows) == ["tab Mô hình, ô B2: ô bắt buộc đang trống — nhập Tên mô hình"]


def test_duplicate_model_ids_are_reported_and_neither_is_rated() -> None:
    rows = good_unit()
    rows["models"].append(dict(rows["models"][0]))
    data = validate_unit(as_tabs(rows), 2026, TODAY)
    assert [str(e) for e in data.errors] == [
        "tab Mô hình, ô A3: “MH-001” mã trùng với dòng 2 — mỗi mã chỉ dùng cho một dòng; "
        "đổi mã hoặc xóa dòng trùng"
    ]
    assert data.models == []


def test_rows_pointing_to_an_unknown_id_are_reported() -> None:
    rows = good_unit()
    rows["targets"].append({**rows["targets"][0], "model_id": "MH-099"})
    rows["criteria"].append({**rows["criteria"][0], "exemplar_id": "ĐH-99"})
    assert errors_of(rows) == [
        "tab Chỉ tiêu, ô A4: mã “MH-099” không có trong tab Mô hình — sửa mã cho khớp hoặc thêm "
        "dòng tương ứng",
        "tab Tiêu chí điển hình, ô A5: mã “ĐH-99” không có trong tab Điển hình — sửa mã cho khớp "
        "hoặc thêm dòng tương ứng",
    ]


def test_blank_rows_in_the_middle_are_skipped_and_reading_continues() -> None:
    tabs = as_tabs(good_unit(2))
    tabs["Mô hình"].insert(2, [None, "", "  ", None])
    tabs["Mô hình"].insert(2, [])
    data = validate_unit(tabs, 2026, TODAY)
    assert data.errors == []
    assert [m.model_id for m in data.models] == ["MH-001", "MH-002"]


def test_headers_are_matched_whatever_their_form() -> None:
    import unicodedata

    tabs = as_tabs(good_unit())
    header = tabs["Mô hình"][0]
    header[0] = unicodedata.normalize("NFD", "Mã mô hình")  # decomposed diacritics
    header[1] = "  TÊN   MÔ\u00a0HÌNH "  # case, extra and non-breaking spaces
    header[2] = "Phong\u200b trào"  # a zero-width space
    data = validate_unit(tabs, 2026, TODAY)
    assert data.errors == []
    assert data.models[0].name == "Tổ tự quản thôn 1"


def test_column_order_is_free_and_extra_columns_are_ignored() -> None:
    tabs = as_tabs(good_unit())
    tabs["Mô hình"] = [[*reversed(r), "thêm"] for r in tabs["Mô hình"]]
    tabs["Mô hình"][0][-1] = "Cột riêng của đơn vị"
    assert validate_unit(tabs, 2026, TODAY).errors == []


def test_a_missing_tab_and_a_missing_header_are_reported() -> None:
    tabs = as_tabs(good_unit())
    del tabs["Hồ sơ"]
    tabs["Mô hình"] = [r[:-2] for r in tabs["Mô hình"]]  # without Ngày kết thúc, Ghi chú
    assert [str(e) for e in validate_unit(tabs, 2026, TODAY).errors] == [
        "tab Mô hình, ô K1: thiếu cột “Ngày kết thúc” — thêm cột có tiêu đề “Ngày kết thúc” "
        "vào dòng 1 (dòng tiêu đề cột)",
        "tab Hồ sơ, ô A1: không tìm thấy tab “Hồ sơ” — thêm lại tab này theo mẫu (tên tab và dòng "
        "tiêu đề)",
    ]


def test_a_duplicated_header_is_reported() -> None:
    tabs = as_tabs(good_unit())
    for row in tabs["Chỉ tiêu"]:
        row.append(row[5])
    errors = validate_unit(tabs, 2026, TODAY).errors
    assert [(e.cell, e.code, e.value) for e in errors] == [("G1", "duplicate_header", "Thực hiện")]


def test_an_over_long_cell_is_reported() -> None:
    rows = good_unit()
    rows["models"][0]["note"] = "x" * 50_001
    assert [(e.cell, e.code) for e in validate_unit(as_tabs(rows), 2026, TODAY).errors] == [
        ("L2", "too_long")
    ]


def test_an_exemplar_without_criteria_is_a_data_error() -> None:
    rows = good_unit()
    rows["criteria"] = []
    assert errors_of(rows) == [
        "tab Điển hình, ô A2: “ĐH-01” điển hình chưa có tiêu chí nào của năm "
        "2026 — thêm các tiêu chí vào tab Tiêu chí điển hình với Năm đánh "
        "giá 2026"
    ]


def test_other_years_rows_are_not_this_years() -> None:
    rows = good_unit()
    rows["targets"].append({**rows["targets"][0], "year": 2025, "achieved": 0})
    data = validate_unit(as_tabs(rows), 2026, TODAY)
    assert len(data.targets["MH-001"]) == 2


def test_every_error_is_collected_not_only_the_first() -> None:
    rows = good_unit(2)
    rows["models"][0]["decision_date"] = "31/02/2026"
    rows["models"][1]["field"] = "?"
    rows["targets"][0]["planned"] = "abc"
    rows["assessments"][1]["directed"] = "có lẽ"
    assert [e.cell for e in validate_unit(as_tabs(rows), 2026, TODAY).errors] == [
        "G2",
        "D3",
        "E2",
        "C3",
    ]


def test_a_row_with_errors_is_not_rated_and_says_so_while_the_others_are() -> None:
    rows = good_unit(2)
    rows["targets"][0]["achieved"] = "#N/A"
    result = evaluate_unit(
        UNIT, as_tabs(rows), 2026, TODAY, date(2026, 10, 31), set(), "mean_ratio"
    )
    assert [(m.model.model_id, m.level) for m in result.models] == [
        ("MH-001", "Chưa xếp loại"),
        ("MH-002", "Tốt"),
    ]
    assert result.models[0].rating.reasons == (
        "Chưa xếp loại được vì dữ liệu có lỗi (tab Chỉ tiêu, ô F2): sửa các lỗi này, "
        "lần chạy sau phần mềm xếp loại lại",
    )
    assert result.models[0].model.name == "Tổ tự quản thôn 1"


@pytest.mark.parametrize(
    ("cell", "value"),
    [
        ("directed", True),
        ("directed", "TRUE"),
        ("directed", 1),
        ("directed", "x"),
        ("directed", "Có"),
    ],
)
def test_yes_no_cells_accept_every_usual_form(cell: str, value: object) -> None:
    rows = good_unit()
    rows["assessments"][0][cell] = value
    data = validate_unit(as_tabs(rows), 2026, TODAY)
    assert data.assessments["MH-001"].ticks[cell] is True


@pytest.mark.parametrize("value", [False, "FALSE", 0, "", None, "Không"])
def test_yes_no_cells_read_no_in_every_usual_form(value: object) -> None:
    rows = good_unit()
    rows["assessments"][0]["directed"] = value
    assert (
        validate_unit(as_tabs(rows), 2026, TODAY).assessments["MH-001"].ticks["directed"] is False
    )


def test_a_second_assessment_or_dossier_row_for_a_model_is_reported_once() -> None:
    rows = good_unit(2)
    rows["assessments"].append(dict(rows["assessments"][0]))
    rows["dossiers"].append(dict(rows["dossiers"][1]))
    data = validate_unit(as_tabs(rows), 2026, TODAY)
    assert [str(e) for e in data.errors] == [
        "tab Đánh giá, ô A4: “MH-001” đã có đánh giá năm 2026 tại dòng 2 — xóa dòng thừa",
        "tab Hồ sơ, ô A4: “MH-002” mã trùng với dòng 3 — mỗi mã chỉ dùng cho một dòng; đổi mã hoặc "
        "xóa dòng trùng",
    ]
    assert data.models == []
    assert {k: len(v) for k, v in data.blocking.items()} == {
        ("models", "MH-001"): 1,
        ("models", "MH-002"): 1,
    }


def test_a_title_row_above_the_headers_is_skipped_and_cells_are_named_in_their_rows() -> None:
    rows = good_unit()
    rows["models"][0]["decision_date"] = "31/02/2026"
    tabs = as_tabs(rows)
    width = len(tabs["Mô hình"][0])
    title = ["DANH SÁCH MÔ HÌNH NĂM 2026", *[None] * (width - 1)]  # a merged title: one value
    tabs["Mô hình"] = [title, [None] * width, *tabs["Mô hình"]]
    assert errors_of_tabs(tabs) == [
        "tab Mô hình, ô G4: “31/02/2026” không phải ngày hợp lệ — nhập theo "
        "dạng dd/mm/yyyy, ví dụ 05/07/2025"
    ]


def test_a_missing_column_under_a_title_row_is_named_in_the_header_row() -> None:
    tabs = as_tabs(good_unit())
    tabs["Chỉ tiêu"] = [["Chỉ tiêu năm 2026"], *[r[:-1] for r in tabs["Chỉ tiêu"]]]  # no Thực hiện
    assert errors_of_tabs(tabs) == [
        "tab Chỉ tiêu, ô F2: thiếu cột “Thực hiện” — thêm cột có tiêu đề “Thực hiện” vào dòng 2 "
        "(dòng tiêu đề cột)"
    ]


def test_headers_below_the_first_ten_rows_are_not_looked_for() -> None:
    tabs = as_tabs(good_unit())
    tabs["Điển hình"] = [[None]] * 10 + tabs["Điển hình"]
    codes = {(e.tab, e.code) for e in validate_unit(tabs, 2026, TODAY).errors}
    assert ("Điển hình", "missing_header") in codes


def errors_of_tabs(tabs: dict) -> list[str]:
    return [str(e) for e in validate_unit(tabs, 2026, TODAY).errors]


@pytest.mark.parametrize("value", ["01/01/1899", "31/12/1944", 3.0, datetime(1900, 5, 1)])
def test_a_date_before_1945_is_an_input_error(value: object) -> None:
    rows = good_unit()
    rows["models"][0]["decision_date"] = value
    (error,) = validate_unit(as_tabs(rows), 2026, TODAY).errors
    assert (error.cell, error.code) == ("G2", "too_old")
    assert error.message.startswith("ngày ") and "trước năm 1945" in error.message
    assert error.fix == (
        "kiểm tra lại năm (có thể gõ nhầm); nhập theo dạng dd/mm/yyyy, ví dụ 05/07/2025"
    )


def test_a_model_decided_in_1899_is_not_rated() -> None:
    rows = good_unit()
    rows["models"][0]["decision_date"] = "01/01/1899"
    reference = date(2026, 10, 31)
    result = evaluate_unit(UNIT, as_tabs(rows), 2026, TODAY, reference, set(), "mean_ratio")
    assert [m.level for m in result.models] == ["Chưa xếp loại"]


def test_the_first_day_of_1945_is_a_date() -> None:
    rows = good_unit()
    rows["models"][0]["decision_date"] = "01/01/1945"
    assert errors_of(rows) == []


def test_an_absent_optional_column_is_not_an_error() -> None:
    tabs = as_tabs(good_unit())
    for name in ("Mô hình", "Điển hình"):  # without Ghi chú, the last column
        tabs[name] = [r[:-1] for r in tabs[name]]
    tabs["Chỉ tiêu"] = [r[:3] + r[4:] for r in tabs["Chỉ tiêu"]]  # without Đơn vị tính
    assert validate_unit(tabs, 2026, TODAY).errors == []


def test_an_absent_column_the_rating_reads_is_still_reported() -> None:
    tabs = as_tabs(good_unit())
    # without "Thu hút nguồn lực xã hội hóa"
    tabs["Đánh giá"] = [r[:6] + r[7:] for r in tabs["Đánh giá"]]
    # reported at the first free column after the 17 left (with the four decision columns)
    assert errors_of_tabs(tabs) == [
        "tab Đánh giá, ô R1: thiếu cột “Thu hút nguồn lực xã hội hóa” — thêm cột có tiêu đề "
        "“Thu hút nguồn lực xã hội hóa” vào dòng 1 (dòng tiêu đề cột)"
    ]


def _set(tab: str, index: int, **values: object) -> Callable[[dict], None]:
    def change(rows: dict) -> None:
        rows[tab][index].update(values)

    return change


def _add(tab: str, index: int, **values: object) -> Callable[[dict], None]:
    def change(rows: dict) -> None:
        rows[tab].append({**rows[tab][index], **values})

    return change


# Every code a unit can be told, with the first error its sheet gets (SPEC §4).
CODES = {
    "empty_required": (_set("models", 0, name=None), "tab Mô hình, ô B2: ô bắt buộc đang trống"),
    "not_positive": (_set("targets", 0, planned=-1), "tab Chỉ tiêu, ô E2: Kế hoạch phải lớn hơn 0"),
    "negative": (_set("targets", 0, achieved=-1), "tab Chỉ tiêu, ô F2: “-1” không được âm"),
    "percent_count": (
        _set("targets", 0, achieved=Percent(0.5)),
        "tab Chỉ tiêu, ô F2: “50%” ô đang ở dạng phần trăm (50%) nhưng cột này ghi số lượng",
    ),
    "uncomputed_formula": (
        _set("models", 0, authority=Uncomputed("B1")),
        "tab Mô hình, ô H2: “=B1” ô có công thức chưa được tính",
    ),
    "formula_error": (
        _set("models", 0, authority="#NAME?"),
        "tab Mô hình, ô H2: “#NAME?” ô có lỗi công thức",
    ),
    "too_long": (_set("models", 0, authority="x" * 32_768), "tab Mô hình, ô H2: “xxx"),
    "bad_date": (_set("exemplars", 0, plan_date="1/13/2025"), "tab Điển hình, ô E2: “1/13/2025”"),
    "too_old": (_set("models", 0, decision_date="01/01/1900"), "tab Mô hình, ô G2: “01/01/1900”"),
    "future_date": (_set("models", 0, end_date="01/01/2027"), "tab Mô hình, ô K2: “01/01/2027”"),
    "bad_number": (_set("targets", 1, planned="năm"), "tab Chỉ tiêu, ô E3: “năm” không phải số"),
    "bad_year": (_set("criteria", 0, year=26), "tab Tiêu chí điển hình, ô B2: “26” không phải năm"),
    "bad_yesno": (_set("dossiers", 0, doc3="?"), "tab Hồ sơ, ô D2: “?” không phải Có/Không"),
    "not_allowed": (_set("exemplars", 0, kind="Nhóm"), "tab Điển hình, ô C2: “Nhóm” không có"),
    "duplicate_id": (_add("exemplars", 0), "tab Điển hình, ô A3: “ĐH-01” mã trùng với dòng 2"),
    "unknown_id": (
        _add("assessments", 0, model_id="MH-9"),
        "tab Đánh giá, ô A3: mã “MH-9” không có trong tab Mô hình",
    ),
    "no_criteria": (
        lambda rows: [c.update(year=2025) for c in rows["criteria"]],
        "tab Điển hình, ô A2: “ĐH-01” điển hình chưa có tiêu chí nào của năm 2026",
    ),
    "decision_without_level": (
        _set("assessments", 0, decided_by="UBND huyện"),
        "tab Đánh giá, ô O2: đã ghi quyết định công nhận nhưng chưa chọn mức xếp loại",
    ),
    "end_before_start": (
        _set("models", 0, status="Đã kết thúc", end_date="29/02/2024"),
        "tab Mô hình, ô K2: “29/02/2024” ngày kết thúc trước ngày quyết định thành lập",
    ),
}


@pytest.mark.parametrize(("change", "told"), CODES.values(), ids=CODES.keys())
def test_every_error_code_reaches_the_unit_with_its_place(
    change: Callable[[dict], None], told: str, request: pytest.FixtureRequest
) -> None:
    rows = good_unit()
    change(rows)
    data = validate_unit(as_tabs(rows), 2026, TODAY)
    assert [e.code for e in data.errors] == [request.node.callspec.id]
    assert str(data.errors[0]).startswith(told)


# --- the checks across tabs ------------------------------------------------------------------


def test_a_good_unit_is_read_into_its_records() -> None:
    data = validate_unit(as_tabs(good_unit(2)), 2026, TODAY)
    assert data.targets["MH-002"] == [
        Target("MH-002", 2026, "Tuần tra", Fraction(10), Fraction(10)),
        Target("MH-002", 2026, "Tuyên truyền", Fraction(4), Fraction(5)),
    ]
    assessment = data.assessments["MH-001"]
    assert (assessment.model_id, assessment.year, assessment.decision) == ("MH-001", 2026, None)
    assert sorted(assessment.ticks) == sorted(
        c.key
        for c in load("unit").tab("assessments").columns
        if c.type == "yesno"  # the checklist: neither the ID, the year nor the decision
    )
    assert assessment.ticks["directed"] is True and assessment.ticks["untruthful"] is False
    assert data.dossiers["MH-002"] == Dossier("MH-002", frozenset(range(1, 17)))
    assert data.criteria["ĐH-01"] == [
        Criterion("ĐH-01", 2026, "Tiêu chí 0", True),
        Criterion("ĐH-01", 2026, "Tiêu chí 1", True),
        Criterion("ĐH-01", 2026, "Tiêu chí 2", False),
    ]
    assert [e.exemplar_id for e in data.exemplars] == ["ĐH-01"]
    assert data.read_values[("models", "MH-002")]["name"] == "Tổ tự quản thôn 2"
    assert data.read_values[("exemplars", "ĐH-01")]["kind"] == "Tập thể"
    assert (data.blocking, data.missing_tabs) == ({}, set())


def test_a_dossier_holds_the_documents_ticked() -> None:
    rows = good_unit()
    rows["dossiers"][0] = {"model_id": "MH-001", "doc1": "x", "doc13": "Có", "doc16": True}
    assert validate_unit(as_tabs(rows), 2026, TODAY).dossiers["MH-001"].present == {1, 13, 16}


def test_a_decision_without_its_level_is_reported_whole_and_the_model_still_rated() -> None:
    rows = good_unit()
    rows["assessments"][0].update(decided_date=date(2026, 10, 1))
    data = validate_unit(as_tabs(rows), 2026, TODAY)
    assert data.errors == [
        CellError(
            "Đánh giá",
            "O2",
            "decision_without_level",
            "",
            "đã ghi quyết định công nhận nhưng chưa chọn mức xếp loại",
            "chọn Xếp loại được công nhận (Tốt, Khá, Trung bình, Yếu) theo quyết định, "
            "hoặc xóa số, ngày, cấp quyết định nếu chưa có quyết định",
            "Xếp loại được công nhận",
            "MH-001",
        )
    ]
    assert data.assessments["MH-001"].decision is None
    assert [m.model_id for m in data.models] == ["MH-001"] and data.blocking == {}


@pytest.mark.parametrize("key", ["decided_no", "decided_date", "decided_by"])
def test_any_of_a_decisions_cells_without_its_level_is_reported(key: str) -> None:
    rows = good_unit()
    rows["assessments"][0][key] = date(2026, 10, 1) if key == "decided_date" else "x"
    codes = [e.code for e in validate_unit(as_tabs(rows), 2026, TODAY).errors]
    assert codes == ["decision_without_level"]


def test_a_decided_level_alone_is_a_decision_with_nothing_else_known() -> None:
    rows = good_unit()
    rows["assessments"][0]["decided_level"] = "Khá"
    data = validate_unit(as_tabs(rows), 2026, TODAY)
    assert data.errors == []
    assert data.assessments["MH-001"].decision == Decision("Khá", "", None, "")


def test_an_exemplar_without_criteria_is_reported_whole_and_kept_from_rating() -> None:
    rows = good_unit()
    rows["criteria"] = []
    data = validate_unit(as_tabs(rows), 2026, TODAY)
    error = CellError(
        "Điển hình",
        "A2",
        "no_criteria",
        "ĐH-01",
        "điển hình chưa có tiêu chí nào của năm 2026",
        "thêm các tiêu chí vào tab Tiêu chí điển hình với Năm đánh giá 2026",
        "Mã điển hình",
        "ĐH-01",
    )
    assert data.errors == [error]
    assert data.exemplars == []
    assert data.blocking == {("exemplars", "ĐH-01"): [error]}


def test_without_the_tab_of_criteria_an_exemplar_is_not_also_told_it_has_none() -> None:
    tabs = as_tabs(good_unit())
    del tabs["Tiêu chí điển hình"]
    data = validate_unit(tabs, 2026, TODAY)
    assert [e.code for e in data.errors] == ["missing_tab"]
    assert data.missing_tabs == {"criteria"}
    assert [e.exemplar_id for e in data.exemplars] == ["ĐH-01"]


def test_only_the_exemplars_without_criteria_are_reported() -> None:
    rows = good_unit()
    rows["exemplars"].append({**rows["exemplars"][0], "exemplar_id": "ĐH-02"})
    data = validate_unit(as_tabs(rows), 2026, TODAY)
    assert [(e.cell, e.code, e.entity) for e in data.errors] == [("A3", "no_criteria", "ĐH-02")]
    assert [e.exemplar_id for e in data.exemplars] == ["ĐH-01"]


def test_a_duplicate_id_keeps_the_first_rows_values_and_blocks_the_id() -> None:
    rows = good_unit()
    rows["models"].append({**rows["models"][0], "name": "Bản sao"})
    rows["exemplars"].append({**rows["exemplars"][0], "name": "Bản sao"})
    data = validate_unit(as_tabs(rows), 2026, TODAY)
    assert [(e.tab, e.cell, e.column, e.entity) for e in data.errors] == [
        ("Mô hình", "A3", "Mã mô hình", "MH-001"),
        ("Điển hình", "A3", "Mã điển hình", "ĐH-01"),
    ]
    assert data.blocking == {
        ("models", "MH-001"): [data.errors[0]],
        ("exemplars", "ĐH-01"): [data.errors[1]],
    }
    assert data.read_values[("models", "MH-001")]["name"] == "Tổ tự quản thôn 1"
    assert (data.models, data.exemplars) == ([], [])


def test_a_row_without_a_readable_id_is_neither_a_duplicate_nor_unknown() -> None:
    rows = good_unit()
    rows["models"].append({**rows["models"][0], "model_id": "#REF!"})
    rows["targets"].append({**rows["targets"][0], "model_id": None})
    data = validate_unit(as_tabs(rows), 2026, TODAY)
    assert [(e.tab, e.cell, e.code) for e in data.errors] == [
        ("Mô hình", "A3", "formula_error"),
        ("Chỉ tiêu", "A4", "empty_required"),
    ]
    assert [m.model_id for m in data.models] == ["MH-001"]
    assert len(data.targets["MH-001"]) == 2


def test_a_row_pointing_to_an_unknown_id_names_no_model_and_blocks_nothing() -> None:
    rows = good_unit()
    rows["dossiers"].append({**rows["dossiers"][0], "model_id": "MH-404"})
    data = validate_unit(as_tabs(rows), 2026, TODAY)
    assert data.errors == [
        CellError(
            "Hồ sơ",
            "A3",
            "unknown_id",
            "MH-404",
            "mã “MH-404” không có trong tab Mô hình",
            "sửa mã cho khớp hoặc thêm dòng tương ứng",
            "Mã mô hình",
        )
    ]
    assert data.blocking == {} and list(data.dossiers) == ["MH-001"]


def test_an_error_in_a_row_of_another_year_does_not_keep_the_model_from_rating() -> None:
    rows = good_unit()
    rows["targets"].append({**rows["targets"][0], "year": 2025, "achieved": "?"})
    data = validate_unit(as_tabs(rows), 2026, TODAY)
    assert [e.code for e in data.errors] == ["bad_number"]
    assert [m.model_id for m in data.models] == ["MH-001"]
    assert len(data.targets["MH-001"]) == 2


def test_a_row_whose_year_cannot_be_read_keeps_its_model_from_rating() -> None:
    rows = good_unit()
    rows["targets"][0]["year"] = 1999
    data = validate_unit(as_tabs(rows), 2026, TODAY)
    assert [e.code for e in data.errors] == ["bad_year"]
    assert data.models == []
    assert list(data.blocking) == [("models", "MH-001")]
    assert len(data.targets["MH-001"]) == 1  # the other row of the year is kept


def test_a_criterion_with_an_error_keeps_its_exemplar_from_rating() -> None:
    rows = good_unit()
    rows["criteria"][0]["met"] = "có lẽ"
    data = validate_unit(as_tabs(rows), 2026, TODAY)
    assert [e.code for e in data.errors] == ["bad_yesno"]
    assert data.exemplars == [] and list(data.blocking) == [("exemplars", "ĐH-01")]
    assert len(data.criteria["ĐH-01"]) == 2


def test_an_error_of_a_model_row_blocks_it_under_its_id() -> None:
    rows = good_unit(2)
    rows["models"][1]["field"] = "?"
    data = validate_unit(as_tabs(rows), 2026, TODAY)
    assert data.blocking == {("models", "MH-002"): data.errors}
    assert [m.model_id for m in data.models] == ["MH-001"]
    assert data.read_values[("models", "MH-002")]["field"] is None


def test_a_tab_named_twice_is_read_from_the_first() -> None:
    tabs = as_tabs(good_unit())
    renamed = {(" MÔ HÌNH" if name == "Mô hình" else name): rows for name, rows in tabs.items()}
    renamed["Mô hình"] = [tabs["Mô hình"][0]]  # a second, empty, after the first
    data = validate_unit(renamed, 2026, TODAY)
    assert data.errors == [] and [m.model_id for m in data.models] == ["MH-001"]


def test_a_unit_data_blocks_only_a_named_record_for_actual_problems() -> None:
    data = UnitData(2026)
    error = CellError("T", "A1", "x", "", "m", "f")
    data.block("models", None, [error])
    data.block("models", "", [error])
    data.block("models", "MH-1", [])
    assert data.blocking == {}
    data.block("models", "MH-1", [error])
    data.block("models", "MH-1", [error])
    assert data.blocking == {("models", "MH-1"): [error, error]}


def test_a_run_validates_with_its_own_cache_and_gets_what_a_fresh_one_gives() -> None:
    rows = good_unit(2)
    rows["models"][1]["decision_date"] = "31/02/2026"
    cache = ParseCache()
    first = validate_unit(as_tabs(rows), 2026, TODAY, cache)
    again = validate_unit(as_tabs(rows), 2026, TODAY, cache)
    fresh = validate_unit(as_tabs(rows), 2026, TODAY)
    assert first.errors == again.errors == fresh.errors and len(first.errors) == 1
    assert first.models == again.models == fresh.models


def test_rows_after_one_without_an_id_or_with_an_unknown_one_are_still_read() -> None:
    rows = good_unit()
    rows["models"].insert(0, {**rows["models"][0], "model_id": None})
    rows["assessments"].insert(0, {**rows["assessments"][0], "model_id": None})
    rows["targets"].insert(0, {**rows["targets"][0], "model_id": "MH-404"})
    rows["criteria"].insert(0, {**rows["criteria"][0], "exemplar_id": "ĐH-404"})
    data = validate_unit(as_tabs(rows), 2026, TODAY)
    assert [(e.tab, e.cell, e.code) for e in data.errors] == [
        ("Mô hình", "A2", "empty_required"),  # each tab's own errors first, then across tabs
        ("Đánh giá", "A2", "empty_required"),
        ("Chỉ tiêu", "A2", "unknown_id"),
        ("Tiêu chí điển hình", "A2", "unknown_id"),
    ]
    assert [m.model_id for m in data.models] == ["MH-001"]
    assert len(data.targets["MH-001"]) == 2 and len(data.criteria["ĐH-01"]) == 3
    assert list(data.assessments) == ["MH-001"]


def test_an_end_before_the_founding_is_an_error_and_the_model_is_not_rated() -> None:
    rows = good_unit(2)
    rows["models"][0].update(status="Đã kết thúc", end_date=date(2023, 5, 1))
    result = evaluate_unit(
        UNIT, as_tabs(rows), 2026, TODAY, date(2026, 10, 31), set(), "mean_ratio"
    )
    assert [str(e) for e in result.errors] == [
        "tab Mô hình, ô K2: “01/05/2023” ngày kết thúc trước ngày quyết định thành lập "
        "(01/03/2024, ô G2) — sửa Ngày kết thúc hoặc Ngày quyết định thành lập cho đúng"
    ]
    ended, other = result.models
    assert ended.rating.level == "Chưa xếp loại"
    assert ended.rating.reasons[0].startswith("Chưa xếp loại được vì dữ liệu có lỗi (tab Mô hình")
    assert other.rating.level == "Tốt"


def test_an_end_before_the_founding_is_told_on_any_row_with_its_column_and_model() -> None:
    rows = good_unit(3)
    rows["models"][1].update(status="Đã kết thúc", end_date=date(2023, 5, 1))
    data = validate_unit(as_tabs(rows), 2026, TODAY)
    (error,) = data.errors
    assert (error.cell, error.column, error.entity) == ("K3", "Ngày kết thúc", "MH-002")
    rows["models"][1].update(model_id="")  # its ID unread: the error names no model
    ended = [e for e in validate_unit(as_tabs(rows), 2026, TODAY).errors if e.cell == "K3"]
    assert [(e.code, e.entity) for e in ended] == [("end_before_start", "")]


def test_an_end_on_the_founding_day_is_no_error() -> None:
    rows = good_unit()
    rows["models"][0].update(status="Đã kết thúc", end_date=date(2024, 3, 1))
    assert errors_of(rows) == []


# --- dossier columns by their number (SPEC §3.4) ----------------------------------------------

GUIDE_6 = (
    "(6) Quyết định thành lập mô hình; Ban Chỉ đạo xây dựng mô hình; danh sách thành viên mô hình."
)


def _dossier_header(tabs: dict, number: int, header: str) -> dict:
    head = tabs["Hồ sơ"][0]
    head[[str(h).startswith(f"({number})") for h in head].index(True)] = header
    return tabs


@pytest.mark.parametrize(
    "header",
    [
        GUIDE_6,
        "Quyết định thành lập mô hình; Ban Chỉ đạo xây dựng mô hình; danh sách thành viên mô hình",
        "(6)",
        " (6)  QĐ thành lập ",
    ],
    ids=["guide_title_numbered", "guide_title_alone", "number_alone", "number_and_short_title"],
)
def test_a_dossier_column_is_found_by_its_number_or_the_guides_title(header: str) -> None:
    tabs = _dossier_header(as_tabs(good_unit(2)), 6, header)
    result = evaluate_unit(UNIT, tabs, 2026, TODAY, date(2026, 10, 31), set(), "mean_ratio")
    assert result.errors == []
    assert [m.level for m in result.models] == ["Tốt", "Tốt"]


def test_a_number_is_not_taken_for_another_that_begins_alike() -> None:
    """(1) is not (10), (11) … (16): the number is read whole."""
    tabs = as_tabs(good_unit())
    head = tabs["Hồ sơ"][0]
    for number in (1, 10, 11):
        _dossier_header(tabs, number, f"({number})")
    assert head[1:4] == [
        "(1)",
        "(2) Báo cáo kết quả khảo sát",
        "(3) Báo cáo đề xuất xây dựng mô hình",
    ]
    data = validate_unit(tabs, 2026, TODAY)
    assert data.errors == [] and data.dossiers["MH-001"].present == frozenset(range(1, 17))


def test_a_required_dossier_column_not_found_blocks_every_model_never_yeu() -> None:
    """The issue's case: a header the reader does not know was an absent document (Yếu)."""
    tabs = _dossier_header(as_tabs(good_unit(2)), 6, "Quyết định thành lập")
    result = evaluate_unit(UNIT, tabs, 2026, TODAY, date(2026, 10, 31), set(), "mean_ratio")
    assert [str(e) for e in result.errors] == [
        "tab Hồ sơ, ô R1: thiếu cột “(6) Quyết định thành lập, danh sách thành viên” — thêm "
        "cột có tiêu đề “(6) Quyết định thành lập, danh sách thành viên” vào dòng 1 (dòng tiêu "
        "đề cột)"
    ]
    assert [m.level for m in result.models] == ["Chưa xếp loại", "Chưa xếp loại"]
    assert {m.rating.reasons for m in result.models} == {
        (
            "Chưa xếp loại được vì dữ liệu có lỗi (tab Hồ sơ, ô R1): sửa các lỗi này, lần chạy "
            "sau phần mềm xếp loại lại",
        )
    }


@pytest.mark.parametrize(
    ("tab", "column", "kind"),
    [
        ("Mô hình", "Cấp quyết định", "models"),
        ("Chỉ tiêu", "Kế hoạch", "models"),
        ("Đánh giá", "Báo cáo kịp thời", "models"),
        ("Điển hình", "Danh hiệu thi đua", "exemplars"),
        ("Tiêu chí điển hình", "Đạt", "exemplars"),
    ],
)
def test_a_column_not_found_keeps_what_it_concerns_unrated(
    tab: str, column: str, kind: str
) -> None:
    tabs = as_tabs(good_unit(2))
    at = tabs[tab][0].index(column)
    tabs[tab] = [row[:at] + row[at + 1 :] for row in tabs[tab]]
    result = evaluate_unit(UNIT, tabs, 2026, TODAY, date(2026, 10, 31), set(), "mean_ratio")
    assert [e.code for e in result.errors] == ["missing_header"]
    if kind == "models":
        assert [m.level for m in result.models] == ["Chưa xếp loại", "Chưa xếp loại"]
        assert all("dữ liệu có lỗi (tab " + tab in m.rating.reasons[0] for m in result.models)
        assert [e.result is not None for e in result.exemplars] == [True]
    else:
        assert [e.result for e in result.exemplars] == [None]
        assert [m.level for m in result.models] == ["Tốt", "Tốt"]
