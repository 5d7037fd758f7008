"""What a unit's Kết quả tab shows, as plain rows (SPEC §4). Pure: backends do the writing."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from fractions import Fraction

from worker import rules
from worker.evaluate import ExemplarOutcome, ModelResult, UnitResult
from worker.layout import load
from worker.validation import CellError

YES, NO = "Có", "Không"


@dataclass(frozen=True)
class Grid:
    """Rows to write into one tab; `titles` are rows shown as headings, `headers` as headers."""

    rows: list[list[object]]
    titles: set[int] = field(default_factory=set)
    headers: set[int] = field(default_factory=set)
    widths: tuple[int, ...] = ()
    # (row, column), 0-based -> a place in the same workbook, e.g. "'Mô hình'!D4": a click on
    # the cell goes there
    links: dict[tuple[int, int], str] = field(default_factory=dict)


def percent_cell(value: Fraction | None) -> object:
    """A percentage as the unit reads it: 66,67 (text with a decimal comma) or a whole number."""
    if value is None:
        return ""
    text = rules.format_percent(value)
    return int(text) if text.isdigit() else text


def model_row(m: ModelResult) -> list[object]:
    """A model in Kết quả: the proposal (what the criteria allow), then the decision, if any."""
    eligible = "" if m.eligibility is None else (YES if m.eligibility.eligible else NO)
    months = "" if m.eligibility is None or m.model.decision_date is None else m.eligibility.months
    return [
        m.model.model_id,
        m.model.name,
        m.model.field,
        eligible,
        months,
        percent_cell(m.rating.percent),
        m.level,
        m.decision.level if m.decision else "",
        m.decision.describe() if m.decision else "",
        m.check.text if m.check else "",
        " ".join(m.rating.reasons),
        rules.describe_documents(m.rating.missing_documents),
    ]


def exemplar_row(e: ExemplarOutcome) -> list[object]:
    x, r = e.exemplar, e.result
    if r is None:
        return [x.exemplar_id, x.name, x.kind, "", "", "", e.reason]
    return [
        x.exemplar_id,
        x.name,
        x.kind,
        percent_cell(r.percent),
        rules.EXEMPLAR_FLAG if r.flagged else "",
        YES if r.due else "",
        "; ".join(r.blockers),
    ]


def cell_place(tab: str, cell: str) -> str:
    """A cell's address in a formula's terms: 'Mô hình'!D4 (quotes doubled inside the name)."""
    return "'" + tab.replace("'", "''") + "'!" + cell


def error_row(e: CellError) -> list[object]:
    return [e.tab, e.cell, e.value, e.message, e.fix]


def unit_grid(result: UnitResult, now: datetime) -> Grid:
    """The whole Kết quả tab: a stamp, then models, exemplars and data errors."""
    layout = load("unit")
    grid = Grid(
        [[layout.stamp_label, f"{now:%d/%m/%Y %H:%M}", "Năm đánh giá", result.year]],
        widths=layout.section("models").widths,
    )
    sections = {
        "models": [model_row(m) for m in result.models],
        "exemplars": [exemplar_row(e) for e in result.exemplars],
        "errors": [error_row(e) for e in result.errors],
    }
    for section in layout.sections:
        grid.rows.append([])
        grid.titles.add(len(grid.rows))
        grid.rows.append([f"{section.title} ({len(sections[section.key])})"])
        grid.headers.add(len(grid.rows))
        grid.rows.append(list(section.headers))
        if section.key == "errors":
            for e in result.errors:
                if e.tab and e.cell:
                    grid.links[(len(grid.rows), 1)] = cell_place(e.tab, e.cell)
                grid.rows.append(error_row(e))
        else:
            grid.rows.extend(sections[section.key])
        if not sections[section.key]:
            grid.rows.append(["(không có)"])
    return grid


def _cell_text(value: object) -> str:
    """A cell as text, alike whichever backend read it: 31, 31.0 and "31" are the same."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def fingerprint(rows: Sequence[Sequence[object]]) -> str:
    """What a Kết quả tab says, less its time stamp (row 1) and trailing blanks."""
    body = [[_cell_text(v) for v in row] for row in rows[1:]]
    for row in body:
        while row and row[-1] == "":
            row.pop()
    while body and not body[-1]:
        body.pop()
    return hashlib.sha256(json.dumps(body, ensure_ascii=False).encode()).hexdigest()
