"""Reading one tab: find its header row, read and type each cell, name every problem's cell.

Input is what a backend reads: a tab's rows as lists of cell values. Output is typed `Row`s and
a `CellError` for every problem, each naming the tab, the A1 cell, the value found and how to
fix it. The checks across a unit's tabs are `worker.core.validation`'s. No I/O here.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from functools import partial
from typing import Any

from worker.core import cells
from worker.core.cells import CellProblem
from worker.core.layout import Column, Tab, normalize_header
from worker.core.readers import Reader, reader

Rows = Sequence[Sequence[Any]]
_ABSENT = 1 << 62  # the position of a column the tab lacks: beyond every row, read as empty
HEADER_ROWS = 10  # the header row is looked for this far down: title rows may stand above it
# A header that begins with a number in brackets, "(6) Quyết định thành lập…": the dossier's
# documents are numbered by the guide (seed 002, V.1), and units title them in their own words.
_NUMBERED = re.compile(r"\((\d{1,2})\)")


def column_letter(number: int) -> str:
    """A column's letters from its number, as spreadsheets count: 1 -> A, 26 -> Z, 27 -> AA.
    The one column-letter helper: the validator's messages and the .xlsx writer use it."""
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _letter_at(index: int) -> str:
    """The letters of the column at 0-based position `index` of a row."""
    return column_letter(index + 1)


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

    def found(self) -> str:
        """The value found, quoted, where the message does not already show it ("" if so)."""
        quoted = f"“{self.value}”"
        shown = self.value and quoted not in self.message and self.code not in _VALUE_NOT_SHOWN
        return quoted if shown else ""

    def what(self) -> str:
        """The value found, the problem and the fix, without the place."""
        found = f"{self.found()} " if self.found() else ""
        return f"{found}{self.message} — {self.fix}"


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
            "not_positive",
            f"{column.header} phải lớn hơn 0",
            f"nhập số {column.header.lower()} đặt ra cho chỉ tiêu, ví dụ 10",
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


class ParseCache:
    """What reading learns that the next tab of the same run can use again: each column's
    reader with the values it remembers, headers as they compare, column letters.

    One per run (the workspace holds it), never one per process: what one run read must not
    decide what another makes of its cells, nor a test's outcome depend on the tests before it.
    Entries are keyed by the tab's identity (a whole `Tab` hashes slowly) and keep the tab, so
    that its id is not reused while the cache lives.
    """

    def __init__(self) -> None:
        self.header: Reader = reader(normalize_header)  # every unit spells the same few
        self.letter: Reader = reader(_letter_at)  # by 0-based position in a row
        self._readers: dict[tuple[int, date], tuple[Tab, dict[str, Reader]]] = {}
        self._columns: dict[int, tuple[Tab, dict[str, Column]]] = {}

    def readers(self, tab: Tab, today: date) -> dict[str, Reader]:
        """The reader of each column of `tab` for cells read on `today`: units share them, and
        what they remember."""
        found = self._readers.get((id(tab), today))
        if found is None:
            made = {c.key: reader(partial(_read_cell, c, today=today)) for c in tab.columns}
            found = self._readers[id(tab), today] = (tab, made)
        return found[1]

    def columns(self, tab: Tab) -> dict[str, Column]:
        """The tab's columns by their header as it compares (`normalize_header`), by each of its
        aliases, and by its number "(n)" when its header begins with one."""
        found = self._columns.get(id(tab))
        if found is None:
            by_header: dict[str, Column] = {}
            for c in tab.columns:
                header = self.header(c.header)
                by_header.update({self.header(a): c for a in c.aliases})
                if number := _NUMBERED.match(header):
                    by_header[f"({int(number[1])})"] = c
                by_header[header] = c
            found = self._columns[id(tab)] = (tab, by_header)
        return found[1]

    def match(self, tab: Tab, title: object) -> Column | None:
        """The column of `tab` a header cell names: by its header or an alias, else by the
        number "(n)" it begins with."""
        if title is None:
            return None
        by_header = self.columns(tab)
        key = self.header(title)
        found = by_header.get(key)
        if found is None and (number := _NUMBERED.match(key)):
            found = by_header.get(f"({int(number[1])})")
        return found


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


