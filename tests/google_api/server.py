"""An in-process Sheets v4 + Drive v3 server on loopback, for the Google backend's tests.

It implements what the backend uses, keeps spreadsheets in memory, issues OAuth tokens for
google-auth's real JWT flow, counts calls per API method, answers 429 / 500 / slowly on
demand, and checks every request and response against the official API descriptions
(`discovery.py`): `violations` must stay empty.
"""

from __future__ import annotations

import base64
import copy
import json
import re
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import requests

from tests.google_api import discovery
from tests.google_api.strict import (
    DEFAULT_COLS,
    DEFAULT_ROWS,
    MAX_PAYLOAD,
    PERSON_LOCALE,
    SERVICE_LOCALE,
    ApiError,
    duplicate_title,
    grid_error,
    typed,
)

SPREADSHEET_MIME = "application/vnd.google-apps.spreadsheet"
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
    revisions: list[tuple[str, str]] = field(default_factory=list)  # (modifiedTime, by whom)
    mime: str = SPREADSHEET_MIME  # a file uploaded (a .docx) has its own, and its content
    content: bytes = b""

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


def cell_of(value: Any) -> dict[str, Any]:
    """What a person typing `value` leaves in a cell; ("=F()", shown) is a formula. A date is
    a serial number with a DATE format, as typing one leaves it (strict.typed)."""
    if isinstance(value, tuple):
        formula, shown = value
        return {"userEnteredValue": {"formulaValue": formula}, "effectiveValue": _value(shown)}
    if isinstance(value, date):
        return {
            "userEnteredValue": _value(value),
            "userEnteredFormat": {"numberFormat": {"type": "DATE", "pattern": "dd/mm/yyyy"}},
        }
    return {"userEnteredValue": _value(value)}


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


def _value(value: Any) -> dict[str, Any]:
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


def parse_fields(mask: str) -> dict[str, Any]:
    """A partial-response mask ("a,b(c,d/e)") as nested dicts; {} means everything below."""
    tree: dict[str, Any] = {}
    i = 0

    def parse(until: str) -> dict[str, Any]:
        nonlocal i
        result: dict[str, Any] = {}
        name = ""
        while i < len(mask) and mask[i] != until:
            ch = mask[i]
            i += 1
            if ch == "(":
                result[name.strip()] = parse(")")
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

    tree = parse("")
    return tree


def _add(tree: dict[str, Any], path: str) -> None:
    head, _, rest = path.partition("/")
    sub = tree.setdefault(head, {})
    if rest:
        _add(sub, rest)


def apply_fields(value: Any, mask: dict[str, Any]) -> Any:
    if not mask:
        return value
    if isinstance(value, list):
        return [apply_fields(v, mask) for v in value]
    if isinstance(value, dict):
        return {k: apply_fields(v, mask[k]) for k, v in value.items() if k in mask}
    return value


@dataclass
class Served:
    """One request as the server saw it: when it came and went (time.monotonic), the client's
    connection (host, port), and the spreadsheet or Drive file it was about."""

    method: str
    connection: tuple[str, int]
    key: str
    arrived: float
    size: int = 0  # the request body's bytes
    answered: float = 0.0


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        import sys

        if not isinstance(sys.exc_info()[1], ConnectionError):  # a client that gave up waiting
            super().handle_error(request, client_address)


