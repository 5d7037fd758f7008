"""The province's tables (SPEC §6) as pandas DataFrames, from the evaluation of every unit."""

from __future__ import annotations

from collections.abc import Sequence
from typing import cast

import pandas as pd

from worker.core import rules, tally
from worker.core.evaluate import UnitResult
from worker.core.follow_up import basis, decided, review
from worker.core.layout import load
from worker.core.results import TOTAL, Grid, error_row, exemplar_row, model_row, percent_cell
from worker.core.tabs import CellError
from worker.reports.audit import History, audit_rows, years_table

LEVELS = (*rules.LEVELS, rules.UNRATED)
FIELDS = load("unit").tab("models").column("field").values
UNKNOWN_FIELD = "(chưa rõ lĩnh vực)"


def _headers(key: str) -> list[str]:
    return list(load("consolidated").section(key).headers)


def field_table(units: Sequence[UnitResult]) -> pd.DataFrame:
    """Models by field × result (the decided level where the decision counts), Chưa xếp loại
    broken down by why; a row per field in the template's order and a total row."""
    models = pd.DataFrame(
        [
            (m.model.field or UNKNOWN_FIELD, m.final, rules.UNRATED_KINDS.get(m.unrated, ""))
            for r in units
            for m in r.models
        ],
        columns=["field", "level", "unrated"],
    )
    index = [*FIELDS, *sorted(set(models["field"]) - set(FIELDS))]
    table = pd.crosstab(models["field"], models["level"]).reindex(
        index=index, columns=list(LEVELS), fill_value=0
    )
    kinds = pd.crosstab(models["field"], models["unrated"]).reindex(
        index=index, columns=list(rules.UNRATED_KINDS.values()), fill_value=0
    )
    total = table.sum(axis=1)
    table = pd.concat([table, kinds], axis=1)
    table["Tổng"] = total
    table.loc[TOTAL] = table.sum(axis=0)
    table = table.reset_index()
    table.columns = _headers("fields")
    return table.astype(object)


def unit_table(
    units: Sequence[UnitResult], rejected: Sequence[UnitResult] = ()
) -> list[list[object]]:
    """A row per unit (the active rows the registry set aside too), then the total row: the
    counts added up, and the units read, not read and withheld by the registry. A unit not read
    has blanks for counts: a zero would say it has no model."""
    rows: list[list[object]] = []
    listed = [*units, *(r for r in rejected if r.unit.active)]
    status_at = _headers("units").index("Tình trạng bảng tính")
    errors_at = _headers("units").index("Lỗi dữ liệu")
    for r in listed:
        row: list[object] = [r.unit.unit_id, r.unit.name, r.unit.level, *_unit_counts(r)]
        if not r.readable:  # what is known stays: its status, its registry row's errors
            row[3:] = ["" for _ in row[3:]]
            row[status_at] = r.status
            row[errors_at] = r.error_count or ""
        rows.append(row)
    counts = tally.unit_counts(units, rejected)
    status = (
        f"{counts.read} đọc được; {counts.unreadable} không đọc được; "
        f"{counts.withheld} lỗi danh mục"
    )
    width = len(_headers("units"))
    totals: list[object] = [TOTAL, f"{counts.total} đơn vị", ""]
    for i in range(3, width):
        numbers = (cast(int, row[i]) for row in rows if row[i] != "")
        totals.append(status if i == status_at else sum(numbers))
    return [*rows, totals]


def _unit_counts(r: UnitResult) -> list[object]:
    """A unit's row from Số mô hình on, in the order of the headers."""
    flagged = sum(1 for e in r.exemplars if e.result and e.result.flagged)
    eligible = sum(1 for m in r.models if m.eligibility and m.eligibility.eligible)
    return [
        len(r.models),
        eligible,
        *(r.count(level) for level in LEVELS),
        *tally.unrated(r.models).values(),
        len(r.exemplars),
        flagged,
        r.error_count,
        r.status,
        sum(1 for m in r.models if m.counted),
        sum(1 for m in r.models if m.differs),
    ]


def _grid(
    key: str, frame: pd.DataFrame | list[list[object]], title: str, extra: Sequence[str] = ()
) -> tuple[str, Grid]:
    """A tab: its title row (what a printed page is about), the header row, the rows; a last
    row named TOTAL is the table's total. `extra` headers go before the last one (the years'
    columns)."""
    section = load("consolidated").section(key)
    rows = frame.values.tolist() if isinstance(frame, pd.DataFrame) else frame
    heading = f"{section.title} — {title}" if title else section.title
    headers: list[object] = list(section.headers)
    if extra:
        headers[-1:-1] = extra
    grid = Grid(
        [[heading], headers, *rows],
        titles={0},
        headers={1},
        widths=section.widths,
        head=2,
    )
    if rows and rows[-1] and rows[-1][0] == TOTAL:
        grid.totals.add(len(grid.rows) - 1)
    return section.title, grid


def _who(r: UnitResult) -> list[object]:
    return [r.unit.unit_id, r.unit.name]


