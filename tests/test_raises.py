"""What would raise a model (seed 002 III.2.b read backwards), at the thresholds' boundaries.

Only what the unit controls moves a model: the dossier's documents and the checklist's
conditions. The completion p and the Yếu triggers are facts of the year.
"""

from fractions import Fraction

import pytest

from worker.core import rules
from worker.core.records import Assessment, Dossier, Target

ALL_TICKS = {c.key: True for c in rules.CONDITIONS}
EVERY_DOCUMENT = frozenset(range(1, 17))


def rate(percent: Fraction, off: tuple[str, ...] = (), lacking: tuple[int, ...] = (), **on: bool):
    """Rate a model with one target completed at `percent`, the conditions `off` unticked, the
    documents `lacking` absent and the triggers `on` ticked."""
    target = Target("M1", 2026, "t", Fraction(100), percent)
    ticks = {**ALL_TICKS, **dict.fromkeys(off, False), **on}
    dossier = Dossier("M1", EVERY_DOCUMENT - set(lacking))
    return rules.rate([target], Assessment("M1", 2026, ticks), dossier, rated_before=False)


def test_a_model_yeu_only_for_a_missing_document_reaches_kha_with_it_and_tot_with_a_tick() -> None:
    rating = rate(Fraction(100), off=("socialised",), lacking=(11,))
    assert rating.level == rules.YEU
    assert rating.steps == (
        rules.Step(rules.KHA, documents=(11,)),
        rules.Step(rules.TOT, conditions=("socialised",)),
    )
    assert rating.best == rules.TOT


@pytest.mark.parametrize(
    ("percent", "best"),
    [
        (Fraction(90), rules.TOT),
        (Fraction(8999, 100), rules.KHA),
        (Fraction(70), rules.KHA),
        (Fraction(6999, 100), rules.TRUNG_BINH),
        (Fraction(50), rules.TRUNG_BINH),
    ],
    ids=[
        "p_90_reaches_tot",
        "p_89_99_stops_at_kha",
        "p_70_reaches_kha",
        "p_69_99_stops_at_tb",
        "p_50_reaches_tb",
    ],
)
def test_the_best_reachable_level_follows_the_completion_thresholds(
    percent: Fraction, best: str
) -> None:
    rating = rate(percent, lacking=(15,))
    assert rating.level == rules.YEU  # a required document missing: no level holds
    assert rating.best == best
    assert rating.steps[0].documents == (15,)


def test_below_fifty_percent_nothing_the_unit_adds_raises_it() -> None:
    rating = rate(Fraction(4999, 100), off=("socialised",), lacking=(11,))
    assert (rating.level, rating.steps, rating.best) == (rules.YEU, (), None)


@pytest.mark.parametrize("trigger", sorted(rules.TRIGGERS))
def test_a_yeu_trigger_is_a_fact_nothing_raises_the_model(trigger: str) -> None:
    rating = rate(Fraction(100), lacking=(11,), **{trigger: True})
    assert (rating.level, rating.steps) == (rules.YEU, ())


def test_a_model_without_any_document_reaches_tot_by_adding_the_required_ones() -> None:
    target = Target("M1", 2026, "t", Fraction(10), Fraction(10))
    rating = rules.rate(
        [target], Assessment("M1", 2026, ALL_TICKS), Dossier("M1"), rated_before=True
    )
    assert rating.level == rules.YEU
    required = tuple(sorted(rules.REQUIRED_DOCUMENTS | rules.REQUIRED_FROM_SECOND_YEAR))
    assert rating.steps == (rules.Step(rules.TOT, documents=required),)


def test_each_step_names_only_what_it_adds_to_the_step_before() -> None:
    # Trung bình needs reports_proper and (4); Khá adds directed; Tốt adds socialised.
    rating = rate(Fraction(95), off=("reports_proper", "directed", "socialised"), lacking=(4,))
    assert rating.level == rules.YEU
    assert rating.steps == (
        rules.Step(rules.TRUNG_BINH, documents=(4,), conditions=("reports_proper",)),
        rules.Step(rules.KHA, conditions=("directed",)),
        rules.Step(rules.TOT, conditions=("socialised",)),
    )


def test_a_kha_model_short_of_ninety_percent_has_nothing_to_add() -> None:
    rating = rate(Fraction(85), off=("socialised",))
    assert (rating.level, rating.steps) == (rules.KHA, ())


def test_a_trung_binh_model_reaches_kha_by_its_unticked_conditions() -> None:
    rating = rate(Fraction(75), off=("awareness", "reports_timely"))
    assert rating.level == rules.TRUNG_BINH
    assert rating.steps == (rules.Step(rules.KHA, conditions=("awareness", "reports_timely")),)


def test_a_tot_model_has_no_step() -> None:
    rating = rate(Fraction(100))
    assert (rating.level, rating.steps, rating.best) == (rules.TOT, (), None)


def test_a_step_that_needs_nothing_more_keeps_what_the_step_before_it_needed() -> None:
    # unticked "supported" keeps it from Trung bình; with it, nothing more stands before Tốt
    rating = rate(Fraction(100), off=("supported",))
    assert rating.level == rules.YEU
    assert rating.steps == (rules.Step(rules.TOT, conditions=("supported",)),)
