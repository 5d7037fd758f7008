"""Issue 12: the computed rating is the proposal, a recorded decision is the result (seed 002,
III.2.c), checked against the criteria as the province does (IV.4)."""

from datetime import date

import pytest

from tests.conftest import TODAY, as_tabs, good_unit
from worker.core import decisions, rules
from worker.core.evaluate import Unit, evaluate_unit
from worker.core.layout import load
from worker.core.records import Assessment, Dossier
from worker.core.results import model_row
from worker.core.validation import validate_unit

UNIT = Unit("U1", "Công an xã Thử", "Xã", "", ("a@example.gov.vn",), "u1.xlsx", True)
R = date(2026, 10, 31)
DECISION = {
    "decided_level": "Tốt",
    "decided_no": "45/QĐ-UBND",
    "decided_date": date(2026, 10, 20),
    "decided_by": "UBND huyện",
}


def without_decision_columns(tabs: dict) -> dict:
    """An older sheet: the tab Đánh giá as it was before the decision columns existed."""
    tab = load("unit").tab("assessments")
    keep = [i for i, c in enumerate(tab.columns) if not c.optional]
    tabs[tab.name] = [[row[i] for i in keep] for row in tabs[tab.name]]
    return tabs


def evaluate(rows: dict, rated_before: frozenset[str] = frozenset(), **kw: object):
    tabs = as_tabs(rows)
    return evaluate_unit(UNIT, tabs, 2026, TODAY, R, set(rated_before), "mean_ratio", **kw)


def test_an_older_sheet_without_the_decision_columns_is_still_valid() -> None:
    tabs = without_decision_columns(as_tabs(good_unit(2)))
    assert len(tabs["Đánh giá"][0]) == 14  # the four columns are really gone
    data = validate_unit(tabs, 2026, TODAY)
    assert data.errors == []
    assert data.assessments["MH-001"].decision is None


def test_a_recorded_decision_is_read_with_its_number_date_and_authority() -> None:
    rows = good_unit(1)
    rows["assessments"][0].update(DECISION)
    data = validate_unit(as_tabs(rows), 2026, TODAY)
    assert data.errors == []
    decision = data.assessments["MH-001"].decision
    assert decision is not None
    assert (decision.level, decision.number, decision.on, decision.authority) == (
        "Tốt",
        "45/QĐ-UBND",
        date(2026, 10, 20),
        "UBND huyện",
    )
    assert decision.describe() == "45/QĐ-UBND ngày 20/10/2026 của UBND huyện"
    # the decision's cells are not checklist ticks
    assert not set(data.assessments["MH-001"].ticks) & {"decided_level", "decided_no"}


def test_a_decided_level_outside_the_four_levels_names_the_cell() -> None:
    rows = good_unit(1)
    rows["assessments"][0].update(DECISION, decided_level="Xuất sắc")
    errors = validate_unit(as_tabs(rows), 2026, TODAY).errors
    assert len(errors) == 1
    assert errors[0].tab == "Đánh giá"
    assert errors[0].column == "Xếp loại được công nhận"
    assert errors[0].cell == "O2"
    assert errors[0].code == "not_allowed"


def test_a_decision_date_in_the_future_is_an_error() -> None:
    rows = good_unit(1)
    rows["assessments"][0].update(DECISION, decided_date=date(2026, 11, 8))
    errors = validate_unit(as_tabs(rows), 2026, TODAY).errors
    assert [(e.tab, e.column) for e in errors] == [("Đánh giá", "Ngày quyết định")]


def test_a_decision_number_without_a_decided_level_is_reported() -> None:
    rows = good_unit(1)
    rows["assessments"][0].update(DECISION, decided_level="")
    errors = validate_unit(as_tabs(rows), 2026, TODAY).errors
    assert [(e.cell, e.code) for e in errors] == [("O2", "decision_without_level")]
    assert "Xếp loại được công nhận" in errors[0].fix


# --- decisions.check_decision ---------------------------------------------------------------------

ALL = {c.key: True for c in rules.CONDITIONS}
FULL = Dossier("M1", frozenset(range(1, 17)))


def rating_of(percent: int, **off: bool) -> tuple[rules.Rating, Assessment]:
    from fractions import Fraction

    from worker.core.records import Target

    assessment = Assessment("M1", 2026, {**ALL, **off})
    targets = [Target("M1", 2026, "t", Fraction(100), Fraction(percent))]
    return rules.rate(targets, assessment, FULL, False), assessment