def header_row(rows: Rows, tab: Tab, cache: ParseCache) -> int:
    """The index of the header row: among the first rows, the one naming most of the columns.

    Administrative sheets often carry a title ("DANH SÁCH MÔ HÌNH NĂM 2026", merged, then a
    blank row) above the headers; with no header found at all, the first row is the header.
    """
    wanted = len(tab.columns)
    best, found = 0, 0
    for index, row in enumerate(rows[:HEADER_ROWS]):
        named = len({column.key for v in row if (column := cache.match(tab, v)) is not None})
        if named == wanted:
            return index  # every header: no row can do better (the usual case, at once)
        if named > found:
            best, found = index, named
    return best


def read_tab(
    tab: Tab,
    rows: Rows | None,
    today: date,
    errors: list[CellError],
    cache: ParseCache | None = None,
) -> list[Row]:
    """Typed rows of one tab; appends every problem found to `errors`."""
    cache = ParseCache() if cache is None else cache
    if rows is None:
        errors.append(_missing_tab(tab))
        return []
    head = header_row(rows, tab, cache)
    header = list(rows[head]) if rows else []
    positions = _positions(tab, header, head, errors, cache)
    absent = [c for c in tab.columns if c.key not in positions]
    for column in absent:
        if not column.optional:  # an optional one is read as empty: an older sheet stays valid
            errors.append(_missing_header(tab, column, cache.letter(len(header)), head + 1))
    if any(c.required for c in absent):
        return []  # without a required column no row can be read
    # How each column is read, decided once for the tab: where it is and its reader.
    plan = [
        (key, positions.get(key, _ABSENT), cache.letter(positions.get(key, 0)), read)
        for key, read in cache.readers(tab, today).items()
    ]
    result = list(_typed_rows(tab, rows, head, plan))
    errors.extend(e for row in result for e in row.errors)
    return result


Plan = list[tuple[str, int, str, Reader]]  # per column: key, position, letter, reader


def _typed_rows(tab: Tab, rows: Rows, head: int, plan: Plan) -> Iterator[Row]:
    """Each row below the header that is not blank, read by `plan`, with its errors."""
    headers = {c.key: c.header for c in tab.columns}
    letters = {key: letter for key, _, letter, _ in plan}
    id_key = next((c.key for c in tab.columns if c.type == "id"), None)
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
        entity = values[id_key] if id_key else None
        if entity:  # name the row's model or exemplar in each of its errors
            row_errors = [replace(e, entity=entity) for e in row_errors]
        yield Row(number, values, tuple(row_errors), letters)


def _positions(
    tab: Tab, header: list[Any], head: int, errors: list[CellError], cache: ParseCache
) -> dict[str, int]:
    """Column key -> index in the header row; a header found twice is reported."""
    positions: dict[str, int] = {}
    for index, title in enumerate(header):
        column = cache.match(tab, title)
        if column is None:
            continue
        if column.key in positions:
            errors.append(
                CellError(
                    tab.name,
                    f"{cache.letter(index)}{head + 1}",
                    "duplicate_header",
                    cells.clean_text(title),
                    "tiêu đề cột bị lặp lại",
                    "xóa hoặc đổi tên một trong hai cột trùng",
                )
            )
        else:
            positions[column.key] = index
    return positions


def _missing_tab(tab: Tab) -> CellError:
    return CellError(
        tab.name,
        "A1",
        "missing_tab",
        "",
        f"không tìm thấy tab “{tab.name}”",
        "thêm lại tab này theo mẫu (tên tab và dòng tiêu đề)",
    )


def _missing_header(tab: Tab, column: Column, letter: str, number: int) -> CellError:
    """A column the header row lacks, named at the first free cell of that row."""
    return CellError(
        tab.name,
        f"{letter}{number}",
        "missing_header",
        "",
        f"thiếu cột “{column.header}”",
        f"thêm cột có tiêu đề “{column.header}” vào dòng {number} (dòng tiêu đề cột)",
    )
