"""The rules of seed 002 (III.2, III.3, IV, V.1) at their boundaries."""

import math
import random
from datetime import date, timedelta
from fractions import Fraction

import pytest

from worker.core import decisions, rules
from worker.core.months import add_months, full_months
from worker.core.records import Assessment, Criterion, Dossier, Exemplar, Model, Target

R = date(2026, 10, 31)
ALL_TICKS = {c.key: True for c in rules.CONDITIONS}
FULL_DOSSIER = Dossier("M1", frozenset(range(1, 17)))


def model(decided: date | None = date(2025, 1, 1), **kw: object) -> Model:
    base = dict(
        model_id="M1",
        name="Tổ tự quản",
        field="Kinh tế",
        status="Đang hoạt động",
        decision_no="12/QĐ-UBND",
        decision_date=decided,
        authority="UBND xã",
    )
    return Model(**{**base, **kw})  # type: ignore[arg-type]


def targets(*pairs: tuple[int, int]) -> list[Target]:
    return [Target("M1", 2026, f"t{i}", Fraction(p), Fraction(a)) for i, (p, a) in enumerate(pairs)]


def ticks(**off: bool) -> Assessment:
    return Assessment("M1", 2026, {**ALL_TICKS, **off})


@pytest.mark.parametrize(
    ("start", "months", "end"),
    [
        (date(2025, 8, 31), 10, date(2026, 6, 30)),
        (date(2025, 12, 31), 10, date(2026, 10, 31)),
        (date(2025, 4, 30), 10, date(2026, 2, 28)),
        (date(2023, 4, 29), 10, date(2024, 2, 29)),
        (date(2025, 1, 15), 12, date(2026, 1, 15)),
    ],
    ids=[
        "clamped_to_june_30",
        "december_31_to_october_31",
        "clamped_to_february_28",
        "leap_february_29",
        "one_year",
    ],
)
def test_add_months_follows_the_civil_code(start: date, months: int, end: date) -> None:
    assert add_months(start, months) == end


@pytest.mark.parametrize(
    ("decided", "eligible", "months"),
    [
        (date(2025, 12, 31), True, 10),
        (date(2026, 1, 1), False, 9),
        (date(2025, 8, 31), True, 14),
        (date(2024, 11, 1), True, 23),
    ],
    ids=["exactly_ten_months_on_r", "one_day_short", "month_end_clamped", "long_running"],
)
def test_a_model_is_eligible_after_ten_full_months(
    decided: date, eligible: bool, months: int
) -> None:
    result = rules.eligibility(model(decided), R)
    assert (result.eligible, result.months) == (eligible, months)


def test_a_model_short_of_ten_months_says_when_it_will_be_eligible() -> None:
    result = rules.eligibility(model(date(2026, 1, 1)), R)
    assert result.reasons == (
        "mới hoạt động 9 tháng tính đến 31/10/2026, chưa đủ 10 tháng (đủ vào ngày 01/11/2026)",
    )


def test_a_model_without_a_decision_is_not_eligible_and_names_what_is_missing() -> None:
    result = rules.eligibility(model(None, decision_no="", authority=""), R)
    assert (result.eligible, result.months) == (False, 0)
    assert result.reasons == (
        "chưa có quyết định thành lập của cấp có thẩm quyền (thiếu số "
        "quyết định, ngày quyết định, cấp quyết định)",
    )


def test_an_ended_model_is_not_eligible_but_one_ended_after_r_still_is() -> None:
    ended = rules.eligibility(model(status="Đã kết thúc", end_date=date(2026, 9, 1)), R)
    assert ended.reasons == ("mô hình đã kết thúc ngày 01/09/2026",)
    assert rules.eligibility(model(status="Đã kết thúc", end_date=date(2026, 11, 2)), R).eligible


def test_an_eligible_model_has_no_kind_of_unrated() -> None:
    assert rules.eligibility(model(), R).kind == ""


def test_a_model_in_neither_status_is_unrated_for_its_data() -> None:
    result = rules.eligibility(model(status="Tạm dừng"), R)
    assert not result.eligible
    assert result.reasons == ("mô hình không ở trạng thái Đang hoạt động",)
    assert result.kind == rules.UNRATED_DATA


def test_nine_of_ten_fully_met_targets_is_exactly_ninety() -> None:
    assert rules.completion(targets(*[(10, 10)] * 9, (10, 0))) == 90


