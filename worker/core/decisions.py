"""The rating the competent level decided, checked as the guide lets it count (seed 002 III.2.c
and IV.4; SPEC §3.3).

The computed rating is the steering board's proposal; the level that established a model decides
its rating before 10/11; the province checks each decision against the criteria. A decision for
a model that cannot be rated is not counted; one above the criteria counts but is marked; its
date and its body are noted when they are not what the guide says, and it still counts.
Pure: no I/O here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from fractions import Fraction

from worker.core.layout import normalize_header
from worker.core.records import Assessment, Decision, Dossier
from worker.core.rules import (
    LEVELS,
    THRESHOLDS,
    TRIGGERS,
    TRUNG_BINH,
    UNRATED,
    Rating,
    format_percent,
    lacking,
)
from worker.core.tabs import show

SAME, ABOVE, BELOW, INVALID = "same", "above", "below", "invalid"
ABOVE_FLAG = "Công nhận cao hơn mức tiêu chí"
BELOW_NOTE = "Công nhận thấp hơn đề xuất"
INVALID_FLAG = "Quyết định không hợp lệ, không được tính"
DEADLINE = (11, 10)  # month, day: III.2.c, ratings decided by 10/11 (the calendar may move it)
PERIOD_END = (10, 31)  # month, day: the evaluation period of year Y ends on 31/10/Y (SPEC §2)


@dataclass(frozen=True)
class DecisionCheck:
    """How a decided level stands against what the criteria allow (the proposal)."""

    kind: str  # SAME | ABOVE | BELOW | INVALID
    # ABOVE: the criteria of the decided level that do not hold; INVALID: why the model cannot
    # be rated, so that no level may be decided for it
    unmet: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()  # its date or body not as the guide says: noted, still counted

    @property
    def counted(self) -> bool:
        """Whether the decided level is the model's result (else the proposal stands)."""
        return self.kind != INVALID

    @property
    def text(self) -> str:
        """ "Công nhận cao hơn mức tiêu chí: chưa thu hút được các nguồn lực xã hội hóa", or ""."""
        if self.kind in (ABOVE, INVALID):
            flag = ABOVE_FLAG if self.kind == ABOVE else INVALID_FLAG
            return f"{flag}: {'; '.join(self.unmet)}" if self.unmet else flag
        if self.kind == BELOW:
            return BELOW_NOTE
        return ""


def check_decision(
    decided: str, rating: Rating, assessment: Assessment | None, dossier: Dossier | None
) -> DecisionCheck:
    """Seed 002 IV.4: the decided level against the proposal computed from the same rows.

    A model that cannot be rated (not eligible, no targets, rows missing) cannot be decided
    either: INVALID, with the proposal's reasons. Above the proposal, it names every criterion
    of the decided level that does not hold (the Yếu triggers first). Below the proposal is only
    noted: an authority may be stricter than the criteria.
    """
    if rating.level == UNRATED:
        return DecisionCheck(INVALID, rating.reasons)
    if decided == rating.level:
        return DecisionCheck(SAME)
    if LEVELS.index(decided) > LEVELS.index(rating.level):  # LEVELS runs from Tốt down
        return DecisionCheck(BELOW)
    percent = rating.percent if rating.percent is not None else Fraction(0)
    ticks = assessment.ticks if assessment else {}
    unmet = [text for key, text in TRIGGERS.items() if ticks.get(key)]
    if percent < THRESHOLDS[TRUNG_BINH]:
        unmet.insert(0, f"chỉ hoàn thành {format_percent(percent)}% chỉ tiêu (dưới 50%)")
    if dossier is not None and not dossier.present:
        unmet.append("hồ sơ mô hình không có tài liệu nào")
    # Above a rated proposal, the decided level is above Yếu: it has criteria to lack.
    lacks = lacking(decided, percent, dict(ticks), not rating.missing_documents)
    unmet += [t for t in lacks if t not in unmet]
    if "hồ sơ chưa đầy đủ" in unmet:  # said only when required documents are missing
        at = unmet.index("hồ sơ chưa đầy đủ")
        unmet[at] = "hồ sơ còn thiếu " + ", ".join(f"({n})" for n in rating.missing_documents)
    return DecisionCheck(ABOVE, tuple(unmet))


def decision_notes(
    decision: Decision, established_by: str, year: int, deadline: date | None = None
) -> tuple[str, ...]:
    """What the audit notes about a decision that still counts (III.2.c): dated after the
    deadline (10/11/Y unless the calendar says otherwise) or before the period it rates has
    ended (31/10/Y); taken by a body other than the one that established the model, when the
    sheet gives both (the level that established a model decides its rating)."""
    notes = []
    due = deadline or date(year, *DEADLINE)
    end = date(year, *PERIOD_END)
    if decision.on is not None and decision.on > due:
        notes.append(f"quyết định ngày {decision.on:%d/%m/%Y}, sau hạn {due:%d/%m/%Y}")
    elif decision.on is not None and decision.on < end:
        notes.append(
            f"quyết định ngày {decision.on:%d/%m/%Y}, trước khi kết thúc kỳ đánh giá "
            f"({end:%d/%m/%Y})"
        )
    by, established = decision.authority, established_by
    if by and established and normalize_header(by) != normalize_header(established):
        notes.append(
            f"cấp quyết định “{show(by)}” khác cấp thành lập mô hình “{show(established)}”"
        )
    return tuple(notes)