def test_a_decision_equal_to_the_proposal_is_not_flagged() -> None:
    rating, assessment = rating_of(95)
    check = decisions.check_decision("Tốt", rating, assessment, FULL)
    assert (check.kind, check.text) == (decisions.SAME, "")


def test_a_decision_above_the_criteria_names_every_unmet_criterion() -> None:
    rating, assessment = rating_of(80, socialised=False)
    assert rating.level == "Khá"
    check = decisions.check_decision("Tốt", rating, assessment, FULL)
    assert check.kind == decisions.ABOVE
    assert check.text == (
        "Công nhận cao hơn mức tiêu chí: mới hoàn thành 80% chỉ tiêu (cần từ 90% trở lên); "
        "chưa thu hút được các nguồn lực xã hội hóa"
    )


def test_a_decision_above_a_forced_yeu_names_the_trigger() -> None:
    rating, assessment = rating_of(95, formalistic=True)
    assert rating.level == "Yếu"
    check = decisions.check_decision("Khá", rating, assessment, FULL)
    assert check.unmet == ("hoạt động mang tính hình thức",)


def test_a_decision_below_the_proposal_is_only_noted() -> None:
    rating, assessment = rating_of(95)
    check = decisions.check_decision("Khá", rating, assessment, FULL)
    assert (check.kind, check.text) == (decisions.BELOW, "Công nhận thấp hơn đề xuất")


def test_a_decision_for_a_model_that_could_not_be_rated_is_not_valid() -> None:
    rating = rules.Rating(rules.UNRATED, ("Chưa đủ điều kiện xếp loại: mới hoạt động 4 tháng",))
    check = decisions.check_decision("Trung bình", rating, None, None)
    assert (check.kind, check.counted) == (decisions.INVALID, False)
    assert check.unmet == rating.reasons
    assert check.text == (
        "Quyết định không hợp lệ, không được tính: "
        "Chưa đủ điều kiện xếp loại: mới hoạt động 4 tháng"
    )


# --- evaluation: the result and the Kết quả row ---------------------------------------------


def test_the_result_is_the_decision_and_the_proposal_stays_beside_it() -> None:
    rows = good_unit(2)
    rows["assessments"][0]["socialised"] = ""  # MH-001: Khá by the criteria
    rows["assessments"][0].update(DECISION)  # ... decided Tốt
    result = evaluate(rows)
    first, second = result.models
    assert (first.level, first.final, first.differs) == ("Khá", "Tốt", True)
    assert (second.level, second.final, second.differs) == ("Tốt", "Tốt", False)
    assert result.count("Tốt") == 2 and result.count("Khá") == 0
    row = dict(zip(load("unit").section("models").headers, model_row(first), strict=True))
    assert row["Xếp loại đề xuất"] == "Khá"
    assert row["Xếp loại được công nhận"] == "Tốt"
    assert row["Quyết định công nhận"] == "45/QĐ-UBND ngày 20/10/2026 của UBND huyện"
    assert row["Đối chiếu với tiêu chí"] == (
        "Công nhận cao hơn mức tiêu chí: chưa thu hút được các nguồn lực xã hội hóa"
    )


# --- (13): required when the model was rated for Y−1 ---------------------------------------


def missing_13(rated_before: frozenset[str] = frozenset(), row_of: int | None = None) -> bool:
    """Whether (13) is missing for a model established long ago; `row_of`: a year whose row
    the tab Đánh giá also has."""
    rows = good_unit(1)
    rows["models"][0]["decision_date"] = date(2023, 5, 1)  # eligible in 2025 and before
    rows["dossiers"][0]["doc13"] = ""
    if row_of is not None:
        rows["assessments"].append({**rows["assessments"][0], "year": row_of})
    result = evaluate(rows, rated_before)
    return 13 in result.models[0].rating.missing_documents


def test_a_model_eligible_but_never_rated_in_the_year_before_needs_no_13() -> None:
    assert missing_13() is False


def test_a_rating_of_the_year_before_in_the_history_requires_13() -> None:
    assert missing_13(frozenset({"MH-001"})) is True


@pytest.mark.parametrize(
    ("year", "required"),
    [(2025, True), (2024, False)],
    ids=["row_of_y_minus_1", "row_of_y_minus_2_only"],
)
def test_an_evaluation_row_of_the_year_before_in_the_sheet_requires_13(
    year: int, required: bool
) -> None:
    assert missing_13(row_of=year) is required