def test_ratios_that_average_to_exactly_fifty_are_fifty_not_less() -> None:
    # 1 + 1/3 + 1/3 + 1/3 = 2 over 4 targets: floats give 49.999…
    assert rules.completion(targets((3, 3), (3, 1), (3, 1), (3, 1))) == 50
    assert 100 * (3 / 3 + 1 / 3 + 1 / 3 + 1 / 3) / 4 != 50  # why fractions


def test_over_achievement_is_capped_at_one_hundred_per_target() -> None:
    assert rules.completion(targets((10, 30), (10, 0))) == 50


def test_share_met_counts_targets_reached() -> None:
    assert rules.completion(targets((10, 10), (10, 9), (4, 5)), "share_met") == Fraction(200, 3)


def test_no_target_means_no_completion() -> None:
    assert rules.completion([]) is None


@pytest.mark.parametrize(
    ("pairs", "level"),
    [
        ([(10, 10)] * 9 + [(10, 0)], "Tốt"),
        ([(100, 89)], "Khá"),
        ([(10, 7)], "Khá"),
        ([(100, 69)], "Trung bình"),
        ([(10, 5)], "Trung bình"),
        ([(100, 49)], "Yếu"),
    ],
    ids=[
        "exactly_90_is_tot",
        "just_under_90_is_kha",
        "exactly_70_is_kha",
        "just_under_70_is_trung_binh",
        "exactly_50_is_trung_binh",
        "under_50_is_yeu",
    ],
)
def test_the_completion_thresholds(pairs: list[tuple[int, int]], level: str) -> None:
    assert rules.rate(targets(*pairs), ticks(), FULL_DOSSIER, False).level == level


def test_a_tot_model_says_it_meets_every_criterion() -> None:
    rating = rules.rate(targets((1, 1)), ticks(), FULL_DOSSIER, False)
    assert rating.reasons == ("Đạt đủ các tiêu chí xếp loại Tốt",)


def test_without_socialised_resources_a_model_is_kha_and_says_why() -> None:
    rating = rules.rate(targets((1, 1)), ticks(socialised=False), FULL_DOSSIER, False)
    assert (rating.level, rating.reasons) == (
        "Khá",
        ("Chưa đạt Tốt: chưa thu hút được các nguồn lực xã hội hóa",),
    )


def test_a_kha_model_names_every_missing_tot_condition() -> None:
    rating = rules.rate(targets((100, 80)), ticks(socialised=False), FULL_DOSSIER, False)
    assert rating.reasons == (
        "Chưa đạt Tốt: mới hoàn thành 80% chỉ tiêu (cần từ 90% trở lên);"
        " chưa thu hút được các nguồn lực xã hội hóa",
    )


def test_untimely_reports_drop_a_model_to_trung_binh() -> None:
    rating = rules.rate(targets((1, 1)), ticks(reports_timely=False), FULL_DOSSIER, False)
    assert (rating.level, rating.reasons) == (
        "Trung bình",
        ("Chưa đạt Khá: báo cáo chưa kịp thời",),
    )


def test_a_model_below_trung_binh_conditions_is_yeu_with_the_gap() -> None:
    rating = rules.rate(targets((1, 1)), ticks(by_rules=False), FULL_DOSSIER, False)
    assert (rating.level, rating.reasons) == (
        "Yếu",
        ("Chưa đạt Trung bình: chưa hoạt động theo quy chế, kế hoạch",),
    )


@pytest.mark.parametrize(
    ("off", "reason"),
    [
        ({"formalistic": True}, "hoạt động mang tính hình thức"),
        ({"disciplined": True}, "có thành viên bị kỷ luật, vi phạm pháp luật"),
        ({"untruthful": True}, "báo cáo không trung thực"),
    ],
    ids=["formalistic", "disciplined_member", "untruthful_report"],
)
def test_each_yeu_trigger_forces_yeu(off: dict[str, bool], reason: str) -> None:
    rating = rules.rate(targets((1, 1)), ticks(**off), FULL_DOSSIER, False)
    assert (rating.level, rating.reasons) == ("Yếu", (f"Yếu vì {reason}",))


def test_completion_under_fifty_is_a_yeu_trigger() -> None:
    rating = rules.rate(targets((3, 1)), ticks(), FULL_DOSSIER, False)
    assert rating.reasons == ("Yếu vì chỉ hoàn thành 33,33% chỉ tiêu (dưới 50%)",)


