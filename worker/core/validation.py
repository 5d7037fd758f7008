"""Validate a unit's tabs into typed records, collecting every problem (never only the first).

Input is what a backend reads: for each tab name, its rows as lists of cell values, the header
row first. Output is `UnitData`: the records of the evaluation year and a `CellError` for every
problem, each naming the tab, the A1 cell, the value found and how to fix it. No I/O here.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from functools import lru_cache, partial
from typing import Any

from worker.core import cells
from worker.core.cells import CellProblem
from worker.core.layout import Column, Tab, load, normalize_header
from worker.core.readers import Reader, reader
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

Rows = Sequence[Sequence[Any]]
DOCUMENT_KEYS = tuple((n, f"doc{n}") for n in range(1, 17))  # the tab Hồ sơ: (1) … (16)
_ABSENT = 1 << 62  # the position of a column the tab lacks: beyond every row, read as empty


@lru_cache(maxsize=256)  # asked for every column of every tab read
def column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def show(value: object) -> str:
    """A cell value as the unit would recognise it, shortened for messages."""
    if isinstance(value, datetime | date):
        return f"{value:%d/%m/%Y}"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = cells.clean_text(value)
    return text if len(text) <= 60 else text[:57] + "…"


# Problems whose message names the column instead: "“0” Kế hoạch phải lớn hơn 0" says 0 twice.
_VALUE_NOT_SHOWN = frozenset({"not_positive"})


@dataclass(frozen=True)
class CellError:
    tab: str
    cell: str
    code: str
    value: str
    message: str
    fix: str
    column: str = ""  # the column's header, as the unit sees it ("Lĩnh vực")
    entity: str = ""  # the ID of the row's model or exemplar, when it could be read

    def __str__(self) -> str:
        # "tab Mô hình, ô D4" as staff say it; "Mô hình!D4" is formula notation they never use
        where = f"tab {self.tab}, ô {self.cell}" if self.cell else f"tab {self.tab}"
        return f"{where}: {self.what()}"

    def what(self) -> str:
        """The value found, the problem and the fix, without the place."""
        quoted = f"“{self.value}”"
        shown = self.value and quoted not in self.message and self.code not in _VALUE_NOT_SHOWN
        found = f"{quoted} " if shown else ""
        return f"{found}{self.message} — {self.fix}"


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


@dataclass(slots=True)  # not frozen: a frozen init costs a call per field, for every row read
class Row:
    number: int  # the spreadsheet row number (1-based)
    values: dict[str, Any]
    errors: tuple[CellError, ...]
    letters: Mapping[str, str]  # column key -> column letter, one mapping for the tab's rows

    @property
    def cells(self) -> dict[str, str]:
        """Column key -> A1 address in this row (made when asked: most rows are never named)."""
        return {key: f"{letter}{self.number}" for key, letter in self.letters.items()}


_PARSERS: dict[str, Callable[..., Any]] = {
    "id": cells.parse_id,
    "text": cells.clean_text,
    "number": cells.parse_number,
    "year": cells.parse_year,
    "yesno": cells.parse_yesno,
    "emails": cells.parse_emails,
}


def _parse(column: Column, value: object, today: date) -> Any:
    value = cells.unwrap_percent(value, count=column.type == "number")
    if column.type == "date":
        return cells.parse_date(value, today if column.past else None)
    if column.type == "enum":
        return cells.parse_enum(value, column.values)
    parsed = _PARSERS[column.type](value)
    if column.positive and parsed <= 0:
        raise CellProblem(
            "not_positive", f"{column.header} phải lớn hơn 0", f"nhập {column.header} lớn hơn 0"
        )
    if column.type == "number" and parsed < 0:
        raise CellProblem("negative", "không được âm", f"nhập {column.header} từ 0 trở lên")
    return parsed


def _read_cell(column: Column, value: object, today: date) -> Any:
    """One cell the general way: what no column may hold, then blank or not, then its type."""
    cells.check_text(value)
    if cells.is_blank(value) and column.type != "yesno":
        if column.required:
            raise CellProblem("empty_required", "ô bắt buộc đang trống", f"nhập {column.header}")
        return None
    return _parse(column, value, today)


@lru_cache(maxsize=8)  # a day's tabs: the unit's six and the registry
def readers_of(tab: Tab, today: date) -> dict[str, Reader]:
    """The reader of each column of `tab` for cells read on `today`: units share them, and
    what they remember."""
    return {c.key: reader(partial(_read_cell, c, today=today)) for c in tab.columns}


def _is_blank_row(raw: Sequence[Any]) -> bool:
    """`is_blank` of every cell, quick on the empty cells and plain text that fill a tab."""
    for value in raw:
        if value is None:
            continue
        if value.__class__ is str:
            if value.strip():  # as clean_text: NFC never makes blank text non-blank, or back
                return False
        elif not cells.is_blank(value):
            return False
    return True


def find_tab(tabs: Mapping[str, Rows], name: str) -> Rows | None:
    wanted = normalize_header(name)
    return next((rows for title, rows in tabs.items() if normalize_header(title) == wanted), None)


HEADER_ROWS = 10  # the header row is looked for this far down: title rows may stand above it


def header_row(rows: Rows | None, tab: Tab) -> int:
    """The index of the header row: among the first rows, the one naming most of the columns.

    Administrative sheets often carry a title ("DANH SÁCH MÔ HÌNH NĂM 2026", merged, then a
    blank row) above the headers; with no header found at all, the first row is the header.
    """
    wanted = _wanted(tuple(c.header for c in tab.columns))
    best, found = 0, 0
    for index, row in enumerate((rows or [])[:HEADER_ROWS]):
        named = len(wanted.intersection(normalize_header(v) for v in row if v is not None))
        if named == len(wanted):
            return index  # every header: no row can do better (the usual case, at once)
        if named > found:
            best, found = index, named
    return best


@lru_cache(maxsize=16)
def _wanted(headers: tuple[str, ...]) -> frozenset[str]:
    """A tab's headers as they compare (keyed by the headers: a whole Tab hashes slowly)."""
    return frozenset(normalize_header(h) for h in headers)


