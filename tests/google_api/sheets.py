"""The Sheets v4 methods the test server answers: spreadsheets.get, values.get / batchGet /
update and spreadsheets.batchUpdate (every request kind the worker sends), each route taking
(fake, path, query, body) and answering what Google would."""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from tests.google_api.model import (
    Sheet,
    Spreadsheet,
    effective,
    grid_values,
    number_format,
    plain,
    value_of,
)
from tests.google_api.strict import (
    DEFAULT_COLS,
    DEFAULT_ROWS,
    MAX_CELLS,
    ApiError,
    duplicate_title,
    no_access,
    not_found,
    typed,
)

if TYPE_CHECKING:
    from tests.google_api.server import FakeGoogle

Query = dict[str, list[str]]


def key_of(path: str) -> str:
    return re.split(r"[/:]", path.removeprefix("/v4/spreadsheets/"))[0]


def spreadsheet_of(fake: FakeGoogle, path: str) -> Spreadsheet:
    """The spreadsheet a Sheets request is about, as the caller may see it: a trashed one still
    opens by its ID (only Drive's listings leave the trash out), one no longer shared does not."""
    key = key_of(path)
    if key not in fake.files:
        raise not_found(key, drive=False)
    if fake.files[key].unshared:
        raise no_access(key, drive=False)
    return fake.files[key]


def a1_tab(a1: str) -> str:
    tab = a1.rsplit("!", 1)[0] if "!" in a1 else a1
    return tab[1:-1].replace("''", "'") if tab.startswith("'") else tab


def sheet_json(sheet: Sheet, index: int, grid: bool) -> dict[str, Any]:
    rows, cols = sheet.size()
    result: dict[str, Any] = {
        "properties": {
            "sheetId": sheet.sheet_id,
            "title": sheet.title,
            "index": index,
            "sheetType": "GRID",
            "gridProperties": {
                "rowCount": rows,
                "columnCount": cols,
                **({"frozenRowCount": sheet.frozen_rows} if sheet.frozen_rows else {}),
            },
        },
    }
    if sheet.protected:
        result["protectedRanges"] = copy.deepcopy(sheet.protected)
    if sheet.charts:
        result["charts"] = copy.deepcopy(sheet.charts)
    if grid:
        result["data"] = [{"startRow": 0, "startColumn": 0, "rowData": _row_data(sheet)}]
    return result


def _row_data(sheet: Sheet) -> list[dict[str, Any]]:
    row_data: list[dict[str, Any]] = []
    for (r, c), cell in sorted(sheet.cells.items()):
        while len(row_data) <= r:
            row_data.append({})
        values = row_data[r].setdefault("values", [])
        while len(values) <= c:
            values.append({})
        out = {k: v for k, v in cell.items() if k != "effectiveValue"}
        value = effective(cell)
        if value is not None:
            out["effectiveValue"] = value
            out["formattedValue"] = str(plain(value))
            shown = number_format(sheet, r, c, cell)
            if shown:
                out["effectiveFormat"] = {"numberFormat": shown}
        values[c] = out
    return row_data


def spreadsheet_json(spreadsheet: Spreadsheet, grid: bool) -> dict[str, Any]:
    return {
        "spreadsheetId": spreadsheet.key,
        "properties": {
            "title": spreadsheet.title,
            "locale": spreadsheet.locale,
            "timeZone": spreadsheet.time_zone,
        },
        "sheets": [sheet_json(s, i, grid) for i, s in enumerate(spreadsheet.sheets)],
        "spreadsheetUrl": f"https://docs.google.com/spreadsheets/d/{spreadsheet.key}/edit",
    }


def get_spreadsheet(fake: FakeGoogle, path: str, query: Query, body: Any) -> dict[str, Any]:
    grid = query.get("includeGridData", ["false"])[0] == "true"
    return spreadsheet_json(spreadsheet_of(fake, path), grid)


def batch_get(fake: FakeGoogle, path: str, query: Query, body: Any) -> dict[str, Any]:
    spreadsheet = spreadsheet_of(fake, path)
    render = query.get("valueRenderOption", ["FORMATTED_VALUE"])[0]
    ranges = []
    for a1 in query.get("ranges", []):
        sheet = spreadsheet.by_title(a1_tab(a1))
        ranges.append({"range": a1, "majorDimension": "ROWS", "values": grid_values(sheet, render)})
    return {"spreadsheetId": spreadsheet.key, "valueRanges": ranges}


