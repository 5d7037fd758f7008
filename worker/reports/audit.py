"""The province's check of the decisions (seed 002, IV.4) and the years side by side: the rows of
the consolidated tabs Đối chiếu xếp loại and So sánh các năm. Pure: rows in, rows out."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from worker.core import rules
from worker.core.evaluate import ModelResult, UnitResult

# unit ID -> model ID -> year -> level, as `State.history` returns it
History = Mapping[str, Mapping[str, Mapping[int, str]]]
PROPOSED = "Đề xuất (chưa có quyết định công nhận)"


def basis(m: ModelResult) -> str:
    """What a listed level rests on: the decision, or the proposal when none is recorded."""
    if m.decision is None:
        return PROPOSED
    described = m.decision.describe()
    return f"Quyết định {described}" if described else "Quyết định công nhận"


def audit_rows(units: Sequence[UnitResult]) -> list[list[object]]:
    """Every model whose decided rating differs from its proposal, both levels and why."""
    rows: list[list[object]] = []
    for r in units:
        for m in r.models:
            if m.differs and m.decision and m.check:
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
    Yếu two years running (to end), Tốt two years running (strong replication candidate)."""
    years = list(range(year - span + 1, year + 1))
    rows: list[list[object]] = []
    for r in units:
        known = history.get(r.unit.unit_id, {})
        for m in r.models:
            levels = {**known.get(m.model.model_id, {}), year: m.final}
            remark = ""
            if _two_running(levels, year, rules.YEU):
                remark = f"Yếu hai năm liền ({year - 1}, {year}): xem xét kết thúc mô hình"
            elif _two_running(levels, year, rules.TOT):
                remark = f"Tốt hai năm liền ({year - 1}, {year}): ưu tiên nhân rộng"
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
