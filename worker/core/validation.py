"""Validate a unit's tabs into typed records, collecting every problem (never only the first).

Each tab is read and typed by `worker.core.tabs`; here are the checks across tabs: an ID used
twice, rows pointing to an ID the unit does not have, rows of other years, a second assessment
or dossier row, a decision without its level, an exemplar without criteria. Output is
`UnitData`: the records of the evaluation year and a `CellError` for every problem. No I/O here.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from worker.core.layout import Layout, Tab, load
from worker.core.records import (
    DECISION_KEYS,
    Assessment,
    Criterion,
    Decision,
    Dossier,
    Exemplar,
    Model,
    Target,
)
from worker.core.tabs import CellError, ParseCache, Row, Rows, read_tab

DOCUMENT_KEYS = tuple((n, f"doc{n}") for n in range(1, 17))  # the tab Hồ sơ: (1) … (16)
# The kind of record an ID column names, which is also the key of the tab that lists them.
_KIND = {"model_id": "models", "exemplar_id": "exemplars"}
# The tabs whose rows belong to a model or an exemplar, with the column naming it.
_OWNED_BY = {
    "targets": "model_id",
    "assessments": "model_id",
    "dossiers": "model_id",
    "criteria": "exemplar_id",
}


@dataclass
class UnitData:
    year: int
    models: list[Model] = field(default_factory=list)
    targets: dict[str, list[Target]] = field(default_factory=lambda: defaultdict(list))
    assessments: dict[str, Assessment] = field(default_factory=dict)
    dossiers: dict[str, Dossier] = field(default_factory=dict)
    exemplars: list[Exemplar] = field(default_factory=list)
    criteria: dict[str, list[Criterion]] = field(default_factory=lambda: defaultdict(list))
    errors: list[CellError] = field(default_factory=list)
    # Errors that keep a model or exemplar from being rated this year, by ("models" or
    # "exemplars", ID); and what could be read of every such row, to name it in the results.
    blocking: dict[tuple[str, str], list[CellError]] = field(
        default_factory=lambda: defaultdict(list)
    )
    read_values: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    missing_tabs: set[str] = field(default_factory=set)
    # Models with a row of Y−1 in the tab Đánh giá: rated then, so (13) is required now.
    assessed_before: set[str] = field(default_factory=set)
    # A column each tab lacks (its "missing_header" errors), by tab key: what it holds is unknown
    # for every model or exemplar, so none of them is rated on it.
    missing_columns: dict[str, list[CellError]] = field(default_factory=dict)

    def block(self, kind: str, entity: str | None, problems: Sequence[CellError]) -> None:
        """`problems` (if any) keep the `kind` record `entity` from being rated this year."""
        if entity and problems:
            self.blocking[kind, entity].extend(problems)


def validate_unit(
    tabs: Mapping[str, Rows], year: int, today: date, cache: ParseCache | None = None
) -> UnitData:
    """Every row of a unit's tabs checked; the records of `year` returned with all errors.

    `cache`: the run's (`ParseCache`); without one, this unit is read with a cache of its own.
    """
    layout = load("unit")
    data = UnitData(year)
    read = _read_tabs(layout, tabs, today, data, ParseCache() if cache is None else cache)
    _check_end_dates(data, layout.tab("models"), read["models"])
    models = _unique(data, layout.tab("models"), read["models"], "model_id")
    exemplars = _unique(data, layout.tab("exemplars"), read["exemplars"], "exemplar_id")
    _block_for_missing_columns(data, {"models": models, "exemplars": exemplars})
    data.read_values.update({("models", e): r.values for e, r in models.items()})
    data.read_values.update({("exemplars", e): r.values for e, r in exemplars.items()})
    _add_targets(data, _belonging(data, layout, read, "targets", models))
    data.assessed_before = {
        entity
        for row in read["assessments"]
        if row.values["year"] == year - 1 and (entity := row.values["model_id"]) in models
    }
    assessments = _belonging(data, layout, read, "assessments", models)
    _add_assessments(data, layout.tab("assessments"), assessments)
    _add_dossiers(data, layout.tab("dossiers"), _belonging(data, layout, read, "dossiers", models))
    _add_criteria(data, _belonging(data, layout, read, "criteria", exemplars))
    data.models = [
        Model.from_values(row.values)
        for entity, row in models.items()
        if ("models", entity) not in data.blocking
    ]
    _require_criteria(data, layout.tab("exemplars"), exemplars)
    data.exemplars = [
        Exemplar.from_values(row.values)
        for entity, row in exemplars.items()
        if ("exemplars", entity) not in data.blocking
    ]
    return data


def _read_tabs(
    layout: Layout, tabs: Mapping[str, Rows], today: date, data: UnitData, cache: ParseCache
) -> dict[str, list[Row]]:
    """Each tab of the layout read, by its key; the tabs not found noted in `data`."""
    # Every tab's name normalised once, not once for each tab sought; the first of two tabs
    # with the same name is the one read, as with find_tab.
    named: dict[str, Rows] = {}
    for title, grid in tabs.items():
        named.setdefault(cache.header(title), grid)
    read = {}
    for tab in layout.tabs:
        rows = named.get(cache.header(tab.name))
        if rows is None:
            data.missing_tabs.add(tab.key)
        before = len(data.errors)
        read[tab.key] = read_tab(tab, rows, today, data.errors, cache)
        missing = [e for e in data.errors[before:] if e.code == "missing_header"]
        if missing:
            data.missing_columns[tab.key] = missing
    return read


def _block_for_missing_columns(data: UnitData, known: Mapping[str, Mapping[str, Row]]) -> None:
    """A column a tab lacks keeps every model (or exemplar) it concerns from being rated: an
    unknown value is never read as a "no" (a document absent, a criterion unmet)."""
    for tab_key, errors in data.missing_columns.items():
        kind = tab_key if tab_key in known else _KIND[_OWNED_BY[tab_key]]
        for entity in known[kind]:
            data.block(kind, entity, errors)


def _check_end_dates(data: UnitData, tab: Tab, rows: Sequence[Row]) -> None:
    """A model cannot end before its founding decision: one of the two dates is mistyped, and
    the model is not rated on either."""
    for row in rows:
        start, end = row.values["decision_date"], row.values["end_date"]
        if start is None or end is None or end >= start:
            continue
        error = CellError(
            tab.name,
            row.cells["end_date"],
            "end_before_start",
            f"{end:%d/%m/%Y}",
            f"ngày kết thúc trước ngày quyết định thành lập ({start:%d/%m/%Y}, ô "
            f"{row.cells['decision_date']})",
            f"sửa {tab.column('end_date').header} hoặc {tab.column('decision_date').header} "
            "cho đúng",
            tab.column("end_date").header,
            row.values["model_id"] or "",
        )
        data.errors.append(error)
        data.block("models", row.values["model_id"], [error])


def _unique(data: UnitData, tab: Tab, rows: Sequence[Row], id_key: str) -> dict[str, Row]:
    """The first row of each ID of the tab that lists them; a row's errors keep its ID unrated."""
    for row in rows:
        data.block(_KIND[id_key], row.values[id_key], row.errors)
    return _first_rows(data, tab, rows, id_key)


