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
    """An answer other than 200: its status, message, Google's `errors[].reason` (Drive fills
    it, and Sheets for a 5xx), the canonical code's name (`name`: Sheets' RESOURCE_EXHAUSTED,
    UNAVAILABLE, …) and Sheets' `details`; `retry_after`: seconds for a Retry-After header."""

    def __init__(self, status: int, message: str, reason: str = "", name: str = "") -> None:
        super().__init__(message)
        self.status = status
        self.reason = reason
        self.name = name
        self.details: list[dict[str, Any]] = []
        self.retry_after: float | None = None

    def body(self) -> dict[str, Any]:
        error: dict[str, Any] = {"code": self.status, "message": str(self)}
        if self.reason:  # Drive's shape: developers.google.com/drive/api/guides/handle-errors
            domain = "usageLimits" if "RateLimit" in self.reason else "global"
            error["errors"] = [{"domain": domain, "reason": self.reason, "message": str(self)}]
        if self.name:
            error["status"] = self.name
        if self.details:
            error["details"] = self.details
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


# Quotas. "Sheets API has per-minute quotas, and they're refilled every minute ... Read requests:
# per minute per project 300, per minute per user per project 60; Write requests: the same"
# (developers.google.com/sheets/api/limits). Drive: "Queries per 60 seconds per user 12,000"
# (developers.google.com/drive/api/guides/limits). The test server counts them in a sliding
# window of 60 seconds: never more in any minute, which is stricter than buckets refilled on
# the minute (a client that keeps to a sliding window passes both).
QUOTA_WINDOW = 60.0
SHEETS_PER_USER = 60
SHEETS_PER_PROJECT = 300
DRIVE_PER_USER = 12_000

# A spreadsheet holds at most 10 million cells, every tab's grid counted
# (workspaceupdates.googleblog.com/2022/03/ten-million-cells-google-sheets.html); past it a
# batchUpdate is refused whole with this message (recorded in nithinmurali/pygsheets issue 589:
# 'Invalid requests[0].updateSheetProperties: This action would increase the number of cells in
# the workbook above the limit of 10000000 cells.').
MAX_CELLS = 10_000_000

# permissions.list: "If unspecified, at most 100 permissions will be returned for shared drives
# ... The maximum value is 100" (Drive v3 discovery, permissions.list pageSize).
PERMISSIONS_PAGE = 100

# Revisions of a Docs editors file are merged: edits close in time become one revision whose
# lastModifyingUser is whoever edited last, and older ones are pruned (hawksey.info, "Working
# with the Google Drive API Revisions history: tips for handling revision merges", 2022;
# googleapis/google-api-python-client issue 1744: a sheet edited daily lists ~35 revisions).
# The test server merges any change within this many seconds of the previous revision.
MERGE_WINDOW = 300

# A shared drive role's capabilities on a folder (developers.google.com/drive/api/guides/
# ref-roles: a Contributor (writer) adds files; a Content manager (fileOrganizer) also moves and
# trashes them; a Manager (organizer) also manages members).
ROLES = ("reader", "commenter", "writer", "fileOrganizer", "organizer")


def capabilities(role: str) -> dict[str, bool]:
    rank = ROLES.index(role) if role in ROLES else -1
    return {
        "canListChildren": rank >= 0,
        "canAddChildren": rank >= ROLES.index("writer"),
        "canEdit": rank >= ROLES.index("writer"),
        "canTrashChildren": rank >= ROLES.index("fileOrganizer"),
    }


def quota_exceeded(kind: str, per: str, project: str) -> ApiError:
    """Sheets' 429 for a spent per-minute quota, as Google words it: the message recorded in
    r-lib/gargle issue 160 ("Quota exceeded for quota metric 'Read requests' and limit 'Read
    requests per minute' of service 'sheets.googleapis.com' for consumer 'project_number:…'")
    with status RESOURCE_EXHAUSTED, and the ErrorInfo detail recorded in Sage-Bionetworks/
    data_curator issue 110 (reason RATE_LIMIT_EXCEEDED, metadata quota_limit
    'WriteRequestsPerMinutePerUser', quota_metric 'sheets.googleapis.com/write_requests')."""
    metric = f"{kind.capitalize()} requests"
    limit = f"{metric} per minute" + (" per user" if per == "user" else "")
    error = ApiError(
        429,
        f"Quota exceeded for quota metric '{metric}' and limit '{limit}' of service "
        f"'sheets.googleapis.com' for consumer 'project_number:{project}'.",
        name="RESOURCE_EXHAUSTED",
    )
    error.details = [
        {
            "@type": "type.googleapis.com/google.rpc.ErrorInfo",
            "reason": "RATE_LIMIT_EXCEEDED",
            "domain": "googleapis.com",
            "metadata": {
                "consumer": f"projects/{project}",
                "quota_limit": f"{kind.capitalize()}RequestsPerMinutePer{per.capitalize()}",
                "quota_metric": f"sheets.googleapis.com/{kind}_requests",
                "service": "sheets.googleapis.com",
            },
        }
    ]
    return error


def server_error(status: int, drive: bool) -> ApiError:
    """A 5xx as Google answers it. Sheets' 503: "The service is currently unavailable.", status
    UNAVAILABLE (burnash/gspread issue 724), at times with errors[].reason backendError
    (googleapis/google-api-php-client issue 1945); Sheets' 500: "Internal error encountered.",
    status INTERNAL, reason backendError (google-api-php-client issue 2048). Drive's 5xx carry
    errors[].reason backendError (developers.google.com/drive/api/guides/handle-errors)."""
    if status == 503:
        return ApiError(503, "The service is currently unavailable.", "backendError", "UNAVAILABLE")
    if status == 500 and not drive:
        return ApiError(500, "Internal error encountered.", "backendError", "INTERNAL")
    return ApiError(status, "Backend Error", "backendError")


def no_access(key: str, drive: bool) -> ApiError:
    """A file the caller may not open. Sheets: 403 "The caller does not have permission",
    PERMISSION_DENIED (recorded through gspread in wirenboard/wirenboard issue 142); Drive hides
    it: 404 "File not found: <id>." (developers.google.com/drive/api/guides/handle-errors)."""
    if drive:
        return ApiError(404, f"File not found: {key}.", "notFound")
    return ApiError(403, "The caller does not have permission", name="PERMISSION_DENIED")


def not_found(key: str, drive: bool) -> ApiError:
    """A file deleted for good, or never there (Sheets: NOT_FOUND)."""
    if drive:
        return ApiError(404, f"File not found: {key}.", "notFound")
    return ApiError(404, "Requested entity was not found.", name="NOT_FOUND")