def values_get(fake: FakeGoogle, path: str, query: Query, body: Any) -> dict[str, Any]:
    spreadsheet = spreadsheet_of(fake, path)
    a1 = unquote(path.rsplit("/values/", 1)[1])
    render = query.get("valueRenderOption", ["FORMATTED_VALUE"])[0]
    return {
        "range": a1,
        "majorDimension": "ROWS",
        "values": grid_values(spreadsheet.by_title(a1_tab(a1)), render),
    }


def values_update(fake: FakeGoogle, path: str, query: Query, body: Any) -> dict[str, Any]:
    spreadsheet = spreadsheet_of(fake, path)
    if spreadsheet.role != "writer":
        raise no_access(spreadsheet.key, drive=False)
    a1 = unquote(path.rsplit("/values/", 1)[1])
    option = query.get("valueInputOption", ["RAW"])[0]
    sheet = spreadsheet.by_title(a1_tab(a1))
    start = a1.rsplit("!", 1)[1].split(":")[0] if "!" in a1 else "A1"
    letters = "".join(ch for ch in start if ch.isalpha())
    col = sum((ord(ch) - 64) * 26**i for i, ch in enumerate(reversed(letters.upper()))) - 1
    top = int(start[len(letters) :] or 1) - 1
    values = body.get("values", [])
    sheet.check(top + len(values), col + max((len(r) for r in values), default=0))
    for i, row in enumerate(values):
        for j, value in enumerate(row):
            entered = (
                typed(value, spreadsheet.locale)
                if option == "USER_ENTERED" and isinstance(value, str)
                else {"userEnteredValue": value_of(value)}
            )
            sheet.cells[top + i, col + j] = entered
    fake.touch(spreadsheet, fake.caller)
    return {
        "spreadsheetId": spreadsheet.key,
        "updatedRange": a1,
        "updatedCells": sum(len(r) for r in body.get("values", [])),
    }


def batch_update(fake: FakeGoogle, path: str, query: Query, body: Any) -> dict[str, Any]:
    """Every request applied in order on a copy, or none (a refusal names the request, as
    Google's "Invalid requests[i].kind: …"); with includeSpreadsheetInResponse the answer holds
    the spreadsheet as the batch left it (BatchUpdateSpreadsheetRequest in the discovery
    document: responseIncludeGridData "True if grid data should be returned")."""
    original = spreadsheet_of(fake, path)
    if original.role != "writer":  # shared as Người xem / Người nhận xét: a write is refused
        raise no_access(original.key, drive=False)
    spreadsheet = copy.deepcopy(original)
    replies: list[dict[str, Any]] = []
    for index, request in enumerate(body.get("requests", [])):
        ((kind, args),) = request.items()
        if kind not in REQUESTS:
            raise ApiError(400, f"the test server does not implement {kind}")
        before = spreadsheet.cells_used()
        try:
            replies.append(REQUESTS[kind](spreadsheet, args))
        except ApiError as exc:  # Google names the request that was refused
            if str(exc).startswith("Invalid requests["):
                raise
            name = exc.name or "INVALID_ARGUMENT"
            raise ApiError(400, f"Invalid requests[{index}].{kind}: {exc}", name=name) from None
        if spreadsheet.cells_used() > max(before, MAX_CELLS):
            raise ApiError(
                400,
                f"Invalid requests[{index}].{kind}: This action would increase the number of "
                f"cells in the workbook above the limit of {MAX_CELLS} cells.",
            )
    fake.files[original.key] = spreadsheet
    fake.touch(spreadsheet, fake.caller)
    answer: dict[str, Any] = {"spreadsheetId": spreadsheet.key, "replies": replies}
    if body.get("includeSpreadsheetInResponse"):
        grid = bool(body.get("responseIncludeGridData"))
        answer["updatedSpreadsheet"] = spreadsheet_json(spreadsheet, grid)
    return answer


def _grid_range(
    spreadsheet: Spreadsheet, grid: dict[str, Any]
) -> tuple[Sheet, int, int, int | None, int | None]:
    sheet = spreadsheet.sheet(grid.get("sheetId", 0))
    return (
        sheet,
        grid.get("startRowIndex", 0),
        grid.get("startColumnIndex", 0),
        grid.get("endRowIndex"),
        grid.get("endColumnIndex"),
    )