def _first_rows(
    data: UnitData,
    tab: Tab,
    rows: Sequence[Row],
    id_key: str,
    message: str = "mã trùng với dòng {row}",
    fix: str = "mỗi mã chỉ dùng cho một dòng; đổi mã hoặc xóa dòng trùng",
) -> dict[str, Row]:
    """The first row of each ID; a later one is reported and keeps that ID unrated."""
    first: dict[str, Row] = {}
    for row in rows:
        entity = row.values[id_key]
        if entity is None:
            continue
        if entity in first:
            error = CellError(
                tab.name,
                row.cells[id_key],
                "duplicate_id",
                entity,
                message.format(row=first[entity].number),
                fix,
                tab.column(id_key).header,
                entity,
            )
            data.errors.append(error)
            data.block(_KIND[id_key], entity, [error])
        else:
            first[entity] = row
    return first


def _belonging(
    data: UnitData,
    layout: Layout,
    read: Mapping[str, Sequence[Row]],
    tab_key: str,
    known: Mapping[str, Row],
) -> list[Row]:
    """Rows of the year (or of unreadable year) without errors whose ID is known; a row with
    an unknown ID is reported, a row with errors keeps its ID unrated."""
    tab, id_key = layout.tab(tab_key), _OWNED_BY[tab_key]
    kind = _KIND[id_key]
    kept = []
    for row in read[tab_key]:
        entity = row.values[id_key]
        if entity is not None and entity not in known:
            data.errors.append(_unknown_id(tab, row, id_key, layout.tab(kind).name))
            continue
        # None: a tab without a year column (Hồ sơ), or a year that could not be read
        if row.values.get("year") in (data.year, None):
            blocking = [e for e in row.errors if e.column not in _DECISION_HEADERS]
            data.block(kind, entity, blocking)
            if not blocking:
                kept.append(row)
    return kept


