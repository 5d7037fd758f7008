"""Issue 18: the official numbers as the guide counts them, each rule at its boundaries — which
decisions count, how they are noted, what makes a model Yếu, why a model is Chưa xếp loại, and
no percentage shown at a threshold it misses (SPEC §3.3–3.5)."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

import pytest

from tests.conftest import as_tabs, good_unit
from worker.core import decisions, rules
from worker.core.evaluate import ModelResult, Unit, UnitResult, evaluate_unit
from worker.core.layout import load
from worker.core.records import Assessment, Criterion, Dossier, Exemplar, Target
from worker.core.registry import load_registry
from worker.core.results import percent_cell

UNIT = Unit("U1", "Công an xã Thử", "Xã", "", ("a@example.gov.vn",), "u1.xlsx", True)
R = date(2026, 10, 31)
AFTER = date(2026, 11, 16)  # the consolidation day: every decision of 01–10/11 is in the past
ALL = {c.key: True for c in rules.CONDITIONS}
FULL = Dossier("M1", frozenset(range(1, 17)))


def decide(rows: dict[str, list[dict[str, Any]]], level: str, **kw: object) -> None:
    """MH-001's decision, by the body that established it, on 06/11 unless said."""
    rows["assessments"][0].update(
        decided_level=level,
        decided_no="45/QĐ-UBND",
        decided_date=kw.pop("on", date(2026, 11, 6)),
        decided_by=kw.pop("by", "UBND xã"),
        **kw,
    )


def evaluate(rows: dict[str, list[dict[str, Any]]], **kw: Any) -> UnitResult:
    return evaluate_unit(UNIT, as_tabs(rows), 2026, AFTER, R, set(), "mean_ratio", **kw)


def first(rows: dict[str, list[dict[str, Any]]], **kw: Any) -> ModelResult:
    return evaluate(rows, **kw).models[0]


# --- 1. a decision for a model that is not eligible is not counted --------------------------


@pytest.mark.parametrize(
    ("change", "kind"),
    [
        ({"decision_date": date(2026, 1, 1)}, rules.UNRATED_YOUNG),
        ({"status": "Đã kết thúc", "end_date": date(2026, 10, 31)}, rules.UNRATED_ENDED),
    ],
    ids=["one_day_short_of_ten_months", "ended_on_the_reference_date"],
)
def test_a_decision_for_a_model_not_eligible_is_not_counted(
    change: dict[str, object], kind: str
) -> None:
    rows = good_unit(1)
    rows["models"][0].update(change)
    decide(rows, "Tốt")
    m = first(rows)
    assert (m.level, m.final, m.counted, m.unrated) == (
        "Chưa xếp loại",
        "Chưa xếp loại",
        False,
        kind,
    )
    assert m.check is not None and m.check.kind == decisions.INVALID
    assert m.check.text.startswith(
        "Quyết định không hợp lệ, không được tính: Chưa đủ điều kiện xếp loại: "
    )
    assert m.audited


def test_a_decision_for_a_model_ten_months_old_on_the_day_counts() -> None:
    rows = good_unit(1)
    rows["models"][0]["decision_date"] = date(2025, 12, 31)  # + 10 months = 31/10/2026 = R
    decide(rows, "Khá")
    m = first(rows)
    assert (m.level, m.final, m.counted) == ("Tốt", "Khá", True)


def test_a_decision_for_a_model_without_targets_is_not_counted() -> None:
    rows = good_unit(1)
    rows["targets"] = []
    decide(rows, "Tốt")
    m = first(rows)
    assert (m.final, m.counted, m.unrated) == ("Chưa xếp loại", False, rules.UNRATED_NO_TARGETS)
    assert m.check is not None
    assert m.check.unmet == ("chưa có chỉ tiêu năm 2026 trong tab Chỉ tiêu",)


# --- 2. above the criteria: counted, marked, kept out of replication ------------------------


def test_a_decision_above_the_criteria_counts_and_is_marked_and_reviewed() -> None:
    rows = good_unit(1)
    rows["assessments"][0]["socialised"] = ""  # Khá by the criteria
    decide(rows, "Tốt")
    m = first(rows)
    assert (m.level, m.final, m.above, m.counted) == ("Khá", "Tốt", True, True)
    assert (m.to_replicate, m.to_review, m.to_terminate) == (False, True, False)
    assert m.check is not None
    assert m.check.text == (
        "Công nhận cao hơn mức tiêu chí: chưa thu hút được các nguồn lực xã hội hóa"
    )


