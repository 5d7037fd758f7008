"""The bodies of Sheets API requests, built from plain values and the sheet layouts. Pure."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from typing import Any

from worker.core.backend import Chart
from worker.core.layout import TEMPLATE_ROWS, Column, load
from worker.core.results import PERCENT_FORMAT, Grid, Percent

PERCENT = {"numberFormat": {"type": "PERCENT", "pattern": PERCENT_FORMAT}}
# What a written cell's userEnteredFormat holds: anything else it held before goes
CELL_FIELDS = "userEnteredValue,userEnteredFormat.textFormat.bold,userEnteredFormat.numberFormat"


def cells(row: Sequence[object]) -> list[dict[str, Any]]:
    """A row for `updateCells`: text always as stringValue, so nothing becomes a formula; a
    Percent as a number formatted PERCENT_FORMAT."""
    out: list[dict[str, Any]] = []
    for value in row:
        if value is None or value == "":
            out.append({})
        elif isinstance(value, Percent):
            out.append(
                {"userEnteredValue": {"numberValue": value}, "userEnteredFormat": {**PERCENT}}
            )
        elif isinstance(value, bool):
            out.append({"userEnteredValue": {"boolValue": value}})
        elif isinstance(value, int | float):
            out.append({"userEnteredValue": {"numberValue": value}})
        else:
            out.append({"userEnteredValue": {"stringValue": str(value)}})
    return out


def grid_rows(grid: Grid) -> list[dict[str, Any]]:
    """The grid's rows for updateCells: titles, headers and totals bold."""
    rows = [{"values": cells(row)} for row in grid.rows]
    for index in grid.titles | grid.headers | grid.totals:
        for cell in rows[index]["values"]:
            cell.setdefault("userEnteredFormat", {})["textFormat"] = {"bold": True}
    return rows


def a1_index(cell: str) -> tuple[int, int]:
    """ "F5" -> (4, 5): zero-based row and column."""
    letters = "".join(ch for ch in cell if ch.isalpha())
    col = 0
    for ch in letters.upper():
        col = col * 26 + ord(ch) - 64
    return int(cell[len(letters) :]) - 1, col - 1


PROTECTION = "Chỉ phần mềm mohinh ghi vào tab này"  # how our protected range is known
# A new sheet's grid (Google's default): rows and columns are added before writing past it.
MIN_ROWS, MIN_COLS = 1000, 26
LOCALE = {
    "updateSpreadsheetProperties": {
        # a service account's new file reads en_US / Etc/GMT: dates would read month first
        "properties": {"locale": "vi_VN", "timeZone": "Asia/Ho_Chi_Minh"},
        "fields": "locale,timeZone",
    }
}


def grid_size(rows: Sequence[Sequence[object]], room: int = 1) -> dict[str, int]:
    """gridProperties for a tab holding `rows` and `room` rows more (a chart's anchor): never
    smaller than a new sheet's grid."""
    width = max((len(r) for r in rows), default=0)
    return {"rowCount": max(len(rows) + room, MIN_ROWS), "columnCount": max(width, MIN_COLS)}


def protection(sheet_id: int, account: str) -> dict[str, Any]:
    """Our protected range over a whole tab: only the service account (and the owner) edit."""
    return {
        "addProtectedRange": {
            "protectedRange": {
                "range": {"sheetId": sheet_id},
                "warningOnly": False,
                "description": PROTECTION,
                "editors": {"users": [account]},
            }
        }
    }


# The number format of a column's cells by the column's type: a date typed 05/07/2025 reads as
# day first whatever the sheet's locale; an ID or a text stays text (no "1/2" turned into a date)
NUMBER_FORMATS = {
    "date": {"type": "DATE", "pattern": "dd/mm/yyyy"},
    "id": {"type": "TEXT"},
    "text": {"type": "TEXT"},
}
HEADER_FIELDS = (
    "userEnteredValue,note,userEnteredFormat.textFormat.bold,userEnteredFormat.wrapStrategy"
)


def add_sheet(
    sheet_id: int, title: str, grid: dict[str, int], index: int | None = None
) -> dict[str, Any]:
    """A new tab `title` with the gridProperties `grid`, at position `index` when given."""
    at = {} if index is None else {"index": index}
    return {
        "addSheet": {
            "properties": {"sheetId": sheet_id, "title": title, **at, "gridProperties": grid}
        }
    }


def unit_sheet_layout(account: str) -> list[dict[str, Any]]:
    """The requests that lay a new spreadsheet out as the unit template says."""
    layout = load("unit")
    requests_: list[dict[str, Any]] = [LOCALE]
    for index, tab in enumerate(layout.tabs, start=1):
        requests_.append(add_sheet(index, tab.name, {"frozenRowCount": 1}, index - 1))
        requests_.append(_headers(index, tab.columns))
        for col, column in enumerate(tab.columns):
            requests_ += _column(index, col, column)
    results = len(layout.tabs) + 1
    requests_ += [
        add_sheet(results, layout.results_tab or "", {"frozenRowCount": 1}),
        protection(results, account),
        {"deleteSheet": {"sheetId": 0}},  # the new file's empty first sheet
    ]
    return requests_