class FakeGoogle:
    """The state of the fake Google: spreadsheets, Drive folders, tokens, counters, faults."""

    def __init__(self) -> None:
        self.files: dict[str, Spreadsheet] = {}
        self.calls: Counter[str] = Counter()  # API methods: what the quota counts
        self.auth_calls: Counter[str] = Counter()  # google-auth's token and boundary lookups
        self.violations: list[str] = []
        self.media: tuple[str, bytes] | None = None  # the content of the upload being served
        self.tokens: set[str] = set()
        self.scopes: list[str] = []
        self.faults: dict[str, list[int | None]] = defaultdict(list)
        self.delays: dict[str, list[float]] = defaultdict(list)  # seconds, for the next calls
        self.broken: dict[str, int] = {}  # spreadsheet ID -> the status it always answers
        # Faults once the request is applied: the change is made, the answer is lost.
        self.late: dict[str, list[int | float]] = defaultdict(list)
        # Folders in a shared drive: the only places a service account may create files.
        self.shared_drives: set[str] = set()
        self.log: list[tuple[str, int]] = []  # (API method, request body bytes), in order
        # Each request as served, in order of arrival: what a quota replay needs (bench).
        self.trace: list[Served] = []
        self.accounts: dict[str, str] = {}  # token -> the service account it was issued to
        self.caller = ""  # who sends the request being served (routes run under the lock)
        # What a person does right after a request is applied, before its answer goes back.
        self.after: dict[str, list[Callable[[], None]]] = defaultdict(list)
        self.lock = threading.RLock()
        self._clock = datetime(2026, 1, 1, tzinfo=UTC)
        self._ids = 0
        self.server = _Server(("127.0.0.1", 0), _handler(self))
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def start(self) -> FakeGoogle:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    # What tests do by hand, as a person in a browser would.
    def new_id(self, prefix: str = "ss") -> str:
        self._ids += 1
        return f"{prefix}{self._ids:04d}AbCdEfGhIjKlMnOpQrStUvWxYz"

    def touch(self, spreadsheet: Spreadsheet, by: str = OWNER) -> None:
        """A change to the file: a new modifiedTime, and a revision made by `by`."""
        self._clock += timedelta(seconds=1)
        spreadsheet.modified = self._clock.isoformat().replace("+00:00", ".000Z")
        spreadsheet.revisions.append((spreadsheet.modified, by))

    def add_spreadsheet(
        self,
        title: str,
        tabs: dict[str, list[list[Any]]],
        folder: str = "",
        locale: str = PERSON_LOCALE[0],
    ) -> str:
        """A spreadsheet a person made (its owner), its grids as large as its data."""
        key = self.new_id()
        spreadsheet = Spreadsheet(
            key, title, parents=[folder] if folder else [], locale=locale, owner=OWNER
        )
        for index, (name, rows) in enumerate(tabs.items()):
            sheet = Sheet(index * 1000 + 7, name)
            for r, row in enumerate(rows):
                for c, value in enumerate(row):
                    if value is not None and value != "":
                        sheet.cells[r, c] = cell_of(value)
            sheet.fit()
            spreadsheet.sheets.append(sheet)
        self.touch(spreadsheet)
        self.files[key] = spreadsheet
        return key

    def edit(self, key: str, tab: str, row: int, col: int, value: Any) -> None:
        """A person (the owner, who may edit even protected ranges) types into a cell: text is
        read as Google reads what is typed, by the spreadsheet's locale (strict.typed)."""
        with self.lock:
            spreadsheet = self.files[key]
            sheet = spreadsheet.by_title(tab)
            if isinstance(value, str) and value:
                sheet.cells[row, col] = typed(value, spreadsheet.locale)
            elif value is None or value == "":
                sheet.cells.pop((row, col), None)
            else:
                sheet.cells[row, col] = cell_of(value)
            sheet.fit()
            self.touch(spreadsheet)

    def values(self, key: str, tab: str, render: str = "UNFORMATTED_VALUE") -> list[list[Any]]:
        spreadsheet = self.files[key]
        return _grid_values(spreadsheet.by_title(tab), render)

    def slow(self, method: str, *seconds: float) -> None:
        """The next calls of `method` answer after these many seconds, in order."""
        self.delays[method].extend(seconds)

    def fail(self, method: str, *statuses: int | None) -> None:
        """The next calls of `method` answer these HTTP statuses, in order (None: normally)."""
        self.faults[method].extend(statuses)

    def fail_after(self, method: str, *outcomes: int | float) -> None:
        """The next calls of `method` are applied, then answer an HTTP status (an int) or
        answer only after these many seconds (a float): a late answer the client gave up on."""
        self.late[method].extend(outcomes)

    def then(self, method: str, action: Callable[[], None]) -> None:
        """Once the next call of `method` is applied, `action` runs (a person editing in the
        browser) before the answer goes back: the window between our write and what we do next."""
        self.after[method].append(action)

    def rate_limit(self, method: str, times: int, reason: str = "userRateLimitExceeded") -> None:
        """Drive's rate limit: 403 with reason userRateLimitExceeded or rateLimitExceeded
        (developers.google.com/drive/api/guides/limits: "you'll receive a 403: User rate
        limit exceeded"; /drive/api/guides/handle-errors lists both reasons as 403)."""
        self.faults[method].extend([-403] * times)
        self.rate_reason = reason


def _grid_values(sheet: Sheet, render: str) -> list[list[Any]]:
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


