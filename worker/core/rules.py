"""The rules of Hướng dẫn 163/HD-BCĐ (seed 002, III.2–III.3, IV, V.1) as pure functions.

Exact arithmetic only: percentages are `Fraction`s, so 9 of 10 fully met targets is exactly 90.
Every decision carries its reasons in Vietnamese. No I/O here.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from fractions import Fraction

from worker.core.layout import load
from worker.core.months import add_months, full_months
from worker.core.records import (
    ACTIVE,
    BUILDING,
    ENDED,
    INDIVIDUAL,
    Assessment,
    Criterion,
    Dossier,
    Exemplar,
    Model,
    Target,
)

TOT, KHA, TRUNG_BINH, YEU, UNRATED = "Tốt", "Khá", "Trung bình", "Yếu", "Chưa xếp loại"
LEVELS = (TOT, KHA, TRUNG_BINH, YEU)
MIN_MONTHS = 10
EXEMPLAR_THRESHOLD = Fraction(70)
EXEMPLAR_FLAG = "Đề xuất kết thúc xây dựng điển hình"
# Why a model is Chưa xếp loại, each counted apart wherever the total is, in this order.
UNRATED_YOUNG, UNRATED_ENDED, UNRATED_NO_TARGETS, UNRATED_DATA = (
    "young",
    "ended",
    "no_targets",
    "data",
)
UNRATED_KINDS = {
    UNRATED_YOUNG: f"chưa đủ {MIN_MONTHS} tháng",
    UNRATED_ENDED: "đã kết thúc",
    UNRATED_NO_TARGETS: "chưa có chỉ tiêu",
    UNRATED_DATA: "lỗi hoặc thiếu dữ liệu",
}
# What makes a model Yếu: its year's work (III.2.b (4): under 50 %, formality, discipline,
# untruthful reports, or a Trung bình condition not held), or only its dossier, which the
# unit mends by adding the documents: not a reason to end the model (III.3).
BY_PERFORMANCE, BY_DOSSIER = "performance", "dossier"


def _documents() -> dict[int, str]:
    """Seed 002, V.1: the 16 documents of a model's dossier (number -> title), as the Hồ sơ
    tab's headers "(n) title" name them: one set of titles for the sheet, the rules' reasons
    and the emails, so a unit told to add (11) finds that column under the same words."""
    titles = {}
    for column in load("unit").tab("dossiers").columns:
        number, _, title = column.header.partition(") ")
        if number.startswith("(") and number[1:].isdigit():
            titles[int(number[1:])] = title
    return titles


DOCUMENTS = _documents()
REQUIRED_DOCUMENTS = frozenset({*range(1, 12), 15})
REQUIRED_FROM_SECOND_YEAR = frozenset({13})


@dataclass(frozen=True)
class Condition:
    key: str
    levels: frozenset[str]  # the levels that require it
    lacking: str  # what the reason says when it does not hold


# Seed 002, III.2.b, as the table of SPEC §3.3 (the checklist columns of the tab Đánh giá).
CONDITIONS = (
    Condition("directed", frozenset({TOT, KHA}), "chỉ đạo, điều hành chưa được quan tâm"),
    Condition("resourced", frozenset({TOT, KHA}), "chưa được tạo điều kiện về nguồn lực"),
    Condition(
        "supported",
        frozenset({TOT, KHA, TRUNG_BINH}),
        "chưa thu hút sự đồng tình, tham gia của các ngành, đoàn thể, Nhân dân",
    ),
    Condition(
        "awareness", frozenset({TOT, KHA}), "chưa tạo được sự chuyển biến tích cực về nhận thức"
    ),
    Condition("socialised", frozenset({TOT}), "chưa thu hút được các nguồn lực xã hội hóa"),
    Condition(
        "by_rules", frozenset({TOT, KHA, TRUNG_BINH}), "chưa hoạt động theo quy chế, kế hoạch"
    ),
    Condition(
        "members_comply",
        frozenset({TOT, KHA, TRUNG_BINH}),
        "thành viên chưa thực hiện nghiêm túc quy chế",
    ),
    Condition("reports_timely", frozenset({TOT, KHA}), "báo cáo chưa kịp thời"),
    Condition("reports_proper", frozenset({TOT, KHA, TRUNG_BINH}), "báo cáo chưa đúng quy định"),
)
THRESHOLDS = {TOT: Fraction(90), KHA: Fraction(70), TRUNG_BINH: Fraction(50)}
TRIGGERS = {
    "formalistic": "hoạt động mang tính hình thức",
    "disciplined": "có thành viên bị kỷ luật, vi phạm pháp luật",
    "untruthful": "báo cáo không trung thực",
}


def hundredths(value: Fraction) -> int:
    """A percentage in hundredths of a percent, cut, never rounded up: 200/3 -> 6666.

    A percentage just short of a threshold must never show as the threshold it misses
    (89,999 % shows as 89,99, not 90): every shown percentage goes through here."""
    # floor(100 n/d) in integers: Fraction arithmetic costs more than the whole rating
    return 100 * value.numerator // value.denominator


def format_percent(value: Fraction) -> str:
    """Vietnamese notation, at most two decimals, cut (see `hundredths`): 200/3 -> "66,66"."""
    whole, frac = divmod(hundredths(value), 100)
    return f"{whole}" if frac == 0 else f"{whole},{frac:02d}".rstrip("0")


@dataclass(frozen=True)
class Eligibility:
    eligible: bool
    months: int
    reasons: tuple[str, ...]
    kind: str = ""  # not eligible: UNRATED_ENDED, UNRATED_YOUNG or UNRATED_DATA, in that order


def eligibility(model: Model, reference: date) -> Eligibility:
    """Seed 002 III.2.a: established by a competent authority, 10 full months, active at R."""
    reasons, kinds = [], []
    missing = [
        label
        for label, value in (
            ("số quyết định", model.decision_no),
            ("ngày quyết định", model.decision_date),
            ("cấp quyết định", model.authority),
        )
        if not value
    ]
    if missing:
        reasons.append(
            "chưa có quyết định thành lập của cấp có thẩm quyền (thiếu " + ", ".join(missing) + ")"
        )
        kinds.append(UNRATED_DATA)
    months = full_months(model.decision_date, reference) if model.decision_date else 0
    if model.decision_date and add_months(model.decision_date, MIN_MONTHS) > reference:
        reasons.append(
            f"mới hoạt động {months} tháng tính đến {reference:%d/%m/%Y}, "
            f"chưa đủ {MIN_MONTHS} tháng (đủ vào ngày "
            f"{add_months(model.decision_date, MIN_MONTHS):%d/%m/%Y})"
        )
        kinds.append(UNRATED_YOUNG)
    if model.status == ENDED and (model.end_date is None or model.end_date <= reference):
        ended = f" ngày {model.end_date:%d/%m/%Y}" if model.end_date else ""
        reasons.append(f"mô hình đã kết thúc{ended}")
        kinds.append(UNRATED_ENDED)
    elif model.status not in (ACTIVE, ENDED):
        reasons.append("mô hình không ở trạng thái Đang hoạt động")
        kinds.append(UNRATED_DATA)
    # one kind per model, so that the kinds add up to the total: ended first (it will never be
    # rated), then young (it will be), then what the unit's sheet lacks
    kind = next((k for k in (UNRATED_ENDED, UNRATED_YOUNG, UNRATED_DATA) if k in kinds), "")
    return Eligibility(not reasons, months, tuple(reasons), kind)


def completion(targets: Sequence[Target], method: str = "mean_ratio") -> Fraction | None:
    """Seed 002 III.2.b: the share of the year's targets completed, in percent, exact.

    `mean_ratio` averages each target's A/P capped at 1; `share_met` counts targets with A >= P.
    None when there is no target (the model cannot be rated).
    """
    if not targets:
        return None
    if method == "share_met":
        met = sum(1 for t in targets if t.achieved >= t.planned)
        return Fraction(100 * met, len(targets))
    if method != "mean_ratio":
        raise ValueError(f"unknown completion method {method!r}")
    # The sum of min(A/P, 1) as one fraction num/den of integers, reduced once at the end: the
    # same number as summing Fractions, each of which reduces at every step.
    num, den = 0, 1
    for t in targets:
        a, p = t.achieved, t.planned
        top, bottom = a.numerator * p.denominator, a.denominator * p.numerator  # A/P
        if bottom < 0:
            top, bottom = -top, -bottom
        elif bottom == 0:
            raise ZeroDivisionError(f"target {t.target!r} plans 0")
        if top >= bottom:
            top = bottom = 1
        num, den = num * bottom + top * den, den * bottom
    return Fraction(100 * num, den * len(targets))


def missing_documents(dossier: Dossier, rated_before: bool) -> tuple[int, ...]:
    """Seed 002 V.1: required documents not marked present; (13) from the second rated year."""
    required = REQUIRED_DOCUMENTS | (REQUIRED_FROM_SECOND_YEAR if rated_before else frozenset())
    return tuple(sorted(required - dossier.present))


def describe_documents(numbers: Iterable[int]) -> str:
    return "; ".join(f"({n}) {DOCUMENTS[n]}" for n in numbers)


@dataclass(frozen=True)
class Step:
    """A level a model can still reach this year, and what it takes beyond the step before."""

    level: str
    documents: tuple[int, ...] = ()  # required documents to add to the dossier
    conditions: tuple[str, ...] = ()  # keys of CONDITIONS to tick, where they are true


@dataclass(frozen=True)
class Rating:
    level: str
    reasons: tuple[str, ...]
    percent: Fraction | None = None
    missing_documents: tuple[int, ...] = ()
    steps: tuple[Step, ...] = ()  # what would raise it, lowest level first (see `raises`)
    weakness: str = ""  # Yếu: BY_PERFORMANCE or BY_DOSSIER
    unrated: str = ""  # Chưa xếp loại: one of UNRATED_KINDS

    @property
    def dossier_only(self) -> bool:
        """Yếu only for want of documents: listed to complete its dossier, not to be ended."""
        return self.level == YEU and self.weakness == BY_DOSSIER

    @property
    def best(self) -> str | None:
        """The highest level within the unit's reach this year, if above its own."""
        return self.steps[-1].level if self.steps else None


