"""The province's check of the decisions (seed 002, IV.4) and the years side by side: the rows of
the consolidated tabs Đối chiếu xếp loại and So sánh các năm. Pure: rows in, rows out."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from worker.core import decisions, rules
from worker.core.evaluate import UnitResult

# unit ID -> model ID -> year -> level, as `State.history` returns it
History = Mapping[str, Mapping[str, Mapping[int, str]]]


def audit_rows(units: Sequence[UnitResult]) -> list[list[object]]:
    """Every decision the province's check (IV.4) lists: one that differs from its proposal or
    is not valid, and one whose date or body is noted; both levels and why."""
    rows: list[list[object]] = []
    for r in units:
        for m in r.models:
            if m.audited and m.decision and m.check:
                rows.append(
                    [
                        r.unit.unit_id,
                        r.unit.name,
                        m.model.model_id,
                        m.model.name,
                        m.level,
                        m.decision.level,
                        m.decision.describe(),
                        m.check.text,
                        "; ".join(m.check.notes),
                        " ".join(m.rating.reasons),
                    ]
                )
    return rows


def _two_running(levels: Mapping[int, str], year: int, level: str) -> bool:
    return levels.get(year - 1) == level and levels.get(year) == level


def years_table(
    units: Sequence[UnitResult], history: History, year: int, span: int = 3
) -> tuple[list[str], list[list[object]]]:
    """The years Y−span+1 … Y as column headers, and a row per model of this year's sheets
    with its level in each year (this year's result from the evaluation itself) and a remark:
    Yếu two years running (to end), Tốt two years running and Tốt by the criteria (strong
    replication candidate), this year's decision above the criteria."""
    years = list(range(year - span + 1, year + 1))
    rows: list[list[object]] = []
    for r in units:
        known = history.get(r.unit.unit_id, {})
        for m in r.models:
            levels = {**known.get(m.model.model_id, {}), year: m.final}
            remarks = []
            if _two_running(levels, year, rules.YEU):
                remarks.append(f"Yếu hai năm liền ({year - 1}, {year}): xem xét kết thúc mô hình")
            elif _two_running(levels, year, rules.TOT) and m.to_replicate:
                remarks.append(f"Tốt hai năm liền ({year - 1}, {year}): ưu tiên nhân rộng")
            if m.above:
                remarks.append(f"năm {year}: {decisions.ABOVE_FLAG.lower()}")
            remark = "; ".join(remarks)
            rows.append(
                [
                    r.unit.unit_id,
                    r.unit.name,
                    m.model.model_id,
                    m.model.name,
                    *(levels.get(y, "") for y in years),
                    remark,
                ]
            )
    return [f"Năm {y}" for y in years], rows