def _add_sheet(spreadsheet: Spreadsheet, args: dict[str, Any]) -> dict[str, Any]:
    props = args.get("properties", {})
    if spreadsheet.titled(props.get("title", "")):
        raise duplicate_title(props["title"])
    sheet_id = props.get("sheetId", 1 + max((s.sheet_id for s in spreadsheet.sheets), default=0))
    grid = props.get("gridProperties", {})
    sheet = Sheet(
        sheet_id,
        props.get("title", f"Sheet{sheet_id}"),
        frozen_rows=grid.get("frozenRowCount", 0),
        rows=grid.get("rowCount", DEFAULT_ROWS),
        cols=grid.get("columnCount", DEFAULT_COLS),
    )
    spreadsheet.sheets.insert(props.get("index", len(spreadsheet.sheets)), sheet)
    return {"addSheet": {"properties": {"sheetId": sheet_id, "title": sheet.title}}}


def _delete_sheet(spreadsheet: Spreadsheet, args: dict[str, Any]) -> dict[str, Any]:
    sheet = spreadsheet.sheet(args["sheetId"])
    if len(spreadsheet.sheets) == 1:  # recorded in googleapis/google-api-php-client issue 1293
        # and tidyverse/googlesheets4 issue 70: a spreadsheet keeps at least one sheet
        raise ApiError(400, "You can't remove all the sheets in a document.", "badRequest")
    spreadsheet.sheets.remove(sheet)
    return {}


def _update_sheet(spreadsheet: Spreadsheet, args: dict[str, Any]) -> dict[str, Any]:
    props = args["properties"]
    sheet = spreadsheet.sheet(props["sheetId"])
    fields = args["fields"].split(",")
    if "title" in fields:
        other = spreadsheet.titled(props["title"])
        if other is not None and other is not sheet:
            raise duplicate_title(props["title"])
        sheet.title = props["title"]
    if "gridProperties.frozenRowCount" in fields:
        sheet.frozen_rows = props["gridProperties"]["frozenRowCount"]
    if "gridProperties.rowCount" in fields:  # rows past the new end are dropped
        sheet.rows = props["gridProperties"]["rowCount"]
        sheet.cells = {k: v for k, v in sheet.cells.items() if k[0] < sheet.rows}
    if "gridProperties.columnCount" in fields:
        sheet.cols = props["gridProperties"]["columnCount"]
        sheet.cells = {k: v for k, v in sheet.cells.items() if k[1] < sheet.cols}
    if "index" in fields:
        spreadsheet.sheets.remove(sheet)
        spreadsheet.sheets.insert(props["index"], sheet)
    return {}


def _update_cells(spreadsheet: Spreadsheet, request: dict[str, Any]) -> dict[str, Any]:
    fields = [f.strip() for f in request["fields"].split(",")]
    if "range" in request:
        sheet, top, left, bottom, right = _grid_range(spreadsheet, request["range"])
        sheet.check(bottom or 0, right or 0)
        for r, c in list(sheet.cells):  # what the rows do not cover is cleared
            inside = (
                r >= top
                and c >= left
                and (bottom is None or r < bottom)
                and (right is None or c < right)
            )
            if inside:
                for f in fields:
                    sheet.cells[r, c].pop(f.split(".")[0], None)
                sheet.cells[r, c].pop("effectiveValue", None)
                if not sheet.cells[r, c]:
                    del sheet.cells[r, c]
    else:
        start = request["start"]
        sheet = spreadsheet.sheet(start.get("sheetId", 0))
        top, left = start.get("rowIndex", 0), start.get("columnIndex", 0)
    rows = request.get("rows", [])
    width = max((len(r.get("values", [])) for r in rows), default=0)
    if rows:
        sheet.check(top + len(rows), left + width)
    for i, row in enumerate(rows):
        for j, cell in enumerate(row.get("values", [])):
            target = sheet.cells.setdefault((top + i, left + j), {})
            target.pop("effectiveValue", None)
            for f in fields:
                name = f.split(".")[0]
                if name in cell:
                    target[name] = copy.deepcopy(cell[name])
                elif f == "*" or name in target:
                    target.pop(name, None)
            if not target:
                del sheet.cells[top + i, left + j]
    return {}


