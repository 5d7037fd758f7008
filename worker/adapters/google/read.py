"""Reading spreadsheets: every tab's values in one `spreadsheets.get`, as the unit sees them.

A cell's value is Google's computed one (numbers and serial dates whatever the sheet's locale,
errors as errors), told apart by its number format's type: a typed 90% is a `Percent`, a typed
date a date. What the read also tells (tab IDs, protections, locale) is kept as a `Sheet`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

from gspread.http_client import HTTPClient

from worker.adapters.google.auth import Account
from worker.adapters.google.errors import FAILURES, Unreachable
from worker.core.cells import SERIAL_EPOCH, Percent
from worker.core.errors import ConfigError, SheetError, network_unreachable

# One request returns every tab: titles and IDs, protections, and each cell's value as the
# sheet computes it (numbers and serial dates whatever the sheet's locale; errors as errors).
META_FIELDS = (
    "properties(locale),"
    "sheets(properties(sheetId,title),protectedRanges(protectedRangeId,description))"
)
# With each value its number format's type only: a typed 90% is 0.9 shown as PERCENT, a typed
# date a serial number shown as DATE; the rest of the format would only swell the answer.
GRID_FIELDS = (
    "properties(locale),"
    "sheets(properties(sheetId,title),protectedRanges(protectedRangeId,description),"
    "data(rowData(values(effectiveValue,effectiveFormat/numberFormat/type))))"
)
ERRORS = {
    "REF": "#REF!",
    "N_A": "#N/A",
    "DIVIDE_BY_ZERO": "#DIV/0!",
    "VALUE": "#VALUE!",
    "NAME": "#NAME?",
    "NUM": "#NUM!",
    "NULL_VALUE": "#NULL!",
    "ERROR": "#ERROR!",
}
SHEET_ID = re.compile(r"/spreadsheets/d/([A-Za-z0-9_-]{20,})|^([A-Za-z0-9_-]{20,})$")
SHEET_URL = "https://docs.google.com/spreadsheets/d/"

Tabs = dict[str, list[list[Any]]]


def sheet_key(reference: str) -> str:
    """A spreadsheet's ID from its URL or the ID itself."""
    match = SHEET_ID.search(reference.strip())
    if not match:
        raise SheetError(f"'{reference}' không phải đường dẫn hay mã Google Sheets")
    return match.group(1) or match.group(2)


@dataclass
class Sheet:
    """What one read told us of a spreadsheet besides its values."""

    ids: dict[str, int]  # tab title -> sheet ID
    protections: dict[int, list[dict[str, Any]]]
    locale: str = ""


class Reader:
    """Reads spreadsheets for the account and keeps what each read told of its sheet (`meta`,
    by spreadsheet ID: the writes build their requests from it)."""

    def __init__(self, account: Account) -> None:
        self.account = account
        self.meta: dict[str, Sheet] = {}

    def read(self, key: str, grid: bool = True, http: HTTPClient | None = None) -> Tabs:
        """Every tab's values (with `grid`), and always the tabs' IDs and protections."""
        params: dict[str, Any] = (
            {"includeGridData": "true", "fields": GRID_FIELDS} if grid else {"fields": META_FIELDS}
        )
        try:
            answer = (http or self.account.http).fetch_sheet_metadata(key, params=params)
        except FAILURES as exc:
            raise self.account.fail(exc, key) from None
        return self.take(key, answer)

    def take(self, key: str, answer: Mapping[str, Any]) -> Tabs:
        """The tabs of a Spreadsheet resource Google answered (a read's, or the one a write's
        answer holds), and what it tells of the sheet, kept as `meta`."""
        tabs, ids, protections = {}, {}, {}
        for sheet in answer.get("sheets", []):
            props = sheet["properties"]
            ids[props["title"]] = props["sheetId"]
            protections[props["sheetId"]] = sheet.get("protectedRanges", [])
            rows = sheet.get("data", [{}])[0].get("rowData", [])
            tabs[props["title"]] = _blank_unticked(
                [[_cell(c) for c in r.get("values", [])] for r in rows]
            )
        locale = answer.get("properties", {}).get("locale", "")
        self.meta[key] = Sheet(ids, protections, locale)
        return tabs

    def registry(self) -> Tabs:
        """Every tab of the registry; ConfigError (EnvironmentProblem when Google cannot be
        reached) when it cannot be read: no unit can be without it."""
        registry = self.account.settings.registry
        try:
            return self.read(sheet_key(registry))
        except Unreachable:
            raise network_unreachable(
                "Google Sheets để đọc danh mục đơn vị", f"[google] registry = '{registry}'"
            ) from None
        except SheetError as exc:
            raise ConfigError(
                f"Không đọc được danh mục đơn vị ([google] registry = '{registry}'): {exc}"
            ) from None


def _blank_unticked(rows: list[list[Any]]) -> list[list[Any]]:
    """Rows holding only unticked checkboxes (FALSE) and empty cells are blank rows: a checkbox
    column fills its whole range with FALSE."""
    return [[] if all(v is None or v is False or v == "" for v in row) else row for row in rows]


def _cell(cell: dict[str, Any]) -> Any:
    """A cell's value as the unit sees it: a percentage as a `Percent` (0.9 is not the count
    90), a date as a date (an error shows it as typed, not as serial 46000)."""
    value = cell.get("effectiveValue")
    if not value:
        return None
    if "errorValue" in value:
        return ERRORS.get(value["errorValue"].get("type", "ERROR"), "#ERROR!")
    found = next(iter(value.values()))
    shown = cell.get("effectiveFormat", {}).get("numberFormat", {}).get("type")
    if isinstance(found, int | float) and not isinstance(found, bool):
        if shown == "PERCENT":
            return Percent(found)
        if shown in ("DATE", "DATE_TIME") and 1 <= found < 2_958_466:
            moment = datetime.combine(SERIAL_EPOCH, time()) + timedelta(days=found)
            return moment.date() if shown == "DATE" else moment
    return found
