"""The annual report's appendices: the lists of the consolidated workbook as a report gives them,
a table per list with the units as groups and the models and exemplars by name (the workbook
keeps the codes). Each list selects as the workbook's tab does (`ModelResult.to_replicate`,
`to_terminate`, …); only the words and the grouping are the report's. Pure: results in, rows out.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from worker.core import rules
from worker.core.backend import Part
from worker.core.evaluate import ExemplarOutcome, ModelResult, UnitResult
from worker.core.follow_up import basis, decided, review
from worker.core.records import ENDED

RECOGNISED = "Đã công nhận"  # an exemplar's status (unit.toml, tab Điển hình)
Row = list[object]
# unit ID -> model ID -> year -> level, as `State.history` returns it
History = Mapping[str, Mapping[str, Mapping[int, str]]]


@dataclass(frozen=True)
class Period:
    """The evaluation year's period: after `start`'s eve, up to `end` (31/10/Y by default)."""

    start: date
    end: date

    def holds(self, day: date | None) -> bool:
        return day is not None and self.start <= day <= self.end


def grouped(
    units: Iterable[UnitResult], rows_of: Callable[[UnitResult], list[Row]], header: Sequence[str]
) -> list[Row]:
    """The header, then per unit with rows its name (a row of one cell) and its rows, numbered
    1, 2, … across the table; [] when no unit has a row."""
    table: list[Row] = [["TT", *header]]
    number = 0
    for r in units:
        rows = rows_of(r)
        if rows:
            table.append([r.unit.name])
            for row in rows:
                number += 1
                table.append([number, *row])
    return table if number else []


def _percent(m: ModelResult) -> str:
    return f"{rules.format_percent(m.rating.percent)}%" if m.rating.percent is not None else ""


def replicate(units: Sequence[UnitResult]) -> list[Row]:
    """III.3: Tốt as the result and by the criteria, with what the level rests on."""
    return grouped(
        units,
        lambda r: [
            [m.model.name, m.model.field, _percent(m), basis(m)] for m in r.models if m.to_replicate
        ],
        ["Tên mô hình", "Lĩnh vực", "Tỷ lệ hoàn thành chỉ tiêu", "Căn cứ xếp loại"],
    )


def terminate(units: Sequence[UnitResult]) -> list[Row]:
    """III.3: Yếu by the criteria for the year's work, the decision beside whatever it is."""
    return grouped(
        units,
        lambda r: [
            [m.model.name, " ".join(m.rating.reasons), decided(m)]
            for m in r.models
            if m.to_terminate
        ],
        ["Tên mô hình", "Lý do xếp loại Yếu", "Quyết định công nhận"],
    )


def to_review(units: Sequence[UnitResult]) -> list[Row]:
    """Kept out of both proposals: Yếu only for the dossier, decided Tốt above the criteria."""
    return grouped(
        units,
        lambda r: [
            [m.model.name, m.level, m.decision.level if m.decision else "", "; ".join(review(m))]
            for m in r.models
            if m.to_complete or m.to_review
        ],
        ["Tên mô hình", "Xếp loại đề xuất", "Xếp loại được công nhận", "Cần làm"],
    )


def _decision_no(m: ModelResult) -> str:
    on = f" ngày {m.model.decision_date:%d/%m/%Y}" if m.model.decision_date else ""
    return f"{m.model.decision_no}{on}".strip()


def ended_in(m: ModelResult, period: Period) -> bool:
    """Ended in the year, or ended with no date given (counted rather than lost)."""
    return m.model.status == ENDED and (m.model.end_date is None or period.holds(m.model.end_date))


def new_in(m: ModelResult, period: Period) -> bool:
    """Established in the year (and not ended since)."""
    return m.model.status != ENDED and period.holds(m.model.decision_date)


def new_and_ended(units: Sequence[UnitResult], period: Period) -> list[Row]:
    """Models established in the year, and models ended in it."""

    def rows(r: UnitResult) -> list[Row]:
        out: list[Row] = []
        for m in r.models:
            if ended_in(m, period):
                when = f"{m.model.end_date:%d/%m/%Y}" if m.model.end_date else "chưa ghi ngày"
                out.append([m.model.name, m.model.field, _decision_no(m), f"Kết thúc ({when})"])
            elif new_in(m, period):
                out.append([m.model.name, m.model.field, _decision_no(m), "Thành lập mới"])
        return out

    return grouped(units, rows, ["Tên mô hình", "Lĩnh vực", "Quyết định thành lập", "Trong năm"])


