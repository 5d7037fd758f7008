"""The rules of seed 002 (III.2, III.3, IV, V.1) at their boundaries."""

import math
import random
from datetime import date, timedelta
from fractions import Fraction

import pytest

from worker.core import rules
from worker.core.months import add_months
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
    assert not result.eligible
    assert result.reasons == (
        "chưa có quyết định thành lập của cấp có thẩm quyền (thiếu số "
        "quyết định, ngày quyết định, cấp quyết định)",
    )


def test_an_ended_model_is_not_eligible_but_one_ended_after_r_still_is() -> None:
    ended = rules.eligibility(model(status="Đã kết thúc", end_date=date(2026, 9, 1)), R)
    assert ended.reasons == ("mô hình đã kết thúc ngày 01/09/2026",)
    assert rules.eligibility(model(status="Đã kết thúc", end_date=date(2026, 11, 2)), R).eligible


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
    assert (rating.level, rating.reasons) == ("Yếu", (f"Xếp loại Yếu do: {reason}",))


def test_completion_under_fifty_is_a_yeu_trigger() -> None:
    rating = rules.rate(targets((3, 1)), ticks(), FULL_DOSSIER, False)
    assert rating.reasons == ("Xếp loại Yếu do: chỉ hoàn thành 33,33% chỉ tiêu (dưới 50%)",)


def test_no_dossier_document_at_all_forces_yeu() -> None:
    rating = rules.rate(targets((1, 1)), ticks(), Dossier("M1"), False)
    assert rating.level == "Yếu"
    assert rating.reasons == ("Xếp loại Yếu do: hồ sơ mô hình không có tài liệu nào",)


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
        (Fraction(200, 3), "66,67"),
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


def test_percentages_round_half_up_to_hundredths_whatever_the_fraction() -> None:
    rng = random.Random(148)
    for _ in range(2000):
        value = Fraction(rng.randint(0, 200_000), rng.choice([1, 2, 3, 7, 8, 40, 400, 1000, 999]))
        hundredths = math.floor(value * 100 + Fraction(1, 2))
        whole, frac = divmod(hundredths, 100)
        assert rules.format_percent(value) == (
            f"{whole}" if frac == 0 else f"{whole},{frac:02d}".rstrip("0")
        )


def test_completion_of_a_target_planned_at_zero_is_an_error_not_a_number() -> None:
    with pytest.raises(ZeroDivisionError):
        rules.completion(targets((0, 3)))


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
    assert len(rules.DOCUMENTS) == 16 == len(headers)
    assert [f"({n}) {title}" for n, title in sorted(rules.DOCUMENTS.items())] == headers
    assert rules.describe_documents([4, 11]) == (
        "(4) Chủ trương của cấp ủy; (11) Tài liệu chứng minh hiệu quả"
    )
