"""Where the test server is as strict as Google: each rule here with the evidence it rests on.

Evidence is named so that it can be read again: a reference page (developers.google.com), a
field of the discovery documents shipped with google-api-python-client, or a response recorded
against real Google in gspread's repository (`burnash/gspread`, `tests/cassettes/...`).
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

# A new file's first sheet, and a sheet added without gridProperties, is 1000 rows x 26
# columns: recorded in burnash/gspread tests/cassettes/SpreadsheetTest.test_timezone_and_locale
# .json ("gridProperties": {"rowCount": 1000, "columnCount": 26} right after files.create).
DEFAULT_ROWS = 1000
DEFAULT_COLS = 26

# A file a service account creates reads back en_US / Etc/GMT (same cassette: "locale":
# "en_US", "timeZone": "Etc/GMT"); a sheet a Vietnamese civil servant made reads vi_VN.
SERVICE_LOCALE = ("en_US", "Etc/GMT")
PERSON_LOCALE = ("vi_VN", "Asia/Ho_Chi_Minh")

# "To speed up requests, we recommend a 2 MB maximum payload."
# (developers.google.com/sheets/api/limits). The test server holds the worker to it.
MAX_PAYLOAD = 2_000_000

# Locales whose short dates read month first (d/m/y elsewhere). Google reads a typed date by the
# spreadsheet's locale (developers.google.com/sheets/api/guides/formats: "the locale of the
# spreadsheet" decides how input is parsed; ValueInputOption USER_ENTERED: "parsed exactly as
# if the user typed them into the UI", developers.google.com/sheets/api/reference/rest/v4/
# ValueInputOption).
MONTH_FIRST = {"en_US", "en_PH", "fil_PH"}
EPOCH = date(1899, 12, 30)


class ApiError(Exception):
    """An answer other than 200: its status, message, and Google's `errors[].reason`."""

    def __init__(self, status: int, message: str, reason: str = "") -> None:
        super().__init__(message)
        self.status = status
        self.reason = reason

    def body(self) -> dict[str, Any]:
        error: dict[str, Any] = {"code": self.status, "message": str(self)}
        if self.reason:  # Drive's shape: developers.google.com/drive/api/guides/handle-errors
            domain = "usageLimits" if "RateLimit" in self.reason else "global"
            error["errors"] = [{"domain": domain, "reason": self.reason, "message": str(self)}]
        return {"error": error}


def column_letters(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def grid_error(title: str, row: int, col: int, rows: int, cols: int) -> ApiError:
    """Writing at (row, col), 0-based, outside a rows x cols grid. The message is Google's:
    "Range ('Sheet1'!A1001) exceeds grid limits. Max rows: 1000, max columns: 26" (quoted in
    nithinmurali/pygsheets issues 124 and 416, and by every client that resizes first)."""
    a1 = f"{column_letters(col)}{row + 1}"
    return ApiError(
        400,
        f"Range ('{title}'!{a1}) exceeds grid limits. Max rows: {rows}, max columns: {cols}",
    )


def duplicate_title(title: str) -> ApiError:
    # Titles are unique whatever their case: Google refuses addSheet "kết quả" beside
    # "Kết quả" with this message (Sheets UI and API alike; AddSheetRequest's properties.title).
    return ApiError(
        400,
        f'Invalid requests[0].addSheet: A sheet with the name "{title}" already exists. '
        "Please enter another name.",
    )


def typed(text: str, locale: str) -> dict[str, Any]:
    """A cell as Google keeps what a person types (USER_ENTERED): formulas, TRUE/FALSE,
    numbers, percentages (0.9 with a PERCENT format for "90%"), dates read by `locale`."""
    if text.startswith("="):
        return {"userEnteredValue": {"formulaValue": text}}
    if text.upper() in ("TRUE", "FALSE"):
        return {"userEnteredValue": {"boolValue": text.upper() == "TRUE"}}
    if re.fullmatch(r"-?\d+(\.\d+)?", text):
        return {"userEnteredValue": {"numberValue": float(text)}}
    if m := re.fullmatch(r"(-?\d+(?:[.,]\d+)?)\s*%", text):
        return {
            "userEnteredValue": {"numberValue": float(m.group(1).replace(",", ".")) / 100},
            "userEnteredFormat": {"numberFormat": {"type": "PERCENT", "pattern": "0%"}},
        }
    if m := re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", text):
        first, second, year = (int(g) for g in m.groups())
        month, day = (first, second) if locale in MONTH_FIRST else (second, first)
        try:
            serial = (date(year, month, day) - EPOCH).days
        except ValueError:
            return {"userEnteredValue": {"stringValue": text}}  # not a date here: text
        return {
            "userEnteredValue": {"numberValue": serial},
            "userEnteredFormat": {"numberFormat": {"type": "DATE"}},
        }
    return {"userEnteredValue": {"stringValue": text}}