def read_tab(tab: Tab, rows: Rows | None, today: date, errors: list[CellError]) -> list[Row]:
    """Typed rows of one tab; appends every problem found to `errors`."""
    if rows is None:
        errors.append(
            CellError(
                tab.name,
                "A1",
                "missing_tab",
                "",
                f"không tìm thấy tab “{tab.name}”",
                "thêm lại tab này theo mẫu (tên tab và dòng tiêu đề)",
            )
        )
        return []
    head = header_row(rows, tab)
    header = list(rows[head]) if rows else []
    positions: dict[str, int] = {}
    wanted = {normalize_header(c.header): c for c in tab.columns}
    for index, title in enumerate(header):
        column = wanted.get(normalize_header(title))
        if column is None:
            continue
        if column.key in positions:
            errors.append(
                CellError(
                    tab.name,
                    f"{column_letter(index)}{head + 1}",
                    "duplicate_header",
                    cells.clean_text(title),
                    "tiêu đề cột bị lặp lại",
                    "xóa hoặc đổi tên một trong hai cột trùng",
                )
            )
        else:
            positions[column.key] = index
    absent = [c for c in tab.columns if c.key not in positions]
    for column in absent:
        if column.optional:
            continue  # read as empty: an older sheet without the column stays valid
        errors.append(
            CellError(
                tab.name,
                f"{column_letter(len(header))}{head + 1}",
                "missing_header",
                "",
                f"thiếu cột “{column.header}”",
                f"thêm cột có tiêu đề “{column.header}” vào dòng {head + 1} (dòng tiêu đề cột)",
            )
        )
    if any(c.required for c in absent):
        return []  # without a required column no row can be read
    # How each column is read, decided once for the tab: where it is and its reader.
    plan = [
        (key, positions.get(key, _ABSENT), column_letter(positions.get(key, 0)), read)
        for key, read in readers_of(tab, today).items()
    ]
    headers = {c.key: c.header for c in tab.columns}
    letters = {key: letter for key, _, letter, _ in plan}
    result = []
    for offset, raw in enumerate(rows[head + 1 :]):
        if raw.count(None) == len(raw) or _is_blank_row(raw):
            continue  # blank: the formatted empty rows below the data, or one in the middle
        number = head + offset + 2
        width = len(raw)
        values: dict[str, Any] = {}
        row_errors = []
        for key, at, letter, read in plan:
            value = raw[at] if at < width else None
            try:
                values[key] = read(value)
            except CellProblem as problem:
                values[key] = None
                row_errors.append(
                    CellError(
                        tab.name,
                        f"{letter}{number}",
                        problem.code,
                        show(value),
                        problem.message,
                        problem.fix,
                        headers[key],
                    )
                )
        entity = next((values[c.key] for c in tab.columns if c.type == "id"), None)
        if entity:  # name the row's model or exemplar in each of its errors
            row_errors = [replace(e, entity=entity) for e in row_errors]
        errors.extend(row_errors)
        result.append(Row(number, values, tuple(row_errors), letters))
    return result


