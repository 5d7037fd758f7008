"""What the test server keeps: spreadsheets (their tabs and cells), uploaded files and Drive
folders, with the helpers that read cells as Google shows them and apply a `fields` mask."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from tests.google_api.strict import (
    DEFAULT_COLS,
    DEFAULT_ROWS,
    PERSON_LOCALE,
    ApiError,
    grid_error,
)

SPREADSHEET_MIME = "application/vnd.google-apps.spreadsheet"
FOLDER_MIME = "application/vnd.google-apps.folder"
OWNER = "chu.bang@example.gov.vn"  # the person who made a unit's spreadsheet
EPOCH = date(1899, 12, 30)


@dataclass
class Sheet:
    sheet_id: int
    title: str
    cells: dict[tuple[int, int], dict[str, Any]] = field(default_factory=dict)
    protected: list[dict[str, Any]] = field(default_factory=list)
    frozen_rows: int = 0
    charts: list[dict[str, Any]] = field(default_factory=list)
    widths: dict[int, int] = field(default_factory=dict)
    validations: list[tuple[Any, ...]] = field(default_factory=list)  # (rows, cols…, rule)
    formats: list[tuple[Any, ...]] = field(default_factory=list)  # (rows, cols…, cell, fields)
    rows: int = DEFAULT_ROWS  # the grid: writing outside it is refused (strict.grid_error)
    cols: int = DEFAULT_COLS

    def size(self) -> tuple[int, int]:
        return self.rows, self.cols

    def check(self, bottom: int, right: int) -> None:
        """Refuse a write whose last row / column (exclusive ends) is outside the grid."""
        if bottom > self.rows or right > self.cols:
            row, col = min(bottom, self.rows + 1) - 1, min(right, self.cols + 1) - 1
            raise grid_error(self.title, row, col, self.rows, self.cols)

    def fit(self) -> None:
        """A person adding rows in the browser grows the grid as they go."""
        self.rows = max(self.rows, max((r for r, _ in self.cells), default=-1) + 1)
        self.cols = max(self.cols, max((c for _, c in self.cells), default=-1) + 1)


@dataclass
class Revision:
    """One entry of a file's revision history: when, and who changed it last."""

    modified: str
    by: str


@dataclass
class Spreadsheet:
    key: str
    title: str
    sheets: list[Sheet] = field(default_factory=list)
    parents: list[str] = field(default_factory=list)
    modified: str = ""
    shared: list[dict[str, Any]] = field(default_factory=list)
    locale: str = PERSON_LOCALE[0]
    time_zone: str = PERSON_LOCALE[1]
    owner: str = ""  # a person's file; files in a shared drive belong to the organization
    properties: dict[str, str] = field(default_factory=dict)  # Drive appProperties
    revisions: list[Revision] = field(default_factory=list)
    mime: str = SPREADSHEET_MIME  # a file uploaded (a .docx) has its own, and its content
    content: bytes = b""
    version: int = 0  # Drive's File.version: monotonic, by steps the client cannot predict
    last_user: str = ""  # who changed it last ("" when not a signed-in user)
    trashed: bool = False
    unshared: bool = False  # the service account no longer has access to it
    role: str = "writer"  # the service account's: a unit shares its sheet as Người chỉnh sửa

    def sheet(self, sheet_id: int) -> Sheet:
        for sheet in self.sheets:
            if sheet.sheet_id == sheet_id:
                return sheet
        raise ApiError(400, f"No grid with id: {sheet_id}")

    def titled(self, title: str) -> Sheet | None:
        """The sheet with this title in any case: titles are unique regardless of case."""
        return next((s for s in self.sheets if s.title.casefold() == title.casefold()), None)

    def by_title(self, title: str) -> Sheet:
        for sheet in self.sheets:
            if sheet.title == title:
                return sheet
        raise ApiError(400, f"Unable to parse range: {title}")

    def cells_used(self) -> int:
        """The spreadsheet's cells as Google counts them against its limit: every tab's grid."""
        return sum(s.rows * s.cols for s in self.sheets)


@dataclass
class Folder:
    """A Drive folder: in a shared drive (`drive`, its ID) or in a person's My Drive (""), with
    the service account's role on it (Drive's names: organizer, fileOrganizer, writer, …)."""

    key: str
    name: str
    drive: str = ""
    role: str = "fileOrganizer"  # "Người quản lý nội dung" in the Vietnamese interface
    trashed: bool = False