def model_rows(units: Sequence[UnitResult]) -> list[list[object]]:
    return [[*_who(r), *model_row(m)] for r in units for m in r.models]


def exemplar_rows(units: Sequence[UnitResult]) -> list[list[object]]:
    return [[*_who(r), *exemplar_row(e)] for r in units for e in r.exemplars]


def terminate_rows(units: Sequence[UnitResult]) -> list[list[object]]:
    """Đề xuất kết thúc (III.3): per unit, its models Yếu by the criteria for their year's work,
    each with its decision beside it, then its exemplars below the threshold."""
    rows: list[list[object]] = []
    for r in units:
        rows.extend(
            [
                *_who(r),
                "Đề xuất kết thúc mô hình",
                m.model.model_id,
                m.model.name,
                " ".join(m.rating.reasons),
                decided(m),
            ]
            for m in r.models
            if m.to_terminate
        )
        rows.extend(
            [
                *_who(r),
                rules.EXEMPLAR_FLAG,
                e.exemplar.exemplar_id,
                e.exemplar.name,
                f"Đạt {rules.format_percent(e.result.percent)}% tiêu chí, dưới "
                f"{rules.format_percent(rules.EXEMPLAR_THRESHOLD)}%",
                "",
            ]
            for e in r.exemplars
            if e.result and e.result.flagged and e.result.percent is not None
        )
    return rows


def replicate_rows(units: Sequence[UnitResult]) -> list[list[object]]:
    """Đề xuất nhân rộng (III.3): the models Tốt as the result and by the criteria."""
    return [
        [
            *_who(r),
            m.model.model_id,
            m.model.name,
            m.model.field,
            percent_cell(m.rating.percent),
            basis(m),
        ]
        for r in units
        for m in r.models
        if m.to_replicate
    ]


def review_rows(units: Sequence[UnitResult]) -> list[list[object]]:
    """Cần xem xét: per unit, the models kept out of both proposals and what to do with each —
    Yếu only for the dossier (add the documents), decided Tốt above the criteria (review)."""
    return [
        [
            *_who(r),
            m.model.model_id,
            m.model.name,
            m.level,
            m.decision.level if m.decision else "",
            "; ".join(review(m)),
            " ".join(m.rating.reasons),
        ]
        for r in units
        for m in r.models
        if m.to_complete or m.to_review
    ]


def error_rows(
    units: Sequence[UnitResult],
    rejected: Sequence[UnitResult] = (),
    registry_errors: Sequence[CellError] = (),
) -> list[list[object]]:
    """Lỗi dữ liệu: each unit's errors (its sheet's, its registry row's, and its sheet when
    unreadable), then the registry's."""
    rows: list[list[object]] = []
    for r in units:
        rows.extend([*_who(r), *error_row(e)] for e in (*r.errors, *r.unit.problems))
        if r.more_errors:
            rows.append([*_who(r), "", "", "", r.more_errors_line(), ""])
        if not r.readable:
            rows.append(
                [
                    *_who(r),
                    "",
                    "",
                    "",
                    f"Không đọc được bảng tính: {r.problem}",
                    "kiểm tra tệp hoặc quyền chia sẻ",
                ]
            )
    for r in rejected:
        rows.extend([*_who(r), *error_row(e)] for e in r.errors)
    of_rows = {e for r in (*units, *rejected) for e in r.unit.problems}
    rows.extend(["", "", *error_row(e)] for e in registry_errors if e not in of_rows)
    return rows


def consolidated(
    units: Sequence[UnitResult],
    rejected: Sequence[UnitResult] = (),
    registry_errors: Sequence[CellError] = (),
    history: History | None = None,
    year: int | None = None,
    title: str = "",
) -> list[tuple[str, Grid]]:
    """Every tab of the consolidated workbook, in the template's order, each headed `title`.

    `rejected` are the registry rows set aside (a row each in the unit summary, its problems in
    Lỗi dữ liệu); `registry_errors` may hold problems of no row (a missing tab or column).
    Counts go by each model's result: the decided rating where the decision counts, the proposal
    otherwise; the kết thúc and nhân rộng lists as SPEC §3.3 says (`ModelResult.to_terminate`,
    `to_replicate`), what both leave out in Cần xem xét. `history`
    (unit -> model -> year -> level) gives the earlier years of So sánh các năm.
    """
    this_year = year if year is not None else (units[0].year if units else 0)
    year_headers, years = years_table(units, history or {}, this_year)
    return [
        _grid("units", unit_table(units, rejected), title),
        _grid("fields", field_table(units), title),
        _grid("models", model_rows(units), title),
        _grid("exemplars", exemplar_rows(units), title),
        _grid("terminate", terminate_rows(units), title),
        _grid("replicate", replicate_rows(units), title),
        _grid("review", review_rows(units), title),
        _grid("audit", audit_rows(units), title),
        _grid("years", years, title, year_headers),
        _grid("errors", error_rows(units, rejected, registry_errors), title),
    ]