def _headers(sheet_id: int, columns: Sequence[Column]) -> dict[str, Any]:
    """The tab's header row: bold, wrapped, each header's hint as its note."""
    header = [
        {
            "userEnteredValue": {"stringValue": c.header},
            "note": c.hint,
            "userEnteredFormat": {"textFormat": {"bold": True}, "wrapStrategy": "WRAP"},
        }
        for c in columns
    ]
    return {
        "updateCells": {
            "start": {"sheetId": sheet_id, "rowIndex": 0, "columnIndex": 0},
            "rows": [{"values": header}],
            "fields": HEADER_FIELDS,
        }
    }


def _column(sheet_id: int, col: int, column: Column) -> list[dict[str, Any]]:
    """Column `col` (0-based) below its header: its validation (a checkbox, or a list of
    values), its number format, its width."""
    span = {
        "sheetId": sheet_id,
        "startRowIndex": 1,
        "endRowIndex": TEMPLATE_ROWS,
        "startColumnIndex": col,
        "endColumnIndex": col + 1,
    }
    requests_: list[dict[str, Any]] = []
    rule = _validation(column)
    if rule:
        requests_.append({"setDataValidation": {"range": span, "rule": rule}})
    number = NUMBER_FORMATS.get(column.type)
    if number:
        requests_.append(
            {
                "repeatCell": {
                    "range": span,
                    "cell": {"userEnteredFormat": {"numberFormat": number}},
                    "fields": "userEnteredFormat.numberFormat",
                }
            }
        )
    width = {"sheetId": sheet_id, "dimension": "COLUMNS", "startIndex": col, "endIndex": col + 1}
    requests_.append(
        {
            "updateDimensionProperties": {
                "range": width,
                "properties": {"pixelSize": column.width * 7},
                "fields": "pixelSize",
            }
        }
    )
    return requests_


def _validation(column: Column) -> dict[str, Any] | None:
    """The data validation rule of a column: a checkbox for yes/no, a dropdown of its values."""
    if column.type == "yesno":
        return {"condition": {"type": "BOOLEAN"}}
    if column.values:
        return {
            "condition": {
                "type": "ONE_OF_LIST",
                "values": [{"userEnteredValue": v} for v in column.values],
            },
            "strict": True,
            "showCustomUi": True,
        }
    return None


def chart(sheet_id: int, chart: Chart, table: range, below: int) -> dict[str, Any]:
    """A native stacked bar chart of columns first..last by the categories column, over the
    rows `table` (0-based; the series' names in the row above), anchored in column A of row
    `below` (0-based): under the table, covering none of it."""

    def column(index: int) -> dict[str, Any]:
        return {
            "sourceRange": {
                "sources": [
                    {
                        "sheetId": sheet_id,
                        "startRowIndex": table.start - 1,
                        "endRowIndex": table.stop,
                        "startColumnIndex": index - 1,
                        "endColumnIndex": index,
                    }
                ]
            }
        }

    return {
        "addChart": {
            "chart": {
                "spec": {
                    "title": chart.title,
                    "basicChart": {
                        "chartType": "BAR",
                        "stackedType": "STACKED",
                        "legendPosition": "RIGHT_LEGEND",
                        "headerCount": 1,
                        "domains": [{"domain": column(chart.categories)}],
                        "series": [
                            {"series": column(i), "targetAxis": "BOTTOM_AXIS"}
                            for i in range(chart.first, chart.last + 1)
                        ],
                    },
                },
                "position": {
                    "overlayPosition": {
                        "anchorCell": {
                            "sheetId": sheet_id,
                            "rowIndex": below,
                            "columnIndex": 0,
                        }
                    }
                },
            }
        }
    }


def multipart(metadata: dict[str, Any], content: bytes, mime: str) -> tuple[bytes, str]:
    """A Drive multipart upload's body and Content-Type: the JSON metadata, then the content
    (drive/api/guides/manage-uploads#multipart: "multipart/related", two parts). The boundary
    is the content's own hash: the content cannot hold it (that would be a hash fixed point)."""
    boundary = "mohinh-" + hashlib.sha256(content).hexdigest()
    head = (
        f"--{boundary}\r\nContent-Type: application/json; charset=UTF-8\r\n\r\n"
        + json.dumps(metadata, ensure_ascii=False)
        + f"\r\n--{boundary}\r\nContent-Type: {mime}\r\n\r\n"
    )
    body = head.encode() + content + f"\r\n--{boundary}--\r\n".encode()
    return body, f"multipart/related; boundary={boundary}"
