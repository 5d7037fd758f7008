"""The province's tables (SPEC §6) as pandas DataFrames, from the evaluation of every unit."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from worker.core import rules
from worker.core.evaluate import UnitResult
from worker.core.layout import load
from worker.core.results import TOTAL, Grid, error_row, exemplar_row, model_row, percent_cell
from worker.core.tabs import CellError
from worker.reports.audit import History, audit_rows, basis, years_table

LEVELS = (*rules.LEVELS, rules.UNRATED)
FIELDS = load("unit").tab("models").column("field").values
UNKNOWN_FIELD = "(chưa rõ lĩnh vực)"


def _headers(key: str) -> list[str]:
    return list(load("consolidated").section(key).headers)


def field_table(units: Sequence[UnitResult]) -> pd.DataFrame:
    """Models by field × rating (decided where recorded), a row per field in the template's
    order and a total row."""
    models = pd.DataFrame(
        [(m.model.field or UNKNOWN_FIELD, m.final) for r in units for m in r.models],
        columns=["field", "level"],
    )
    table = pd.crosstab(models["field"], models["level"]).reindex(
        index=[*FIELDS, *sorted(set(models["field"]) - set(FIELDS))],
        columns=list(LEVELS),
        fill_value=0,
    )
    table["Tổng"] = table.sum(axis=1)
    table.loc[TOTAL] = table.sum(axis=0)
    table = table.reset_index()
    table.columns = _headers("fields")
    return table.astype(object)


def unit_table(units: Sequence[UnitResult]) -> pd.DataFrame:
    rows = []
    for r in units:
        flagged = sum(1 for e in r.exemplars if e.result and e.result.flagged)
        eligible = sum(1 for m in r.models if m.eligibility and m.eligibility.eligible)
        rows.append(
            [
                r.unit.unit_id,
                r.unit.name,
                r.unit.level,
                len(r.models),
                eligible,
                *(r.count(level) for level in LEVELS),
                len(r.exemplars),
                flagged,
                r.error_count,
                r.status,
                sum(1 for m in r.models if m.decision),
                sum(1 for m in r.models if m.differs),
            ]
        )
    return pd.DataFrame(rows, columns=_headers("units"))


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
    """Đề xuất kết thúc: per unit, its Yếu models, then its exemplars below the threshold."""
    rows: list[list[object]] = []
    for r in units:
        rows.extend(
            [
                *_who(r),
                "Đề xuất kết thúc mô hình",
                m.model.model_id,
                m.model.name,
                " ".join(m.rating.reasons),
                basis(m),
            ]
            for m in r.models
            if m.final == rules.YEU
        )
        rows.extend(
            [
                *_who(r),
                rules.EXEMPLAR_FLAG,
                e.exemplar.exemplar_id,
                e.exemplar.name,
                f"Đạt {rules.format_percent(e.result.percent)}% tiêu chí, dưới "
                f"{rules.format_percent(rules.EXEMPLAR_THRESHOLD)}%",
                "Tỷ lệ đạt tiêu chí của điển hình",
            ]
            for e in r.exemplars
            if e.result and e.result.flagged and e.result.percent is not None
        )
    return rows


def replicate_rows(units: Sequence[UnitResult]) -> list[list[object]]:
    """Đề xuất nhân rộng: the Tốt models."""
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
        if m.final == rules.TOT
    ]


def error_rows(
    units: Sequence[UnitResult],
    rejected: Sequence[UnitResult] = (),
    registry_errors: Sequence[CellError] = (),
) -> list[list[object]]:
    """Lỗi dữ liệu: each unit's errors (and its sheet when unreadable), then the registry's."""
    rows: list[list[object]] = []
    for r in units:
        rows.extend([*_who(r), *error_row(e)] for e in r.errors)
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
    of_rows = {e for r in rejected for e in r.errors}
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
    Counts and the kết thúc / nhân rộng lists go by each model's result: the decided rating where
    the unit recorded one, the proposal otherwise (the Căn cứ column says which). `history`
    (unit -> model -> year -> level) gives the earlier years of So sánh các năm.
    """
    this_year = year if year is not None else (units[0].year if units else 0)
    year_headers, years = years_table(units, history or {}, this_year)
    return [
        _grid("units", unit_table([*units, *(r for r in rejected if r.unit.active)]), title),
        _grid("fields", field_table(units), title),
        _grid("models", model_rows(units), title),
        _grid("exemplars", exemplar_rows(units), title),
        _grid("terminate", terminate_rows(units), title),
        _grid("replicate", replicate_rows(units), title),
        _grid("audit", audit_rows(units), title),
        _grid("years", years, title, year_headers),
        _grid("errors", error_rows(units, rejected, registry_errors), title),
    ]