def _a1_tab(a1: str) -> str:
    tab = a1.rsplit("!", 1)[0] if "!" in a1 else a1
    return tab[1:-1].replace("''", "'") if tab.startswith("'") else tab


def _handler(fake: FakeGoogle) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        # Connections kept open, as Google's are: a client's requests on one connection come one
        # after the other, which is what the bench's quota replay reads from `trace`.
        protocol_version = "HTTP/1.1"
        served: Served | None = None  # the request being answered

        def log_message(self, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            self._serve("GET")

        def do_POST(self) -> None:
            self._serve("POST")

        def do_PUT(self) -> None:
            self._serve("PUT")

        def do_PATCH(self) -> None:
            self._serve("PATCH")

        def _serve(self, verb: str) -> None:
            url = urlsplit(self.path)
            query = parse_qs(url.query)
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            if url.path == "/token":
                return self._token(raw)
            if url.path.endswith("/allowedLocations"):  # google-auth's regional boundary lookup
                fake.auth_calls["allowedLocations"] += 1
                return self._send(200, {"locations": [], "encodedLocations": "0x0"})
            # A media upload goes to its own path (the method's `mediaUpload` in the discovery
            # document): metadata and content in one multipart/related body.
            upload = url.path.startswith("/upload/")
            method = (discovery.find_upload if upload else discovery.find)(verb, url.path)
            if method is None:
                fake.violations.append(f"{verb} {url.path}: no such method in the API")
                return self._send(404, {"error": {"code": 404, "message": "Not found"}})
            fake.calls[method.name] += 1
            fake.log.append((method.name, len(raw)))
            self.served = Served(
                method.name, self.client_address, _about(url.path), time.monotonic(), len(raw)
            )
            fake.trace.append(self.served)
            fake.violations += discovery.check_query(method, query)
            fake.media = None
            if upload:
                try:
                    body, fake.media = _multipart(self.headers.get("Content-Type", ""), raw)
                except ValueError as exc:
                    fake.violations.append(f"{method.name}: {exc}")
                    return self._send(400, ApiError(400, str(exc)).body())
                media_type = fake.media[0] if fake.media else ""
                size = len(fake.media[1]) if fake.media else 0
                fake.violations += discovery.check_upload(method, query, media_type, size)
            else:
                body = json.loads(raw) if raw else None
            if method.request and body is not None:
                fake.violations += discovery.check_body(method.api, method.request, body)
            token = self.headers.get("Authorization", "").removeprefix("Bearer ")
            if token not in fake.tokens:
                return self._send(
                    401,
                    {
                        "error": {
                            "code": 401,
                            "message": "Invalid Credentials",
                            "status": "UNAUTHENTICATED",
                        }
                    },
                )
            if fake.delays[method.name]:
                time.sleep(fake.delays[method.name].pop(0))
            broken = next((s for k, s in fake.broken.items() if k in url.path), None)
            if broken:
                return self._send(broken, {"error": {"code": broken, "message": "fault"}})
            if fake.faults[method.name]:
                status = fake.faults[method.name].pop(0)
                if status is not None and status < 0:  # Drive's rate limit, as a 403
                    reason = getattr(fake, "rate_reason", "userRateLimitExceeded")
                    return self._send(
                        -status, ApiError(-status, "Rate Limit Exceeded", reason).body()
                    )
                if status is not None:
                    return self._send(
                        status,
                        {
                            "error": {
                                "code": status,
                                "message": "fault",
                                "status": "RESOURCE_EXHAUSTED",
                            }
                        },
                    )
            if len(raw) > MAX_PAYLOAD:
                return self._send(
                    413, ApiError(413, "Request payload size exceeds the limit").body()
                )
            try:
                with fake.lock:
                    fake.caller = fake.accounts.get(token, "")
                    answer = ROUTES[method.name](fake, url.path, query, body)
                    if fake.after[method.name]:
                        fake.after[method.name].pop(0)()
            except ApiError as exc:
                return self._send(exc.status, exc.body())
            if fake.late[method.name]:
                outcome = fake.late[method.name].pop(0)
                if isinstance(outcome, float):
                    time.sleep(outcome)  # applied; the client has given up by now
                else:
                    return self._send(outcome, {"error": {"code": outcome, "message": "fault"}})
            if method.response:
                fake.violations += discovery.check_body(method.api, method.response, answer)
            mask = query.get("fields", [""])[0]
            self._send(200, apply_fields(answer, parse_fields(mask)) if mask else answer)

        def _token(self, raw: bytes) -> None:
            form = parse_qs(raw.decode())
            fake.auth_calls["token"] += 1
            assertion = form.get("assertion", [""])[0]
            if (
                form.get("grant_type") != ["urn:ietf:params:oauth:grant-type:jwt-bearer"]
                or assertion.count(".") != 2
            ):
                return self._send(400, {"error": "invalid_grant"})
            claims = json.loads(base64.urlsafe_b64decode(assertion.split(".")[1] + "=="))
            # google-auth signs for Google's own token audience, whatever the token_uri
            if (
                not claims.get("scope")
                or claims.get("aud") != "https://oauth2.googleapis.com/token"
            ):
                return self._send(400, {"error": "invalid_scope"})
            fake.scopes = claims["scope"].split()
            token = f"tok-{len(fake.tokens) + 1}"
            fake.tokens.add(token)
            fake.accounts[token] = claims.get("iss", "")
            self._send(200, {"access_token": token, "expires_in": 3600, "token_type": "Bearer"})

        def _send(self, status: int, payload: Any) -> None:
            if self.served is not None:
                self.served.answered = time.monotonic()
                self.served = None
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=UTF-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    return Handler


def _about(path: str) -> str:
    """The spreadsheet or file a request is about ("" for a listing)."""
    if path.startswith("/v4/spreadsheets/"):
        return _key(path)
    return path.removeprefix("/upload").removeprefix("/drive/v3/files").strip("/").split("/")[0]


def _multipart(content_type: str, raw: bytes) -> tuple[Any, tuple[str, bytes] | None]:
    """A multipart upload's metadata (JSON, the first part) and content (type, bytes): Drive's
    "multipart/related" body of exactly two parts (drive/api/guides/manage-uploads)."""
    from email import message_from_bytes
    from email.policy import HTTP

    if not content_type.startswith("multipart/related"):
        raise ValueError(f"a multipart upload sent as {content_type!r}")
    message = message_from_bytes(
        f"Content-Type: {content_type}\r\n\r\n".encode() + raw, policy=HTTP
    )
    parts = list(message.iter_parts())
    if len(parts) != 2 or parts[0].get_content_type() != "application/json":
        raise ValueError("a multipart upload is JSON metadata then the content")
    metadata = json.loads(parts[0].get_payload(decode=True) or b"{}")
    content = parts[1].get_payload(decode=True) or b""
    return metadata, (parts[1].get_content_type(), content)


def _key(path: str) -> str:
    return re.split(r"[/:]", path.removeprefix("/v4/spreadsheets/"))[0]


def _file(fake: FakeGoogle, path: str) -> Spreadsheet:
    key = _key(path)
    if key not in fake.files:
        raise ApiError(404, f"Requested entity was not found: {key}")
    return fake.files[key]


def _sheet_json(sheet: Sheet, index: int, grid: bool) -> dict[str, Any]:
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
        result["data"] = [{"startRow": 0, "startColumn": 0, "rowData": row_data}]
    return result


def get_spreadsheet(
    fake: FakeGoogle, path: str, query: dict[str, list[str]], body: Any
) -> dict[str, Any]:
    spreadsheet = _file(fake, path)
    grid = query.get("includeGridData", ["false"])[0] == "true"
    return {
        "spreadsheetId": spreadsheet.key,
        "properties": {
            "title": spreadsheet.title,
            "locale": spreadsheet.locale,
            "timeZone": spreadsheet.time_zone,
        },
        "sheets": [_sheet_json(s, i, grid) for i, s in enumerate(spreadsheet.sheets)],
        "spreadsheetUrl": f"https://docs.google.com/spreadsheets/d/{spreadsheet.key}/edit",
    }


def batch_get(
    fake: FakeGoogle, path: str, query: dict[str, list[str]], body: Any
) -> dict[str, Any]:
    spreadsheet = _file(fake, path)
    render = query.get("valueRenderOption", ["FORMATTED_VALUE"])[0]
    ranges = []
    for a1 in query.get("ranges", []):
        sheet = spreadsheet.by_title(_a1_tab(a1))
        ranges.append(
            {"range": a1, "majorDimension": "ROWS", "values": _grid_values(sheet, render)}
        )
    return {"spreadsheetId": spreadsheet.key, "valueRanges": ranges}


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


def _update_cells(spreadsheet: Spreadsheet, request: dict[str, Any]) -> None:
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
        sheet, top, left = (
            spreadsheet.sheet(start.get("sheetId", 0)),
            start.get("rowIndex", 0),
            start.get("columnIndex", 0),
        )
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


def batch_update(
    fake: FakeGoogle, path: str, query: dict[str, list[str]], body: Any
) -> dict[str, Any]:
    original = _file(fake, path)
    spreadsheet = copy.deepcopy(original)  # all requests apply, or none
    replies: list[dict[str, Any]] = []
    for request in body.get("requests", []):
        ((kind, args),) = request.items()
        if kind == "addSheet":
            props = args.get("properties", {})
            if spreadsheet.titled(props.get("title", "")):
                raise duplicate_title(props["title"])
            sheet_id = props.get(
                "sheetId", 1 + max((s.sheet_id for s in spreadsheet.sheets), default=0)
            )
            grid = props.get("gridProperties", {})
            sheet = Sheet(
                sheet_id,
                props.get("title", f"Sheet{sheet_id}"),
                frozen_rows=grid.get("frozenRowCount", 0),
                rows=grid.get("rowCount", DEFAULT_ROWS),
                cols=grid.get("columnCount", DEFAULT_COLS),
            )
            spreadsheet.sheets.insert(props.get("index", len(spreadsheet.sheets)), sheet)
            replies.append(
                {"addSheet": {"properties": {"sheetId": sheet_id, "title": sheet.title}}}
            )
        elif kind == "deleteSheet":
            spreadsheet.sheets.remove(spreadsheet.sheet(args["sheetId"]))
            replies.append({})
        elif kind == "updateSheetProperties":
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
            replies.append({})
        elif kind == "updateCells":
            _update_cells(spreadsheet, args)
            replies.append({})
        elif kind == "addProtectedRange":
            protected = copy.deepcopy(args["protectedRange"])
            protected["protectedRangeId"] = 100 + sum(len(s.protected) for s in spreadsheet.sheets)
            # The spreadsheet's owner can always edit a protected range: Google adds the owner
            # to its editors (support.google.com/docs/answer/1218656, "the owner ... can
            # always edit"; what made the issue's 'ours only if editors are exactly us' fail).
            users = protected.setdefault("editors", {}).setdefault("users", [])
            if spreadsheet.owner and spreadsheet.owner not in users:
                users.append(spreadsheet.owner)
            spreadsheet.sheet(protected["range"]["sheetId"]).protected.append(protected)
            replies.append({"addProtectedRange": {"protectedRange": protected}})
        elif kind == "setDataValidation":
            sheet, top, left, bottom, right = _grid_range(spreadsheet, args["range"])
            sheet.check(bottom or 0, right or 0)
            sheet.validations.append((top, left, bottom, right, copy.deepcopy(args["rule"])))
            if args["rule"]["condition"]["type"] == "BOOLEAN":
                # An unchecked checkbox holds FALSE ("Checked: TRUE, unchecked: FALSE",
                # support.google.com/docs/answer/7684717): every empty cell of the range.
                for r in range(top, bottom or sheet.rows):
                    for c in range(left, right or sheet.cols):
                        if "userEnteredValue" not in sheet.cells.get((r, c), {}):
                            sheet.cells.setdefault((r, c), {})["userEnteredValue"] = {
                                "boolValue": False
                            }
            replies.append({})
        elif kind == "repeatCell":
            sheet, top, left, bottom, right = _grid_range(spreadsheet, args["range"])
            sheet.check(bottom or 0, right or 0)
            sheet.formats.append(
                (top, left, bottom, right, copy.deepcopy(args["cell"]), args["fields"])
            )
            replies.append({})
        elif kind == "updateDimensionProperties":
            sheet, *_ = _grid_range(spreadsheet, {"sheetId": args["range"]["sheetId"]})
            for index in range(args["range"]["startIndex"], args["range"]["endIndex"]):
                sheet.widths[index] = args["properties"]["pixelSize"]
            replies.append({})
        elif kind == "addChart":
            chart = copy.deepcopy(args["chart"])
            chart["chartId"] = 500 + sum(len(s.charts) for s in spreadsheet.sheets)
            anchor = chart["position"]["overlayPosition"]["anchorCell"]["sheetId"]
            spreadsheet.sheet(anchor).charts.append(chart)
            replies.append({"addChart": {"chart": chart}})
        elif kind == "updateSpreadsheetProperties":
            fields = args["fields"].split(",")
            if "locale" in fields:
                spreadsheet.locale = args["properties"]["locale"]
            if "timeZone" in fields:
                spreadsheet.time_zone = args["properties"]["timeZone"]
            replies.append({})
        elif kind == "appendDimension":
            sheet = spreadsheet.sheet(args["sheetId"])
            if args["dimension"] == "ROWS":
                sheet.rows += args["length"]
            else:
                sheet.cols += args["length"]
            replies.append({})
        elif kind == "deleteProtectedRange":
            for sheet in spreadsheet.sheets:
                sheet.protected = [
                    p for p in sheet.protected if p["protectedRangeId"] != args["protectedRangeId"]
                ]
            replies.append({})
        else:
            raise ApiError(400, f"the test server does not implement {kind}")
    fake.files[original.key] = spreadsheet
    fake.touch(spreadsheet, fake.caller)
    return {"spreadsheetId": spreadsheet.key, "replies": replies}


def create_file(
    fake: FakeGoogle, path: str, query: dict[str, list[str]], body: Any
) -> dict[str, Any]:
    media = fake.media
    if body.get("mimeType") != SPREADSHEET_MIME and media is None:
        raise ApiError(400, "the test server creates spreadsheets and uploads only")
    parents = list(body.get("parents", []))
    all_drives = query.get("supportsAllDrives", ["false"])[0].lower() == "true"
    for folder in parents:
        if folder in fake.shared_drives and not all_drives:
            # without supportsAllDrives a shared drive's folders are not seen at all
            raise ApiError(404, f"File not found: {folder}.", "notFound")
    if not any(folder in fake.shared_drives for folder in parents):
        # "Service accounts don't have storage quota and can't own any files ... they must
        # upload files and folders into shared drives" (developers.google.com/workspace/drive/
        # api/guides/about-shareddrives); Drive answers 403 storageQuotaExceeded.
        raise ApiError(
            403,
            "Service Accounts do not have storage quota. Leverage shared drives "
            "(https://developers.google.com/workspace/drive/api/guides/about-shareddrives), "
            "or use OAuth delegation (http://support.google.com/a/answer/7281227) instead.",
            "storageQuotaExceeded",
        )
    key = fake.new_id()
    spreadsheet = Spreadsheet(
        key,
        body["name"],
        [] if media else [Sheet(0, "Sheet1")],
        parents,
        locale=SERVICE_LOCALE[0],
        time_zone=SERVICE_LOCALE[1],
        properties=dict(body.get("appProperties", {})),
    )
    if media:  # Drive keeps the metadata's mimeType, else the content's
        spreadsheet.mime = body.get("mimeType") or media[0]
        spreadsheet.content = media[1]
    fake.touch(spreadsheet, fake.caller)
    fake.files[key] = spreadsheet
    return {
        "kind": "drive#file",
        "id": key,
        "name": spreadsheet.title,
        "mimeType": spreadsheet.mime,
    }


def update_file(
    fake: FakeGoogle, path: str, query: dict[str, list[str]], body: Any
) -> dict[str, Any]:
    """files.update: new content for an uploaded file (its metadata's name, if given)."""
    key = path.removeprefix("/upload").removeprefix("/drive/v3/files/").split("/")[0]
    if key not in fake.files:
        raise ApiError(404, f"File not found: {key}.", "notFound")
    found = fake.files[key]
    if body and body.get("name"):
        found.title = body["name"]
    if fake.media:
        if found.mime == SPREADSHEET_MIME:
            raise ApiError(400, "the test server replaces the content of uploaded files only")
        found.content = fake.media[1]
    fake.touch(found, fake.caller)
    return {"kind": "drive#file", "id": key, "name": found.title, "mimeType": found.mime}


def create_permission(
    fake: FakeGoogle, path: str, query: dict[str, list[str]], body: Any
) -> dict[str, Any]:
    key = path.removeprefix("/drive/v3/files/").split("/")[0]
    if key not in fake.files:
        raise ApiError(404, f"File not found: {key}")
    fake.files[key].shared.append(body)
    return {
        "kind": "drive#permission",
        "id": f"p{len(fake.files[key].shared)}",
        "type": body["type"],
        "role": body["role"],
    }


def list_permissions(
    fake: FakeGoogle, path: str, query: dict[str, list[str]], body: Any
) -> dict[str, Any]:
    key = path.removeprefix("/drive/v3/files/").split("/")[0]
    if key not in fake.files:
        raise ApiError(404, f"File not found: {key}", "notFound")
    return {
        "kind": "drive#permissionList",
        "permissions": [
            {
                "kind": "drive#permission",
                "id": f"p{i}",
                "type": p["type"],
                "role": p["role"],
                "emailAddress": p.get("emailAddress", ""),
            }
            for i, p in enumerate(fake.files[key].shared, start=1)
        ],
    }


def list_files(
    fake: FakeGoogle, path: str, query: dict[str, list[str]], body: Any
) -> dict[str, Any]:
    q = query.get("q", [""])[0]
    # "and" joins conditions, except inside appProperties has { key=... and value=... }
    conditions = [c.strip() for c in re.split(r"\band\b(?![^{]*\})", q) if c.strip()]
    files = list(fake.files.values())
    all_drives = all(
        query.get(p, ["false"])[0].lower() == "true"
        for p in ("supportsAllDrives", "includeItemsFromAllDrives")
    )
    if not all_drives:  # items in shared drives are left out unless both are asked for
        files = [f for f in files if not any(p in fake.shared_drives for p in f.parents)]
    for condition in conditions:
        # Drive's form is 'FOLDER' in parents; gspread writes parents in "FOLDER"
        parent = r"""['"](.+)['"] in parents|parents in ['"](.+)['"]"""
        if m := re.fullmatch(parent, condition):
            folder = m.group(1) or m.group(2)
            files = [f for f in files if folder in f.parents]
        elif m := re.fullmatch(r"""mimeType\s*=\s*['"](.+)['"]""", condition):
            files = [f for f in files if f.mime == m.group(1)]
        elif m := re.fullmatch(r"""name\s*=\s*['"](.+)['"]""", condition):
            files = [f for f in files if f.title == m.group(1)]
        elif m := re.fullmatch(
            r"""appProperties\s+has\s+\{\s*key\s*=\s*'(.+)'\s+and\s+value\s*=\s*'(.+)'\s*\}""",
            condition,
        ):
            files = [f for f in files if f.properties.get(m.group(1)) == m.group(2)]
        elif condition.replace(" ", "") == "trashed=false":
            pass
        else:
            fake.violations.append(f"files.list: the test server cannot read q={condition!r}")
    size = int(query.get("pageSize", ["100"])[0])
    start = int(query.get("pageToken", ["0"])[0] or 0)
    page = files[start : start + size]
    answer: dict[str, Any] = {
        "kind": "drive#fileList",
        "files": [
            {
                "kind": "drive#file",
                "id": f.key,
                "name": f.title,
                "mimeType": f.mime,
                "modifiedTime": f.modified,
                "createdTime": f.modified,
            }
            for f in page
        ],
    }
    if start + size < len(files):
        answer["nextPageToken"] = str(start + size)
    return answer


def list_revisions(
    fake: FakeGoogle, path: str, query: dict[str, list[str]], body: Any
) -> dict[str, Any]:
    """A file's revisions, oldest first, each with the user who made it last (Drive v3
    discovery: RevisionList.revisions, Revision.lastModifyingUser "The last user to modify this
    revision", User.me "Whether this user is the requesting user"; pageSize defaults to 200).
    Google lists only the newer revisions of a busy sheet (googleapis/google-api-python-client
    issue 1744): what matters is the last one. lastModifyingUser is absent unless asked for in
    `fields`, as every field beyond id/kind/mimeType/modifiedTime (same issue)."""
    key = path.removeprefix("/drive/v3/files/").split("/")[0]
    if key not in fake.files:
        raise ApiError(404, f"File not found: {key}.", "notFound")
    size = int(query.get("pageSize", ["200"])[0])
    start = int(query.get("pageToken", ["0"])[0] or 0)
    revisions = fake.files[key].revisions
    answer: dict[str, Any] = {
        "kind": "drive#revisionList",
        "revisions": [
            {
                "kind": "drive#revision",
                "id": str(start + i + 1),
                "mimeType": SPREADSHEET_MIME,
                "modifiedTime": when,
                "lastModifyingUser": {
                    "kind": "drive#user",
                    "displayName": who.split("@")[0],
                    "emailAddress": who,
                    "me": who == fake.caller,
                },
            }
            for i, (when, who) in enumerate(revisions[start : start + size])
        ],
    }
    if start + size < len(revisions):
        answer["nextPageToken"] = str(start + size)
    if "fields" not in query:  # the default answer leaves lastModifyingUser out
        for revision in answer["revisions"]:
            del revision["lastModifyingUser"]
    return answer


def values_get(
    fake: FakeGoogle, path: str, query: dict[str, list[str]], body: Any
) -> dict[str, Any]:
    spreadsheet = _file(fake, path)
    a1 = unquote(path.rsplit("/values/", 1)[1])
    render = query.get("valueRenderOption", ["FORMATTED_VALUE"])[0]
    return {
        "range": a1,
        "majorDimension": "ROWS",
        "values": _grid_values(spreadsheet.by_title(_a1_tab(a1)), render),
    }


def _entered(value: Any, option: str, locale: str) -> dict[str, Any]:
    """A value as values.update stores it: RAW as given; USER_ENTERED as if typed."""
    if option == "USER_ENTERED" and isinstance(value, str):
        return typed(value, locale)
    return {"userEnteredValue": _value(value)}


def values_update(
    fake: FakeGoogle, path: str, query: dict[str, list[str]], body: Any
) -> dict[str, Any]:
    spreadsheet = _file(fake, path)
    a1 = unquote(path.rsplit("/values/", 1)[1])
    option = query.get("valueInputOption", ["RAW"])[0]
    sheet = spreadsheet.by_title(_a1_tab(a1))
    start = a1.rsplit("!", 1)[1].split(":")[0] if "!" in a1 else "A1"
    letters = "".join(ch for ch in start if ch.isalpha())
    col = sum((ord(ch) - 64) * 26**i for i, ch in enumerate(reversed(letters.upper()))) - 1
    top = int(start[len(letters) :] or 1) - 1
    values = body.get("values", [])
    sheet.check(top + len(values), col + max((len(r) for r in values), default=0))
    for i, row in enumerate(values):
        for j, value in enumerate(row):
            sheet.cells[top + i, col + j] = _entered(value, option, spreadsheet.locale)
    fake.touch(spreadsheet, fake.caller)
    return {
        "spreadsheetId": spreadsheet.key,
        "updatedRange": a1,
        "updatedCells": sum(len(r) for r in body.get("values", [])),
    }


def routed_session(fake: FakeGoogle) -> Callable[[Any], requests.Session]:
    """A session factory for the backend: google-auth's real session, its Google hosts routed
    to the test server by a transport adapter (gspread itself has no base-URL setting)."""
    from google.auth.transport.requests import AuthorizedSession, Request

    class ToTestServer(requests.adapters.HTTPAdapter):
        def send(self, request: Any, *args: Any, **kwargs: Any) -> Any:
            parts = urlsplit(request.url)
            request.url = f"{fake.url}{parts.path}" + (f"?{parts.query}" if parts.query else "")
            return super().send(request, *args, **kwargs)

    def session(credentials: Any) -> requests.Session:
        # google-auth's own requests (the token, and the regional access boundary lookup it
        # starts after each refresh) go through the auth request's session: routed as well.
        auth_session = requests.Session()
        auth_session.mount("https://iamcredentials.googleapis.com/", ToTestServer())
        authorized = AuthorizedSession(credentials, auth_request=Request(session=auth_session))
        for prefix in ("https://sheets.googleapis.com/", "https://www.googleapis.com/"):
            authorized.mount(prefix, ToTestServer())
        return authorized

    return session


def service_account_key(fake: FakeGoogle, private_key: str, email: str) -> dict[str, str]:
    """A service account's key whose token exchange goes to the test server."""
    return {
        "type": "service_account",
        "project_id": "mohinh-thu",
        "private_key_id": "k1",
        "private_key": private_key,
        "client_email": email,
        "client_id": "1",
        "token_uri": f"{fake.url}/token",
    }


def new_private_key() -> str:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


ROUTES = {
    "spreadsheets.values.update": values_update,
    "files.create": create_file,
    "files.update": update_file,
    "permissions.create": create_permission,
    "permissions.list": list_permissions,
    "spreadsheets.values.get": values_get,
    "spreadsheets.get": get_spreadsheet,
    "spreadsheets.values.batchGet": batch_get,
    "spreadsheets.batchUpdate": batch_update,
    "files.list": list_files,
    "revisions.list": list_revisions,
}