def cell_of(value: Any) -> dict[str, Any]:
    """What a person typing `value` leaves in a cell; ("=F()", shown) is a formula. A date is
    a serial number with a DATE format, as typing one leaves it (strict.typed)."""
    if isinstance(value, tuple):
        formula, shown = value
        return {"userEnteredValue": {"formulaValue": formula}, "effectiveValue": value_of(shown)}
    if isinstance(value, date):
        return {
            "userEnteredValue": value_of(value),
            "userEnteredFormat": {"numberFormat": {"type": "DATE", "pattern": "dd/mm/yyyy"}},
        }
    return {"userEnteredValue": value_of(value)}


def number_format(sheet: Sheet, row: int, col: int, cell: dict[str, Any]) -> dict[str, Any]:
    """The number format a cell shows: its own, else the last repeatCell over it. CellData.
    effectiveFormat is "the effective format being used by the cell" (Sheets v4 discovery),
    so a typed 90% answers numberFormat.type PERCENT, a typed date DATE."""
    own = cell.get("userEnteredFormat", {}).get("numberFormat")
    if own:
        return dict(own)
    for top, left, bottom, right, fmt, _fields in reversed(sheet.formats):
        inside = top <= row < (bottom or sheet.rows) and left <= col < (right or sheet.cols)
        if inside and "numberFormat" in fmt.get("userEnteredFormat", {}):
            return dict(fmt["userEnteredFormat"]["numberFormat"])
    return {}


def value_of(value: Any) -> dict[str, Any]:
    """A Python value as Sheets' ExtendedValue."""
    if isinstance(value, bool):
        return {"boolValue": value}
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return {"numberValue": (value - EPOCH).days}
    if isinstance(value, int | float):
        return {"numberValue": value}
    if isinstance(value, str) and value.startswith("#") and value.endswith(("!", "A", "?")):
        return {"errorValue": {"type": "REF" if "REF" in value else "N_A", "message": value}}
    return {"stringValue": str(value)}


def effective(cell: dict[str, Any]) -> dict[str, Any] | None:
    if "effectiveValue" in cell:
        return cell["effectiveValue"]  # type: ignore[no-any-return]
    entered = cell.get("userEnteredValue")
    return None if entered is None or "formulaValue" in entered else entered


def plain(value: dict[str, Any] | None) -> Any:
    if not value:
        return None
    if "errorValue" in value:
        return "#REF!" if value["errorValue"].get("type") == "REF" else "#N/A"
    return next(iter(value.values()))


def grid_values(sheet: Sheet, render: str) -> list[list[Any]]:
    """A tab's values as values.get answers them (trailing empty cells left out)."""
    rows: list[list[Any]] = []
    for (r, c), cell in sorted(sheet.cells.items()):
        if render == "FORMULA":
            entered = cell.get("userEnteredValue", {})
            value = entered.get("formulaValue", plain(entered))
        else:
            value = plain(effective(cell))
        if value is None:
            continue
        while len(rows) <= r:
            rows.append([])
        while len(rows[r]) <= c:
            rows[r].append("")
        rows[r][c] = value if render != "FORMATTED_VALUE" else str(value)
    return rows


def parse_fields(mask: str) -> dict[str, Any]:
    """A partial-response mask ("a,b(c,d/e)") as nested dicts; {} means everything below."""
    i = 0

    def parse(until: str) -> dict[str, Any]:
        nonlocal i
        result: dict[str, Any] = {}
        name = ""
        while i < len(mask) and mask[i] != until:
            ch = mask[i]
            i += 1
            if ch == "(":
                _add(result, name.strip(), parse(")"))
                i += 1
                name = ""
            elif ch == ",":
                if name.strip():
                    _add(result, name.strip())
                name = ""
            else:
                name += ch
        if name.strip():
            _add(result, name.strip())
        return result

    return parse("")


def _add(tree: dict[str, Any], path: str, below: dict[str, Any] | None = None) -> None:
    """`path` ("a/b/c") into the mask tree, with `below` as what the last part selects."""
    head, _, rest = path.partition("/")
    if rest:
        _add(tree.setdefault(head, {}), rest, below)
    else:
        tree.setdefault(head, {}).update(below or {})


def apply_fields(value: Any, mask: dict[str, Any]) -> Any:
    if not mask:
        return value
    if isinstance(value, list):
        return [apply_fields(v, mask) for v in value]
    if isinstance(value, dict):
        return {k: apply_fields(v, mask[k]) for k, v in value.items() if k in mask}
    return value