_RANK = {YEU: 0, TRUNG_BINH: 1, KHA: 2, TOT: 3}


def raises(
    level: str, percent: Fraction, ticks: Mapping[str, bool], missing: Sequence[int]
) -> tuple[Step, ...]:
    """Seed 002 III.2.b read backwards: the levels above `level` that the unit can still reach by
    what it controls — adding the missing required documents, ticking the conditions of the
    checklist that hold but are not ticked — each with what it takes beyond the step before.

    The completion p and the Yếu triggers (hình thức, kỷ luật, báo cáo không trung thực) are
    facts of the year: with p < 50 or a trigger nothing is reachable. A model with no document
    at all is Yếu only until it adds them, so that trigger is not a fact. A step that needs
    nothing beyond the one before is merged into it: the items lead straight to the higher level.
    """
    if percent < THRESHOLDS[TRUNG_BINH] or any(ticks.get(key) for key in TRIGGERS):
        return ()
    steps: list[Step] = []
    documents: set[int] = set()
    conditions: set[str] = set()
    for target in (TRUNG_BINH, KHA, TOT):
        if percent < THRESHOLDS[target]:
            break  # the thresholds only grow: no level above is reachable either
        if _RANK[target] <= _RANK[level]:
            continue
        new_documents = tuple(n for n in missing if n not in documents)
        new_conditions = tuple(
            c.key
            for c in CONDITIONS
            if target in c.levels and not ticks.get(c.key) and c.key not in conditions
        )
        documents.update(new_documents)
        conditions.update(new_conditions)
        if steps and not new_documents and not new_conditions:
            steps[-1] = Step(target, steps[-1].documents, steps[-1].conditions)
        else:
            steps.append(Step(target, new_documents, new_conditions))
    return tuple(steps)


