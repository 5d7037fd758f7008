"""What a unit's Kết quả tab shows, as plain rows (SPEC §4). Pure: backends do the writing."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from fractions import Fraction

from worker.core import cells, rules
from worker.core.evaluate import ExemplarOutcome, ModelResult, UnitResult
from worker.core.layout import load, normalize_header
from worker.core.tabs import CellError

YES, NO = "Có", "Không"
# How a Percent shows: two decimals always, so a printed column lines up (Excel's built-in
# format 10; Google and LibreOffice show it in their locale, "83,33%" in Vietnamese)
PERCENT_FORMAT = "0.00%"
TOTAL = "Tổng cộng"


class Percent(float):
    """A percentage stored as a ratio (0.8333 for 83,33 %), written as a number with
    PERCENT_FORMAT: columns of them sort, sum and line up. Being a float, it goes wherever a
    number goes (JSON, pandas, comparison with what a sheet gives back). An .xlsx reader gives
    such a cell back as a cells.Percent."""

    __slots__ = ()


@dataclass(frozen=True)
class Grid:
    """Rows to write into one tab; `titles` are rows shown as headings, `headers` as headers."""

    rows: list[list[object]]
    titles: set[int] = field(default_factory=set)
    headers: set[int] = field(default_factory=set)
    widths: tuple[int, ...] = ()
    # rows at the top kept in view (frozen) and repeated atop every printed page
    head: int = 1
    # rows that add up the table above them: printed bold, left out of charts and filters
    totals: set[int] = field(default_factory=set)
    # (row, column), 0-based -> a place in the same workbook, e.g. "'Mô hình'!D4": a click on
    # the cell goes there
    links: dict[tuple[int, int], str] = field(default_factory=dict)

    def table(self) -> range:
        """The data rows of the table: under its (last) header row, less the totals at its end."""
        start = max(self.headers, default=-1) + 1
        end = len(self.rows)
        while end > start and end - 1 in self.totals:
            end -= 1
        return range(start, end)


LINE_POINTS = 15  # one line of 11-point text
DEFAULT_WIDTH = 9  # a column without a width (Excel's 8.43, rounded up)


def row_heights(grid: Grid) -> dict[int, int]:
    """Points for each row (0-based) whose wrapped text takes more than one line in its column.

    Written into the file because neither LibreOffice nor Excel grows a row to its wrapped
    text when it opens a workbook: lines would print over each other. A line holds about one
    character per unit of width; a word that does not fit starts a new line, so one less."""
    heights = {}
    for r, row in enumerate(grid.rows):
        if r in grid.titles:
            continue  # titles run on over the empty cells beside them
        lines = 1
        for c, value in enumerate(row):
            if not isinstance(value, str) or not value:
                continue
            width = grid.widths[c] if c < len(grid.widths) else DEFAULT_WIDTH
            per_line = max(1, width - 2)
            needed = sum(-(-max(len(p), 1) // per_line) for p in value.split("\n"))
            lines = max(lines, needed)
        if lines > 1:
            heights[r] = lines * LINE_POINTS
    return heights


def percent_cell(value: Fraction | None) -> Percent | str:
    """A percentage (rules give 200/3 for 66,66… %) as a Percent cell; "" when there is none.

    Cut to the hundredth of a percent that PERCENT_FORMAT shows, as `rules.format_percent`
    writes it: a spreadsheet rounds half up, so 89,999 % stored as it is would show "90.00%",
    a threshold it misses."""
    if value is None:
        return ""
    return Percent(rules.hundredths(value) / 10_000)


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


TITLE = "Kết quả đánh giá mô hình, điển hình năm {year} — {unit}"
HEAD_ROWS = 2  # the title and the stamp: what a printed page repeats at its top


def is_results_head(a1: str | None, a2: str | None) -> bool:
    """Whether a tab's A1 and A2 are those of a Kết quả tab we wrote (the stamp alone in A1:
    before the title row)."""
    stamp = normalize_header(load("unit").stamp_label)
    prefix = normalize_header(TITLE.split("{")[0])
    if normalize_header(a1) == stamp:
        return True
    return normalize_header(a1).startswith(prefix) and normalize_header(a2) == stamp


def unit_grid(result: UnitResult, now: datetime) -> Grid:
    """The whole Kết quả tab: a title, a stamp, then models, exemplars and data errors."""
    layout = load("unit")
    grid = Grid(
        [
            [TITLE.format(year=result.year, unit=result.unit.name)],
            [layout.stamp_label, f"{now:%d/%m/%Y %H:%M}", "Năm đánh giá", result.year],
        ],
        titles={0},
        widths=layout.section("models").widths,
        head=HEAD_ROWS,
    )
    sections = {
        "models": [model_row(m) for m in result.models],
        "exemplars": [exemplar_row(e) for e in result.exemplars],
        "errors": [error_row(e) for e in result.errors],
    }
    counts = {key: len(rows) for key, rows in sections.items()} | {"errors": result.error_count}
    for section in layout.sections:
        grid.rows.append([])
        grid.titles.add(len(grid.rows))
        grid.rows.append([f"{section.title} ({cells.grouped(counts[section.key])})"])
        grid.headers.add(len(grid.rows))
        grid.rows.append(list(section.headers))
        if section.key == "errors":
            for e in result.errors:
                if e.tab and e.cell:
                    grid.links[(len(grid.rows), 1)] = cell_place(e.tab, e.cell)
                grid.rows.append(error_row(e))
            if result.more_errors:
                grid.rows.append(
                    [f"{result.more_errors_line()}: sửa các lỗi trên, lần chạy sau sẽ liệt kê các "
                     "lỗi còn lại"]
                )  # fmt: skip
        else:
            grid.rows.extend(sections[section.key])
        if not sections[section.key]:
            grid.rows.append(["(không có)"])
    return grid