def test_a_model_tot_by_decision_and_criteria_is_proposed_for_replication() -> None:
    rows = good_unit(1)
    decide(rows, "Tốt")
    m = first(rows)
    assert (m.to_replicate, m.to_review, m.above) == (True, False, False)


def test_a_model_tot_by_criteria_decided_kha_is_not_replicated() -> None:
    rows = good_unit(1)
    decide(rows, "Khá")
    m = first(rows)
    assert (m.final, m.to_replicate, m.to_review) == ("Khá", False, False)


def test_a_model_yeu_by_performance_decided_tot_stays_proposed_for_termination() -> None:
    rows = good_unit(1)
    rows["assessments"][0]["formalistic"] = "Có"
    decide(rows, "Tốt")
    m = first(rows)
    assert (m.level, m.final, m.to_terminate, m.to_review, m.to_replicate) == (
        "Yếu",
        "Tốt",
        True,
        True,
        False,
    )


# --- 3. an unknown decided level is an error on its cell; the proposal stands ---------------


@pytest.mark.parametrize("text", ["Xuất sắc", "Tot", "Chưa xếp loại"])
def test_an_unknown_decided_level_is_an_error_and_the_proposal_stands(text: str) -> None:
    rows = good_unit(1)
    rows["assessments"][0]["socialised"] = ""  # Khá by the criteria
    decide(rows, text)
    result = evaluate(rows)
    [error] = result.errors
    assert (error.tab, error.cell, error.code, error.value) == (
        "Đánh giá",
        "O2",
        "not_allowed",
        text,
    )
    m = result.models[0]
    assert (m.level, m.final, m.decision, m.counted) == ("Khá", "Khá", None, False)
    assert result.count("Khá") == 1


def test_a_bad_decision_date_is_an_error_and_the_level_still_counts() -> None:
    rows = good_unit(1)
    decide(rows, "Khá", on="31/11/2026")
    result = evaluate(rows)
    assert [(e.cell, e.code) for e in result.errors] == [("Q2", "bad_date")]
    m = result.models[0]
    assert (m.level, m.final, m.counted) == ("Tốt", "Khá", True)


# --- 4. the decision's date and body are noted, and it still counts -------------------------


@pytest.mark.parametrize(
    ("on", "note"),
    [
        (
            date(2026, 10, 30),
            "quyết định ngày 30/10/2026, trước khi kết thúc kỳ đánh giá (31/10/2026)",
        ),
        (date(2026, 10, 31), None),
        (date(2026, 11, 10), None),
        (date(2026, 11, 11), "quyết định ngày 11/11/2026, sau hạn 10/11/2026"),
    ],
    ids=["day_before_the_period_ends", "last_day_of_the_period", "deadline", "day_after"],
)
def test_a_decision_dated_outside_its_window_is_noted_and_counted(
    on: date, note: str | None
) -> None:
    rows = good_unit(1)
    decide(rows, "Tốt", on=on)
    m = first(rows)
    assert m.counted and m.final == "Tốt"
    assert m.check is not None and m.check.notes == ((note,) if note else ())
    assert m.audited is bool(note)


def test_the_calendars_decision_day_moves_the_deadline() -> None:
    rows = good_unit(1)
    decide(rows, "Tốt", on=date(2026, 11, 12))
    assert first(rows, decision_day=date(2026, 11, 12)).check.notes == ()  # type: ignore[union-attr]
    assert first(rows, decision_day=date(2026, 11, 11)).check.notes == (  # type: ignore[union-attr]
        "quyết định ngày 12/11/2026, sau hạn 11/11/2026",
    )


@pytest.mark.parametrize(
    ("established", "by", "noted"),
    [
        ("UBND xã", "UBND huyện", True),
        ("UBND xã", "  ubnd  XÃ ", False),
        ("UBND xã", "", False),
    ],
    ids=["another_body", "same_body_spelt_otherwise", "body_not_given"],
)
def test_a_decision_by_a_body_other_than_the_establishing_one_is_noted(
    established: str, by: str, noted: bool
) -> None:
    rows = good_unit(1)
    rows["models"][0]["authority"] = established
    decide(rows, "Tốt", by=by)
    m = first(rows)
    assert m.counted and m.final == "Tốt"
    expected = ("cấp quyết định “UBND huyện” khác cấp thành lập mô hình “UBND xã”",)
    assert m.check is not None and m.check.notes == (expected if noted else ())