def test_no_dossier_document_at_all_forces_yeu() -> None:
    rating = rules.rate(targets((1, 1)), ticks(), Dossier("M1"), False)
    assert rating.level == "Yếu"
    assert rating.reasons == ("Yếu vì hồ sơ mô hình không có tài liệu nào",)


def test_optional_documents_are_not_required() -> None:
    dossier = Dossier("M1", frozenset(range(1, 17)) - {12, 13, 14, 16})
    assert rules.missing_documents(dossier, rated_before=False) == ()
    assert rules.rate(targets((1, 1)), ticks(), dossier, False).level == "Tốt"


def test_document_13_is_required_from_the_second_rated_year() -> None:
    dossier = Dossier("M1", frozenset(range(1, 17)) - {13})
    assert rules.missing_documents(dossier, rated_before=False) == ()
    assert rules.missing_documents(dossier, rated_before=True) == (13,)
    rating = rules.rate(targets((1, 1)), ticks(), dossier, rated_before=True)
    # "Hồ sơ đầy đủ" is a condition of every level from Trung bình up (SPEC §3.3).
    assert (rating.level, rating.reasons) == ("Yếu", ("Chưa đạt Trung bình: hồ sơ chưa đầy đủ",))


def test_a_missing_required_document_is_named_by_number_and_title() -> None:
    dossier = Dossier("M1", frozenset(range(1, 17)) - {7, 15})
    assert rules.describe_documents(rules.missing_documents(dossier, False)) == (
        "(7) Quy chế hoạt động, quy chế phối hợp; (15) Kế hoạch, báo cáo sơ kết, tổng kết"
    )


def test_a_model_with_no_target_is_not_rated() -> None:
    rating = rules.rate([], ticks(), FULL_DOSSIER, False)
    assert (rating.level, rating.reasons) == (
        "Chưa xếp loại",
        (f"chưa có chỉ tiêu năm {ticks().year} trong tab Chỉ tiêu",),
    )


def exemplar(**kw: object) -> Exemplar:
    base = dict(
        exemplar_id="E1",
        name="Tổ tự quản thôn 1",
        kind="Tập thể",
        status="Đang xây dựng",
        plan_date=date(2025, 11, 1),
    )
    return Exemplar(**{**base, **kw})  # type: ignore[arg-type]


def criteria(met: int, total: int) -> list[Criterion]:
    return [Criterion("E1", 2026, f"c{i}", i < met) for i in range(total)]


def test_an_exemplar_at_exactly_seventy_percent_is_not_flagged() -> None:
    result = rules.assess_exemplar(exemplar(), criteria(7, 10), R)
    assert (result.percent, result.flagged) == (70, False)


def test_an_exemplar_at_two_thirds_is_flagged() -> None:
    result = rules.assess_exemplar(exemplar(), criteria(2, 3), R)
    assert (result.percent, result.flagged) == (Fraction(200, 3), True)


def test_an_ended_exemplar_is_not_flagged_again() -> None:
    assert not rules.assess_exemplar(exemplar(status="Đã kết thúc"), criteria(0, 3), R).flagged


@pytest.mark.parametrize(
    ("planned", "due"),
    [(date(2025, 10, 31), True), (date(2025, 11, 1), False), (date(2024, 2, 29), True)],
    ids=["one_year_exactly", "one_day_short", "leap_day_plan"],
)
def test_an_exemplar_is_due_for_evaluation_one_year_after_its_plan(
    planned: date, due: bool
) -> None:
    assert rules.assess_exemplar(exemplar(plan_date=planned), criteria(1, 1), R).due is due


def test_a_recognised_exemplar_is_never_due() -> None:
    old = exemplar(status="Đã công nhận", plan_date=date(2020, 1, 1))
    assert not rules.assess_exemplar(old, criteria(1, 1), R).due


def test_recognition_blockers_are_reported() -> None:
    person = exemplar(kind="Cá nhân", disciplined=True, title="")
    assert rules.assess_exemplar(person, criteria(1, 1), R).blockers == (
        "bị kỷ luật trong năm",
        "cá nhân chưa đạt danh hiệu “Chiến sỹ tiên tiến” hoặc “Lao động tiên tiến” trở lên",
    )