# An error in a decision's cells leaves the decision out, never the proposal (SPEC §3.3): the
# criteria were assessed all the same.
_DECISION_HEADERS = frozenset(
    load("unit").tab("assessments").column(k).header for k in DECISION_KEYS
)


def _unknown_id(tab: Tab, row: Row, id_key: str, owner: str) -> CellError:
    return CellError(
        tab.name,
        row.cells[id_key],
        "unknown_id",
        row.values[id_key],
        f"mã “{row.values[id_key]}” không có trong tab {owner}",
        "sửa mã cho khớp hoặc thêm dòng tương ứng",
        tab.column(id_key).header,
    )


def _add_targets(data: UnitData, rows: Sequence[Row]) -> None:
    for row in rows:
        v = row.values
        data.targets[v["model_id"]].append(
            Target(v["model_id"], v["year"], v["target"], v["planned"], v["achieved"])
        )


def _add_assessments(data: UnitData, tab: Tab, rows: Sequence[Row]) -> None:
    """One assessment per model: its ticks and the decision recorded, if any."""
    fix = "xóa dòng thừa"
    message = f"đã có đánh giá năm {data.year} tại dòng {{row}}"
    ticked = [c.key for c in tab.columns if c.key not in ("model_id", "year", *DECISION_KEYS)]
    for entity, row in _first_rows(data, tab, rows, "model_id", message, fix).items():
        ticks = {key: bool(row.values[key]) for key in ticked}
        decision = _decision(data, tab, row, entity)
        data.assessments[entity] = Assessment(entity, data.year, ticks, decision)


def _decision(data: UnitData, tab: Tab, row: Row, entity: str) -> Decision | None:
    """The decision an assessment row records; its number, date or authority without the level
    it decided is reported."""
    v = row.values
    if v.get("decided_level"):
        return Decision(
            v["decided_level"],
            v.get("decided_no") or "",
            v.get("decided_date"),
            v.get("decided_by") or "",
        )
    level_header = tab.column("decided_level").header
    if any(e.column == level_header for e in row.errors):
        return None  # a level not among the four: its own error names the cell
    if any(v.get(k) for k in DECISION_KEYS[1:]):
        data.errors.append(_decision_without_level(tab, row, entity))
    return None


def _decision_without_level(tab: Tab, row: Row, entity: str) -> CellError:
    """A decision's number, date or authority with no level: the level is what it decided."""
    column = tab.column("decided_level")
    return CellError(
        tab.name,
        row.cells["decided_level"],
        "decision_without_level",
        "",
        "đã ghi quyết định công nhận nhưng chưa chọn mức xếp loại",
        f"chọn {column.header} ({', '.join(column.values)}) theo quyết định, "
        "hoặc xóa số, ngày, cấp quyết định nếu chưa có quyết định",
        column.header,
        entity,
    )


def _add_dossiers(data: UnitData, tab: Tab, rows: Sequence[Row]) -> None:
    for entity, row in _first_rows(data, tab, rows, "model_id").items():
        present = frozenset(n for n, key in DOCUMENT_KEYS if row.values[key])
        data.dossiers[entity] = Dossier(entity, present)


def _add_criteria(data: UnitData, rows: Sequence[Row]) -> None:
    for row in rows:
        v = row.values
        data.criteria[v["exemplar_id"]].append(
            Criterion(v["exemplar_id"], v["year"], v["criterion"], v["met"])
        )


def _require_criteria(data: UnitData, tab: Tab, exemplars: Mapping[str, Row]) -> None:
    """An exemplar with no criterion of the year is reported and not rated (unless the tab of
    criteria is missing altogether: that is reported once, as a missing tab)."""
    if "criteria" in data.missing_tabs:
        return
    for entity, row in exemplars.items():
        if data.criteria.get(entity):
            continue
        error = CellError(
            tab.name,
            row.cells["exemplar_id"],
            "no_criteria",
            entity,
            f"điển hình chưa có tiêu chí nào của năm {data.year}",
            f"thêm các tiêu chí vào tab Tiêu chí điển hình với Năm đánh giá {data.year}",
            tab.column("exemplar_id").header,
            entity,
        )
        data.errors.append(error)
        data.block("exemplars", entity, [error])