def _exemplar_row(e: ExemplarOutcome) -> Row | None:
    """An exemplar to decide on: below the threshold (to end), or due for evaluation."""
    result = e.result
    if result is None or not (result.flagged or result.due):
        return None
    share = f"{rules.format_percent(result.percent)}%" if result.percent is not None else ""
    if result.flagged:
        proposal = rules.EXEMPLAR_FLAG
    else:
        proposal = "Đến hạn đánh giá để công nhận hoặc kết thúc xây dựng"
    return [e.exemplar.name, e.exemplar.kind, share, proposal, "; ".join(result.blockers)]


def exemplars(units: Sequence[UnitResult]) -> list[Row]:
    return grouped(
        units,
        lambda r: [row for e in r.exemplars if (row := _exemplar_row(e))],
        ["Tên điển hình", "Loại", "Tỷ lệ đạt tiêu chí", "Đề xuất", "Lưu ý khi công nhận"],
    )


def audit(units: Sequence[UnitResult]) -> list[Row]:
    """Seed 002 IV.4: every decision that differs from its proposal, is not valid or is noted."""

    def rows(r: UnitResult) -> list[Row]:
        return [
            [
                m.model.name,
                m.level,
                m.decision.level,
                m.decision.describe(),
                "; ".join(filter(None, (m.check.text, *m.check.notes))),
            ]
            for m in r.models
            if m.audited and m.decision and m.check
        ]

    header = ["Tên mô hình", "Đề xuất", "Công nhận", "Quyết định", "Đối chiếu, lưu ý"]
    return grouped(units, rows, header)


def commended(m: ModelResult) -> bool:
    """A model to weigh for commendation: decided Tốt by the competent level, and Tốt by the
    criteria (a proposal alone is not yet a result to reward)."""
    return m.to_replicate and m.counted


def recognisable(e: ExemplarOutcome) -> bool:
    """An exemplar to weigh for commendation: recognised, or due with nothing blocking it, and
    not below the threshold."""
    result = e.result
    if result is None or result.flagged or result.blockers:
        return False
    return e.exemplar.status == RECOGNISED or result.due


def commendation(units: Sequence[UnitResult]) -> list[Row]:
    def rows(r: UnitResult) -> list[Row]:
        models: list[Row] = [
            ["Mô hình", m.model.name, f"Công nhận Tốt, {_percent(m)} chỉ tiêu"]
            for m in r.models
            if commended(m)
        ]
        return models + [
            [f"Điển hình ({e.exemplar.kind.lower()})", e.exemplar.name, e.exemplar.status]
            for e in r.exemplars
            if recognisable(e)
        ]

    return grouped(units, rows, ["Loại", "Tên", "Căn cứ"])


def national(m: ModelResult, levels: Mapping[int, str], year: int) -> bool:
    """III.3: a model for Cục V05 to weigh for the whole country — Tốt by the criteria this year
    and Tốt the year before (proven where it runs)."""
    return m.to_replicate and levels.get(year - 1) == rules.TOT


def to_v05(units: Sequence[UnitResult], history: History, year: int) -> list[Row]:
    def rows(r: UnitResult) -> list[Row]:
        known = history.get(r.unit.unit_id, {})
        return [
            [m.model.name, m.model.field, f"Tốt năm {year - 1} và năm {year}", _percent(m)]
            for m in r.models
            if national(m, known.get(m.model.model_id, {}), year)
        ]

    return grouped(units, rows, ["Tên mô hình", "Lĩnh vực", "Xếp loại", "Tỷ lệ chỉ tiêu"])


def by_unit(units: Sequence[UnitResult], rejected: Sequence[UnitResult]) -> list[Row]:
    """A row per unit: its models by result and its exemplars; blanks for a unit not read."""
    header: Row = ["TT", "Đơn vị", "Số mô hình", *rules.LEVELS, rules.UNRATED, "Số điển hình"]
    table: list[Row] = [header]
    listed = [*units, *(r for r in rejected if r.unit.active)]
    for number, r in enumerate(listed, start=1):
        if not r.readable:  # no number is known: none is shown
            table.append([number, r.unit.name, *([""] * (len(header) - 2))])
            continue
        levels = [r.count(level) for level in (*rules.LEVELS, rules.UNRATED)]
        table.append([number, r.unit.name, len(r.models), *levels, len(r.exemplars)])
    return table


def appendix(heading: str, rows: list[Row], widths: Sequence[int]) -> Part | None:
    return Part(heading, table=rows, widths=widths) if rows else None