def _add_protected(spreadsheet: Spreadsheet, args: dict[str, Any]) -> dict[str, Any]:
    protected = copy.deepcopy(args["protectedRange"])
    protected["protectedRangeId"] = 100 + sum(len(s.protected) for s in spreadsheet.sheets)
    # The spreadsheet's owner can always edit a protected range: Google adds the owner to its
    # editors (support.google.com/docs/answer/1218656, "the owner ... can always edit").
    users = protected.setdefault("editors", {}).setdefault("users", [])
    if spreadsheet.owner and spreadsheet.owner not in users:
        users.append(spreadsheet.owner)
    spreadsheet.sheet(protected["range"]["sheetId"]).protected.append(protected)
    return {"addProtectedRange": {"protectedRange": protected}}


def _delete_protected(spreadsheet: Spreadsheet, args: dict[str, Any]) -> dict[str, Any]:
    for sheet in spreadsheet.sheets:
        sheet.protected = [
            p for p in sheet.protected if p["protectedRangeId"] != args["protectedRangeId"]
        ]
    return {}


def _validation(spreadsheet: Spreadsheet, args: dict[str, Any]) -> dict[str, Any]:
    sheet, top, left, bottom, right = _grid_range(spreadsheet, args["range"])
    sheet.check(bottom or 0, right or 0)
    sheet.validations.append((top, left, bottom, right, copy.deepcopy(args["rule"])))
    if args["rule"]["condition"]["type"] == "BOOLEAN":
        # An unchecked checkbox holds FALSE ("Checked: TRUE, unchecked: FALSE",
        # support.google.com/docs/answer/7684717): every empty cell of the range.
        for r in range(top, bottom or sheet.rows):
            for c in range(left, right or sheet.cols):
                if "userEnteredValue" not in sheet.cells.get((r, c), {}):
                    sheet.cells.setdefault((r, c), {})["userEnteredValue"] = {"boolValue": False}
    return {}


def _repeat_cell(spreadsheet: Spreadsheet, args: dict[str, Any]) -> dict[str, Any]:
    sheet, top, left, bottom, right = _grid_range(spreadsheet, args["range"])
    sheet.check(bottom or 0, right or 0)
    sheet.formats.append((top, left, bottom, right, copy.deepcopy(args["cell"]), args["fields"]))
    return {}


def _dimensions(spreadsheet: Spreadsheet, args: dict[str, Any]) -> dict[str, Any]:
    sheet = spreadsheet.sheet(args["range"]["sheetId"])
    for index in range(args["range"]["startIndex"], args["range"]["endIndex"]):
        sheet.widths[index] = args["properties"]["pixelSize"]
    return {}


def _add_chart(spreadsheet: Spreadsheet, args: dict[str, Any]) -> dict[str, Any]:
    chart = copy.deepcopy(args["chart"])
    chart["chartId"] = 500 + sum(len(s.charts) for s in spreadsheet.sheets)
    anchor = chart["position"]["overlayPosition"]["anchorCell"]["sheetId"]
    spreadsheet.sheet(anchor).charts.append(chart)
    return {"addChart": {"chart": chart}}


def _spreadsheet_properties(spreadsheet: Spreadsheet, args: dict[str, Any]) -> dict[str, Any]:
    fields = args["fields"].split(",")
    if "locale" in fields:
        spreadsheet.locale = args["properties"]["locale"]
    if "timeZone" in fields:
        spreadsheet.time_zone = args["properties"]["timeZone"]
    return {}


def _append_dimension(spreadsheet: Spreadsheet, args: dict[str, Any]) -> dict[str, Any]:
    sheet = spreadsheet.sheet(args["sheetId"])
    if args["dimension"] == "ROWS":
        sheet.rows += args["length"]
    else:
        sheet.cols += args["length"]
    return {}


REQUESTS: dict[str, Callable[[Spreadsheet, dict[str, Any]], dict[str, Any]]] = {
    "addSheet": _add_sheet,
    "deleteSheet": _delete_sheet,
    "updateSheetProperties": _update_sheet,
    "updateCells": _update_cells,
    "addProtectedRange": _add_protected,
    "deleteProtectedRange": _delete_protected,
    "setDataValidation": _validation,
    "repeatCell": _repeat_cell,
    "updateDimensionProperties": _dimensions,
    "addChart": _add_chart,
    "updateSpreadsheetProperties": _spreadsheet_properties,
    "appendDimension": _append_dimension,
}