def validate_unit(tabs: Mapping[str, Rows], year: int, today: date) -> UnitData:
    """Every row of a unit's tabs checked; the records of `year` returned with all errors."""
    layout = load("unit")
    data = UnitData(year)
    read: dict[str, list[Row]] = {}
    # Every tab's name normalised once, not once for each tab sought; the first of two tabs
    # with the same name is the one read, as with find_tab.
    named: dict[str, Rows] = {}
    for title, grid in tabs.items():
        named.setdefault(normalize_header(title), grid)
    for tab in layout.tabs:
        rows = named.get(normalize_header(tab.name))
        if rows is None:
            data.missing_tabs.add(tab.key)
        read[tab.key] = read_tab(tab, rows, today, data.errors)

    def block(kind: str, entity: str | None, problems: Sequence[CellError]) -> None:
        if entity and problems:
            data.blocking[kind, entity].extend(problems)

    def first_rows(
        rows: Sequence[Row],
        tab_key: str,
        id_key: str,
        kind: str,
        message: str = "mã trùng với dòng {row}",
        fix: str = "mỗi mã chỉ dùng cho một dòng; đổi mã hoặc xóa dòng trùng",
    ) -> dict[str, Row]:
        """The first row of each ID; a later one is reported and keeps that ID unrated."""
        tab = layout.tab(tab_key)
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
                block(kind, entity, [error])
            else:
                first[entity] = row
        return first

    def unique(tab_key: str, id_key: str, kind: str) -> dict[str, Row]:
        for row in read[tab_key]:
            block(kind, row.values[id_key], row.errors)
        return first_rows(read[tab_key], tab_key, id_key, kind)

    models = unique("models", "model_id", "models")
    exemplars = unique("exemplars", "exemplar_id", "exemplars")
    data.read_values.update({("models", e): r.values for e, r in models.items()})
    data.read_values.update({("exemplars", e): r.values for e, r in exemplars.items()})

    def belongs(tab_key: str, id_key: str, known: Mapping[str, Row]) -> list[Row]:
        """Rows of `year` (or of unreadable year) whose ID is known; others reported."""
        tab, kept = layout.tab(tab_key), []
        kind = "models" if id_key == "model_id" else "exemplars"
        owner = layout.tab(kind).name
        for row in read[tab_key]:
            entity = row.values[id_key]
            if entity is not None and entity not in known:
                data.errors.append(
                    CellError(
                        tab.name,
                        row.cells[id_key],
                        "unknown_id",
                        entity,
                        f"mã không có trong tab {owner}",
                        "sửa mã cho khớp hoặc thêm dòng tương ứng",
                        tab.column(id_key).header,
                    )
                )
                continue
            if row.values.get("year", year) in (year, None):
                block(kind, entity, row.errors)
                if not row.errors:
                    kept.append(row)
        return kept

    for row in belongs("targets", "model_id", models):
        v = row.values
        data.targets[v["model_id"]].append(
            Target(v["model_id"], v["year"], v["target"], v["planned"], v["achieved"])
        )
    assessments = first_rows(
        belongs("assessments", "model_id", models),
        "assessments",
        "model_id",
        "models",
        f"đã có đánh giá năm {year} tại dòng {{row}}",
        "xóa dòng thừa",
    )
    ticked = [
        c.key
        for c in layout.tab("assessments").columns
        if c.key not in ("model_id", "year", *DECISION_KEYS)
    ]
    for entity, row in assessments.items():
        v = row.values
        ticks = {key: bool(v[key]) for key in ticked}
        decision = None
        if not v.get("decided_level") and any(v.get(k) for k in DECISION_KEYS[1:]):
            data.errors.append(_decision_without_level(layout.tab("assessments"), row, entity))
        elif v.get("decided_level"):
            decision = Decision(
                v["decided_level"],
                v.get("decided_no") or "",
                v.get("decided_date"),
                v.get("decided_by") or "",
            )
        data.assessments[entity] = Assessment(entity, year, ticks, decision)
    dossiers = first_rows(belongs("dossiers", "model_id", models), "dossiers", "model_id", "models")
    for entity, row in dossiers.items():
        present = frozenset(n for n, key in DOCUMENT_KEYS if row.values[key])
        data.dossiers[entity] = Dossier(entity, present)
    for row in belongs("criteria", "exemplar_id", exemplars):
        v = row.values
        data.criteria[v["exemplar_id"]].append(
            Criterion(v["exemplar_id"], v["year"], v["criterion"], v["met"])
        )

    data.models = [
        Model.from_values(row.values)
        for entity, row in models.items()
        if ("models", entity) not in data.blocking
    ]
    exemplar_tab = layout.tab("exemplars")
    for entity, row in exemplars.items():
        if not data.criteria.get(entity) and "criteria" not in data.missing_tabs:
            error = CellError(
                exemplar_tab.name,
                row.cells["exemplar_id"],
                "no_criteria",
                entity,
                f"điển hình chưa có tiêu chí nào của năm {year}",
                f"thêm các tiêu chí vào tab Tiêu chí điển hình với Năm đánh giá {year}",
                exemplar_tab.column("exemplar_id").header,
                entity,
            )
            data.errors.append(error)
            block("exemplars", entity, [error])
    data.exemplars = [
        Exemplar.from_values(row.values)
        for entity, row in exemplars.items()
        if ("exemplars", entity) not in data.blocking
    ]
    return data


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