def lacking(level: str, percent: Fraction, ticks: dict[str, bool], dossier_ok: bool) -> list[str]:
    """What keeps a model from `level` (empty when every condition of the level holds)."""
    lacks = []
    if percent < THRESHOLDS[level]:
        lacks.append(
            f"mới hoàn thành {format_percent(percent)}% chỉ tiêu "
            f"(cần từ {format_percent(THRESHOLDS[level])}% trở lên)"
        )
    lacks += [c.lacking for c in CONDITIONS if level in c.levels and not ticks.get(c.key)]
    if not dossier_ok:
        lacks.append("hồ sơ chưa đầy đủ")
    return lacks


def rate(
    targets: Sequence[Target],
    assessment: Assessment,
    dossier: Dossier,
    rated_before: bool,
    method: str = "mean_ratio",
) -> Rating:
    """Seed 002 III.2.b: the highest level whose every condition holds, else Yếu.

    The caller has checked eligibility; a model with no target for the year is not rated.
    """
    percent = completion(targets, method)
    missing = missing_documents(dossier, rated_before)
    if percent is None:
        reason = f"chưa có chỉ tiêu năm {assessment.year} trong tab Chỉ tiêu"
        return Rating(UNRATED, (reason,), None, missing, unrated=UNRATED_NO_TARGETS)
    ticks = assessment.ticks
    triggers = [text for key, text in TRIGGERS.items() if ticks.get(key)]
    if percent < THRESHOLDS[TRUNG_BINH]:
        triggers.insert(0, f"chỉ hoàn thành {format_percent(percent)}% chỉ tiêu (dưới 50%)")
    # With every document, would it reach Trung bình? Then only its dossier keeps it Yếu.
    mendable = not triggers and not lacking(TRUNG_BINH, percent, ticks, True)
    weakness = BY_DOSSIER if mendable else BY_PERFORMANCE
    if not dossier.present:
        triggers.append("hồ sơ mô hình không có tài liệu nào")
    if triggers:
        steps = raises(YEU, percent, ticks, missing)
        reasons = (f"Yếu vì {'; '.join(triggers)}",)
        return Rating(YEU, reasons, percent, missing, steps, weakness)
    dossier_ok = not missing
    # The highest level whose every condition holds (LEVELS runs from Tốt down), else Yếu
    level = next((up for up in LEVELS[:-1] if not lacking(up, percent, ticks, dossier_ok)), YEU)
    if level == TOT:  # Tốt asks for the whole dossier: no document is missing
        return Rating(TOT, ("Đạt đủ các tiêu chí xếp loại Tốt",), percent)
    upper = LEVELS[LEVELS.index(level) - 1]
    lacks = lacking(upper, percent, ticks, dossier_ok)
    steps = raises(level, percent, ticks, missing)
    reasons = (f"Chưa đạt {upper}: {'; '.join(lacks)}",)
    return Rating(level, reasons, percent, missing, steps, weakness if level == YEU else "")