def test_an_invalid_decision_carries_no_date_note() -> None:
    rows = good_unit(1)
    rows["targets"] = []
    decide(rows, "Tốt", on=date(2026, 11, 20))
    m = first(rows, decision_day=date(2026, 11, 10))
    assert m.check is not None and (m.check.kind, m.check.notes) == (decisions.INVALID, ())


# --- 6. a Yếu rating carries its kind ------------------------------------------------------


def rating(
    percent: Fraction, present: frozenset[int] = FULL.present, **ticks: bool
) -> rules.Rating:
    assessment = Assessment("M1", 2026, {**ALL, **ticks})
    targets = [Target("M1", 2026, "t", Fraction(100), percent)]
    return rules.rate(targets, assessment, Dossier("M1", present), rated_before=True)


@pytest.mark.parametrize(
    ("percent", "present", "ticks", "weakness"),
    [
        (Fraction(50), FULL.present - {13}, {}, rules.BY_DOSSIER),
        (Fraction(4999, 100), FULL.present - {13}, {}, rules.BY_PERFORMANCE),
        (Fraction(95), frozenset(), {}, rules.BY_DOSSIER),
        (Fraction(95), FULL.present - {13}, {"by_rules": False}, rules.BY_PERFORMANCE),
        (Fraction(95), FULL.present - {13}, {"formalistic": True}, rules.BY_PERFORMANCE),
        (Fraction(95), FULL.present, {"disciplined": True}, rules.BY_PERFORMANCE),
        (Fraction(95), FULL.present, {"untruthful": True}, rules.BY_PERFORMANCE),
        (Fraction(95), FULL.present, {"reports_proper": False}, rules.BY_PERFORMANCE),
    ],
    ids=[
        "fifty_percent_only_13_missing",
        "just_under_fifty",
        "no_document_at_all",
        "not_by_the_rules_and_a_document_missing",
        "formalistic",
        "disciplined",
        "untruthful",
        "improper_reports",
    ],
)
def test_a_yeu_rating_says_whether_its_work_or_only_its_dossier_makes_it_yeu(
    percent: Fraction, present: frozenset[int], ticks: dict[str, bool], weakness: str
) -> None:
    r = rating(percent, present, **ticks)
    assert (r.level, r.weakness, r.dossier_only) == ("Yếu", weakness, weakness == rules.BY_DOSSIER)


def test_a_rating_above_yeu_has_no_weakness() -> None:
    assert rating(Fraction(50)).weakness == ""


def test_a_model_yeu_only_for_its_dossier_is_listed_to_complete_not_to_end() -> None:
    rows = good_unit(1)
    rows["dossiers"][0]["doc11"] = ""
    m = first(rows)
    assert (m.level, m.to_complete, m.to_terminate) == ("Yếu", True, False)
    assert m.rating.steps[0] == rules.Step("Tốt", (11,), ())


# --- 7. why a model is Chưa xếp loại --------------------------------------------------------


def test_each_model_not_rated_has_one_reason_kind() -> None:
    rows = good_unit(6)
    models = rows["models"]
    models[0]["decision_date"] = date(2026, 3, 1)  # young
    models[1].update(status="Đã kết thúc", end_date=date(2026, 5, 1))  # ended
    models[2].update(status="Đã kết thúc", decision_date=date(2026, 3, 1))  # ended and young
    rows["targets"] = [t for t in rows["targets"] if t["model_id"] != "MH-004"]  # no targets
    models[4]["decision_no"] = ""  # no establishment decision: the sheet lacks it
    rows["targets"][-1]["planned"] = "nhiều"  # MH-006: a data error blocks it
    kinds = {m.model.model_id: m.unrated for m in evaluate(rows).models}
    assert kinds == {
        "MH-001": rules.UNRATED_YOUNG,
        "MH-002": rules.UNRATED_ENDED,
        "MH-003": rules.UNRATED_ENDED,
        "MH-004": rules.UNRATED_NO_TARGETS,
        "MH-005": rules.UNRATED_DATA,
        "MH-006": rules.UNRATED_DATA,
    }


