"""Issue 12: the computed rating is the proposal, a recorded decision is the result (seed 002,
III.2.c), checked against the criteria as the province does (IV.4)."""

from datetime import date

import pytest

from tests.conftest import TODAY, as_tabs, good_unit
from worker.core import rules
from worker.core.evaluate import Unit, evaluate_unit
from worker.core.layout import load
from worker.core.records import Assessment, Dossier
from worker.core.results import model_row
from worker.core.validation import validate_unit

UNIT = Unit("U1", "Công an xã Thử", "Xã", "", ("a@example.gov.vn",), "u1.xlsx", True)
R = date(2026, 10, 31)
R_BEFORE = date(2025, 10, 31)
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


# --- rules.check_decision -------------------------------------------------------------------

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
    check = rules.check_decision("Tốt", rating, assessment, FULL)
    assert (check.kind, check.text) == (rules.SAME, "")


def test_a_decision_above_the_criteria_names_every_unmet_criterion() -> None:
    rating, assessment = rating_of(80, socialised=False)
    assert rating.level == "Khá"
    check = rules.check_decision("Tốt", rating, assessment, FULL)
    assert check.kind == rules.ABOVE
    assert check.text == (
        "Công nhận cao hơn tiêu chí: mới hoàn thành 80% chỉ tiêu (cần từ 90% trở lên); "
        "chưa thu hút được các nguồn lực xã hội hóa"
    )


def test_a_decision_above_a_forced_yeu_names_the_trigger() -> None:
    rating, assessment = rating_of(95, formalistic=True)
    assert rating.level == "Yếu"
    check = rules.check_decision("Khá", rating, assessment, FULL)
    assert check.unmet == ("hoạt động mang tính hình thức",)


def test_a_decision_below_the_proposal_is_only_noted() -> None:
    rating, assessment = rating_of(95)
    check = rules.check_decision("Khá", rating, assessment, FULL)
    assert (check.kind, check.text) == (rules.BELOW, "Công nhận thấp hơn đề xuất")


def test_a_decision_for_a_model_that_could_not_be_rated_is_above_the_criteria() -> None:
    rating = rules.Rating(rules.UNRATED, ("Chưa đủ điều kiện xếp loại: mới hoạt động 4 tháng",))
    check = rules.check_decision("Trung bình", rating, None, None)
    assert check.kind == rules.ABOVE
    assert check.unmet == rating.reasons


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
        "Công nhận cao hơn tiêu chí: chưa thu hút được các nguồn lực xã hội hóa"
    )


# --- the second rated year: (13) from the history or from eligibility in Y−1 ----------------


def missing_13(decided: date, rated_before: frozenset[str] = frozenset()) -> bool:
    rows = good_unit(1)
    rows["models"][0]["decision_date"] = decided
    rows["dossiers"][0]["doc13"] = ""
    result = evaluate(rows, rated_before, previous_reference=R_BEFORE)
    return 13 in result.models[0].rating.missing_documents


@pytest.mark.parametrize(
    ("decided", "second_year"),
    [
        (date(2024, 12, 31), True),  # + 10 months = 31/10/2025 = R of 2025: eligible then
        (date(2025, 1, 1), False),  # + 10 months = 01/11/2025: one day late, first year
        (date(2023, 5, 1), True),
    ],
    ids=["eligible_on_the_last_day_of_y_minus_1", "one_day_late", "long_established"],
)
def test_a_model_eligible_in_the_year_before_is_in_its_second_rated_year(
    decided: date, second_year: bool
) -> None:
    assert missing_13(decided) is second_year


def test_a_rating_in_the_history_makes_the_second_year_without_eligibility_before() -> None:
    assert missing_13(date(2025, 1, 1), frozenset({"MH-001"})) is True


def test_without_a_reference_of_the_year_before_only_the_history_counts() -> None:
    rows = good_unit(1)
    rows["dossiers"][0]["doc13"] = ""
    assert 13 not in evaluate(rows).models[0].rating.missing_documents