@dataclass(frozen=True)
class ExemplarResult:
    percent: Fraction | None
    flagged: bool
    due: bool
    blockers: tuple[str, ...]


_TITLES = ("chiến sĩ tiên tiến", "lao động tiên tiến", "chiến sĩ thi đua")


def _has_title(title: str) -> bool:
    """ "Chiến sỹ tiên tiến"/"Lao động tiên tiến" or higher (seed 000, III.2)."""
    text = unicodedata.normalize("NFC", title).casefold().replace("sỹ", "sĩ")
    return any(t in text for t in _TITLES)


def assess_exemplar(
    exemplar: Exemplar, criteria: Sequence[Criterion], reference: date
) -> ExemplarResult:
    """Seed 002 IV: q = met / total in percent; below 70 % is flagged for ending (IV.3);
    still being built one year after its plan is due for evaluation (IV.1, bước 3)."""
    percent = Fraction(100 * sum(c.met for c in criteria), len(criteria)) if criteria else None
    flagged = percent is not None and percent < EXEMPLAR_THRESHOLD and exemplar.status != ENDED
    due = exemplar.status == BUILDING and add_months(exemplar.plan_date, 12) <= reference
    blockers = []
    if exemplar.disciplined:
        blockers.append("bị kỷ luật trong năm")
    if exemplar.kind == INDIVIDUAL and not _has_title(exemplar.title):
        blockers.append(
            "cá nhân chưa đạt danh hiệu “Chiến sỹ tiên tiến” hoặc “Lao động tiên tiến” trở lên"
        )
    return ExemplarResult(percent, flagged, due, tuple(blockers))