def test_a_model_without_its_rows_is_not_rated_for_want_of_data() -> None:
    rows = good_unit(1)
    rows["dossiers"] = []
    assert first(rows).unrated == rules.UNRATED_DATA


def test_a_rated_model_has_no_unrated_kind() -> None:
    assert first(good_unit(1)).unrated == ""


# --- 9. no percentage shown at a threshold it misses ---------------------------------------


def shown(value: float) -> str:
    """What a spreadsheet shows of a cell formatted 0.00%: the percentage rounded half up."""
    return str((Decimal(value) * 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


@pytest.mark.parametrize(
    ("threshold", "level", "reason"),
    [
        (90, "Khá", "Chưa đạt Tốt: mới hoàn thành 89,99% chỉ tiêu (cần từ 90% trở lên)"),
        (70, "Trung bình", "Chưa đạt Khá: mới hoàn thành 69,99% chỉ tiêu (cần từ 70% trở lên)"),
        (50, "Yếu", "Yếu vì chỉ hoàn thành 49,99% chỉ tiêu (dưới 50%)"),
    ],
    ids=["ninety", "seventy", "fifty"],
)
def test_a_completion_just_under_a_threshold_never_shows_the_threshold(
    threshold: int, level: str, reason: str
) -> None:
    percent = threshold - Fraction(1, 1000)  # 89,999 %
    r = rating(percent)
    assert (r.level, r.reasons) == (level, (reason,))
    assert shown(percent_cell(percent)) == f"{threshold - 1}.99"  # type: ignore[arg-type]
    exactly = rating(Fraction(threshold))
    assert rules.format_percent(Fraction(threshold)) == str(threshold)
    assert shown(percent_cell(Fraction(threshold))) == f"{threshold}.00"  # type: ignore[arg-type]
    assert exactly.level != level


def test_an_exemplar_just_under_seventy_percent_never_shows_seventy() -> None:
    exemplar = Exemplar("E1", "Tổ tự quản", "Tập thể", "Đang xây dựng", date(2025, 11, 1))
    criteria = [Criterion("E1", 2026, f"c{i}", i < 6999) for i in range(10_000)]
    result = rules.assess_exemplar(exemplar, criteria, R)
    assert result.flagged and result.percent == Fraction(6999, 100)
    criteria = [Criterion("E1", 2026, f"c{i}", i < 2333) for i in range(3333)]
    result = rules.assess_exemplar(exemplar, criteria, R)  # 69,9969… %
    assert result.flagged
    assert rules.format_percent(result.percent) == "69,99"  # type: ignore[arg-type]
    assert shown(percent_cell(result.percent)) == "69.99"  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("value", "cell", "text"),
    [
        (Fraction(200, 3), "66.66", "66,66"),
        (Fraction(1, 3), "0.33", "0,33"),
        (Fraction(8999, 100), "89.99", "89,99"),
        (Fraction(0), "0.00", "0"),
        (Fraction(100), "100.00", "100"),
    ],
)
def test_a_percentage_shows_the_same_hundredths_in_a_cell_and_in_text(
    value: Fraction, cell: str, text: str
) -> None:
    assert (shown(percent_cell(value)), rules.format_percent(value)) == (cell, text)  # type: ignore[arg-type]


# --- 11. the registry takes the levels of local government since 01/07/2025 ------------------


@pytest.mark.parametrize(
    ("level", "accepted"),
    [
        ("Tỉnh", True),
        ("Xã", True),
        ("Phường", True),
        ("đặc khu", True),
        ("Huyện", True),  # a registry kept from before 01/07/2025 stays valid
        ("Quận", False),
    ],
)
def test_the_registry_takes_the_two_levels_of_local_government(level: str, accepted: bool) -> None:
    tab = load("registry").tab("units")
    row = {
        "unit_id": "U1",
        "name": "Công an xã Thử",
        "level": level,
        "emails": "a@example.gov.vn",
        "sheet": "units/u1.xlsx",
        "active": "Có",
    }
    tabs = {tab.name: [[c.header for c in tab.columns], [row.get(c.key) for c in tab.columns]]}
    registry = load_registry(tabs)
    # a level not allowed is told, and withholds nothing else: the unit is read all the same
    assert [u.level for u in registry.units] == ([level.capitalize()] if accepted else [""])
    assert [e.code for e in registry.errors] == ([] if accepted else ["not_allowed"])