@pytest.mark.parametrize(
    "title",
    ["Chiến sỹ tiên tiến", "chiến sĩ tiên tiến", "Lao động tiên tiến", "Chiến sĩ thi đua cơ sở"],
)
def test_an_individual_with_an_emulation_title_is_not_blocked(title: str) -> None:
    person = exemplar(kind="Cá nhân", title=title)
    assert rules.assess_exemplar(person, criteria(1, 1), R).blockers == ()


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (Fraction(200, 3), "66,66"),
        (Fraction(90), "90"),
        (Fraction(101, 2), "50,5"),
        (Fraction(1, 3), "0,33"),
    ],
)
def test_percentages_are_written_the_vietnamese_way(value: Fraction, text: str) -> None:
    assert rules.format_percent(value) == text


def test_completion_is_exactly_the_mean_of_capped_ratios_whatever_the_numbers() -> None:
    rng = random.Random(147)
    for _ in range(500):
        pairs = [
            (
                Fraction(
                    rng.choice([rng.randint(1, 2000), -rng.randint(1, 9)]),
                    rng.choice([1, 1, 2, 10, 3]),
                ),
                Fraction(rng.randint(0, 2500), rng.choice([1, 1, 4])),
            )
            for _ in range(rng.randint(1, 7))
        ]
        rows = [Target("M1", 2026, "t", p, a) for p, a in pairs]
        exact = 100 * sum(min(a / p, Fraction(1)) for p, a in pairs) / len(pairs)
        assert (rules.completion(rows), type(rules.completion(rows))) == (exact, Fraction)


def test_percentages_are_cut_to_hundredths_never_rounded_up_whatever_the_fraction() -> None:
    rng = random.Random(148)
    for _ in range(2000):
        value = Fraction(rng.randint(0, 200_000), rng.choice([1, 2, 3, 7, 8, 40, 400, 1000, 999]))
        hundredths = math.floor(value * 100)
        whole, frac = divmod(hundredths, 100)
        assert rules.format_percent(value) == (
            f"{whole}" if frac == 0 else f"{whole},{frac:02d}".rstrip("0")
        )


def test_completion_of_a_target_planned_at_zero_is_an_error_not_a_number() -> None:
    with pytest.raises(ZeroDivisionError, match=r"^target 't1' plans 0$"):
        rules.completion(targets((2, 1), (0, 3)))


def test_add_months_clamps_to_the_last_day_of_every_month_of_four_centuries() -> None:
    for start in (date(2000, 1, 31), date(1999, 12, 30), date(2023, 2, 28), date(2024, 2, 29)):
        for months in range(0, 4800, 7):
            end = add_months(start, months)
            index = start.month - 1 + months
            year, month = start.year + index // 12, index % 12 + 1
            last = (date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)).day
            assert end == date(year, month, min(start.day, last))


def test_dossier_titles_come_from_the_sheet_layout() -> None:
    from worker.core.layout import load

    headers = [c.header for c in load("unit").tab("dossiers").columns if c.key.startswith("doc")]
    titles = rules._documents()  # what the import made DOCUMENTS of, made again
    assert titles == rules.DOCUMENTS and list(titles) == list(range(1, 17))
    assert [f"({n}) {title}" for n, title in titles.items()] == headers
    assert rules.describe_documents([4, 11]) == (
        "(4) Chủ trương của cấp ủy; (11) Tài liệu chứng minh hiệu quả"
    )


@pytest.mark.parametrize(
    ("start", "reference", "months"),
    [
        (date(2026, 1, 1), date(2025, 12, 31), 0),
        (date(2026, 1, 1), date(2026, 1, 1), 0),
        (date(2026, 1, 15), date(2026, 2, 14), 0),
        (date(2026, 1, 15), date(2026, 2, 15), 1),
        (date(2026, 1, 31), date(2026, 2, 28), 1),
        (date(2026, 1, 31), date(2026, 2, 27), 0),
        (date(2025, 12, 31), date(2026, 10, 30), 9),
        (date(2025, 12, 31), date(2026, 10, 31), 10),
        (date(2024, 11, 1), date(2026, 10, 31), 23),
    ],
    ids=[
        "reference_before_start",
        "same_day",
        "one_day_short_of_a_month",
        "one_month",
        "january_31_to_the_end_of_february",
        "january_31_a_day_before_the_end_of_february",
        "one_day_short_of_ten",
        "ten_by_month_end",
        "across_years",
    ],
)
def test_full_months_count_only_months_run_in_full(
    start: date, reference: date, months: int
) -> None:
    assert full_months(start, reference) == months


@pytest.mark.parametrize("months", range(10))
def test_a_young_model_is_told_how_many_full_months_it_has_run(months: int) -> None:
    decided = add_months(R, -months)  # 31/10/2026, 30/09/2026, …, 31/01/2026
    result = rules.eligibility(model(decided), R)
    assert (result.eligible, result.months) == (False, months)
    assert result.reasons == (
        f"mới hoạt động {months} tháng tính đến 31/10/2026, chưa đủ 10 tháng "
        f"(đủ vào ngày {add_months(decided, 10):%d/%m/%Y})",
    )


def test_a_model_ended_exactly_on_the_reference_date_is_not_eligible() -> None:
    result = rules.eligibility(model(status="Đã kết thúc", end_date=R), R)
    assert (result.eligible, result.reasons) == (False, ("mô hình đã kết thúc ngày 31/10/2026",))


def test_a_model_ended_without_an_end_date_is_ended_and_one_ended_the_day_after_r_is_not() -> None:
    assert rules.eligibility(model(status="Đã kết thúc"), R).reasons == ("mô hình đã kết thúc",)
    late = rules.eligibility(model(status="Đã kết thúc", end_date=date(2026, 11, 1)), R)
    assert (late.eligible, late.reasons) == (True, ())


def test_a_model_in_no_known_status_is_not_eligible() -> None:
    assert rules.eligibility(model(status="Tạm dừng"), R).reasons == (
        "mô hình không ở trạng thái Đang hoạt động",
    )


def test_a_model_lacking_only_its_authority_names_only_that() -> None:
    result = rules.eligibility(model(authority=""), R)
    assert result.reasons == (
        "chưa có quyết định thành lập của cấp có thẩm quyền (thiếu cấp quyết định)",
    )
    assert result.months == 21


def test_every_reason_a_model_is_not_eligible_is_given_in_order() -> None:
    young = model(date(2026, 6, 1), decision_no="", status="Đã kết thúc", end_date=R)
    assert rules.eligibility(young, R).reasons == (
        "chưa có quyết định thành lập của cấp có thẩm quyền (thiếu số quyết định)",
        "mới hoạt động 4 tháng tính đến 31/10/2026, chưa đủ 10 tháng (đủ vào ngày 01/04/2027)",
        "mô hình đã kết thúc ngày 31/10/2026",
    )


def test_an_unknown_completion_method_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown completion method 'median'"):
        rules.completion(targets((1, 1)), "median")


def test_a_target_planned_below_zero_counts_its_ratio_with_the_sign_of_the_fraction() -> None:
    # A/P with P < 0: the fraction's signs are moved to the top before capping at 1
    assert rules.completion(targets((-2, 1), (2, 2))) == rules.completion(targets((2, -1), (2, 2)))
    assert rules.completion(targets((-2, 1), (2, 2))) == 25


# --- check_decision: a decided level against the proposal -----------------------------------


def decided(percent: Fraction, level: str, **off: bool) -> decisions.DecisionCheck:
    assessment = ticks(**off)
    rating = rules.rate(targets((100, percent)), assessment, FULL_DOSSIER, False)
    return decisions.check_decision(level, rating, assessment, FULL_DOSSIER)


def test_a_decision_at_exactly_fifty_percent_has_no_completion_trigger() -> None:
    check = decided(Fraction(50), "Khá", by_rules=False)
    assert check.unmet == (
        "mới hoàn thành 50% chỉ tiêu (cần từ 70% trở lên)",
        "chưa hoạt động theo quy chế, kế hoạch",
    )


def test_a_decision_just_below_fifty_percent_names_the_trigger_first() -> None:
    check = decided(Fraction(4999, 100), "Trung bình", untruthful=True)
    assert check.unmet == (
        "chỉ hoàn thành 49,99% chỉ tiêu (dưới 50%)",
        "báo cáo không trung thực",
        "mới hoàn thành 49,99% chỉ tiêu (cần từ 50% trở lên)",
    )


def test_a_decision_above_the_criteria_gives_its_reasons_in_a_fixed_order() -> None:
    # the completion trigger, then the Yếu triggers in the guide's order, an empty dossier,
    # then what the decided level lacks (the documents by number), each once
    assessment = Assessment(
        "M1", 2026, {**ALL_TICKS, "untruthful": True, "formalistic": True, "socialised": False}
    )
    rating = rules.rate(targets((100, 40)), assessment, Dossier("M1"), False)
    check = decisions.check_decision("Tốt", rating, assessment, Dossier("M1"))
    assert check.kind == decisions.ABOVE
    assert check.unmet == (
        "chỉ hoàn thành 40% chỉ tiêu (dưới 50%)",
        "hoạt động mang tính hình thức",
        "báo cáo không trung thực",
        "hồ sơ mô hình không có tài liệu nào",
        "mới hoàn thành 40% chỉ tiêu (cần từ 90% trở lên)",
        "chưa thu hút được các nguồn lực xã hội hóa",
        "hồ sơ còn thiếu (1), (2), (3), (4), (5), (6), (7), (8), (9), (10), (11), (15)",
    )
    assert check.text == "Công nhận cao hơn mức tiêu chí: " + "; ".join(check.unmet)


def test_a_decision_of_yeu_for_an_unrated_proposal_is_not_valid_and_names_its_reasons() -> None:
    rating = rules.Rating(rules.UNRATED, ("Thiếu dữ liệu: chưa có dòng của mô hình",))
    check = decisions.check_decision("Yếu", rating, None, None)
    assert (check.kind, check.unmet, check.counted) == (decisions.INVALID, rating.reasons, False)


def test_a_decision_of_yeu_above_a_rated_yeu_is_the_same() -> None:
    check = decided(Fraction(40), "Yếu")
    assert (check.kind, check.text) == (decisions.SAME, "")


def test_a_decision_above_a_proposal_without_its_rows_weighs_them_as_absent() -> None:
    # a rating with no percent and no assessment: completion 0, no ticks
    rating = rules.Rating(rules.YEU, ("x",), None, ())
    check = decisions.check_decision("Trung bình", rating, None, None)
    assert check.unmet[0] == "chỉ hoàn thành 0% chỉ tiêu (dưới 50%)"
    assert check.unmet[1:] == (
        "mới hoàn thành 0% chỉ tiêu (cần từ 50% trở lên)",
        *(c.lacking for c in rules.CONDITIONS if "Trung bình" in c.levels),
    )


def test_a_decision_above_with_nothing_unmet_is_flagged_without_reasons() -> None:
    assert decisions.DecisionCheck(decisions.ABOVE).text == "Công nhận cao hơn mức tiêu chí"
    assert decisions.DecisionCheck(decisions.SAME).text == ""
    assert decisions.DecisionCheck(decisions.BELOW).text == "Công nhận thấp hơn đề xuất"


def test_full_months_are_the_months_add_months_reaches_by_the_reference() -> None:
    rng = random.Random(149)
    for _ in range(3000):
        start = date(2020, 1, 1) + timedelta(days=rng.randint(0, 2500))
        reference = start + timedelta(days=rng.randint(-40, 800))
        expected = 0
        while add_months(start, expected + 1) <= reference:
            expected += 1
        assert full_months(start, reference) == expected


def test_a_tot_rating_carries_its_completion_and_no_missing_document() -> None:
    rating = rules.rate(targets((10, 10), (10, 9)), ticks(), FULL_DOSSIER, False)
    assert (rating.level, rating.percent, rating.missing_documents) == ("Tốt", 95, ())


def test_the_rating_uses_the_completion_method_it_is_given() -> None:
    rows = targets((10, 9), (10, 10))  # 95 % by the mean of ratios, 50 % of targets met
    assert rules.rate(rows, ticks(), FULL_DOSSIER, False).percent == 95
    shared = rules.rate(rows, ticks(), FULL_DOSSIER, False, "share_met")
    assert (shared.level, shared.percent) == ("Trung bình", 50)


def test_a_model_with_no_target_still_says_which_documents_are_missing() -> None:
    dossier = Dossier("M1", frozenset(range(1, 17)) - {2, 11})
    rating = rules.rate([], ticks(), dossier, False)
    assert (rating.level, rating.percent, rating.missing_documents) == (
        "Chưa xếp loại",
        None,
        (2, 11),
    )


def test_every_yeu_trigger_is_named_after_the_completion_below_fifty() -> None:
    assessment = ticks(formalistic=True, disciplined=True)
    rating = rules.rate(targets((100, 40)), assessment, Dossier("M1"), False)
    assert rating.reasons == (
        "Yếu vì chỉ hoàn thành 40% chỉ tiêu (dưới 50%); hoạt động mang tính hình thức;"
        " có thành viên bị kỷ luật, vi phạm pháp luật; hồ sơ mô hình không có tài liệu nào",
    )


def test_an_exemplar_without_criteria_has_no_percent_and_is_not_flagged() -> None:
    result = rules.assess_exemplar(exemplar(), [], R)
    assert (result.percent, result.flagged) == (None, False)
