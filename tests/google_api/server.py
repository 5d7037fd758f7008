"""An in-process Sheets v4 + Drive v3 server on loopback, for the Google backend's tests.

It implements what the backend uses (`sheets.py`, `drive.py`), keeps spreadsheets and folders in
memory (`model.py`), issues OAuth tokens for google-auth's real JWT flow, enforces Google's
per-minute quotas (`quota.py`), counts calls per API method, answers faults as Google words them
on demand, and checks every request and response against the official API descriptions
(`discovery.py`): `violations` must stay empty. Each rule it holds the worker to is in
`strict.py` with its evidence.
"""

from __future__ import annotations

import base64
import itertools
import json
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import requests

from tests.google_api import discovery, drive, sheets
from tests.google_api.model import (
    OWNER,
    Folder,
    Revision,
    Sheet,
    Spreadsheet,
    apply_fields,
    cell_of,
    grid_values,
    parse_fields,
)
from tests.google_api.quota import Quotas, VirtualClock
from tests.google_api.strict import (
    MAX_PAYLOAD,
    MERGE_WINDOW,
    PERSON_LOCALE,
    ApiError,
    quota_exceeded,
    server_error,
    typed,
)

__all__ = ["OWNER", "FakeGoogle", "Folder", "VirtualClock", "routed_session"]


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


# Drive's File.version grows by steps a client cannot predict: recorded in burnash/gspread
# tests/cassettes/ClientTest.test_import_csv.json, a file created and then given content once
# reads "version": "5".
VERSION_STEPS = (1, 3, 2, 4)


class FakeGoogle:
    """The state of the fake Google: spreadsheets, Drive folders, tokens, counters, faults."""

    def __init__(self, clock: VirtualClock | None = None) -> None:
        """`clock`: the time its quotas count in (real time without one)."""
        self.clock = clock
        self.files: dict[str, Spreadsheet] = {}
        self.folders: dict[str, Folder] = {}
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
        self.log: list[tuple[str, int]] = []  # (API method, request body bytes), in order
        # Each request as served, in order of arrival: what a quota replay needs (bench).
        self.trace: list[Served] = []
        self.accounts: dict[str, str] = {}  # token -> the service account it was issued to
        self.caller = ""  # who sends the request being served (routes run under the lock)
        # What a person does right after a request is applied, before its answer goes back:
        # (the file it must be about, or "" for any; the action).
        self.after: dict[str, list[tuple[str, Callable[[], None]]]] = defaultdict(list)
        self.quotas = Quotas(clock.now if clock else time.monotonic)
        self.rate_reason = "userRateLimitExceeded"
        self.lock = threading.RLock()
        self._drive_time = datetime(2026, 1, 1, tzinfo=UTC)  # Drive's modifiedTime
        self._ids = 0
        self._steps = itertools.cycle(VERSION_STEPS)
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

    # What tests do by hand, as a person in a browser (or Drive's web page) would.
    def new_id(self, prefix: str = "ss") -> str:
        self._ids += 1
        return f"{prefix}{self._ids:04d}AbCdEfGhIjKlMnOpQrStUvWxYz"

    def add_folder(self, key: str, name: str, drive: str = "", role: str = "fileOrganizer") -> None:
        """A Drive folder; `drive`: the shared drive it is in ("" for a person's My Drive);
        `role`: the service account's role there."""
        self.folders[key] = Folder(key, name, drive, role)

    def in_shared_drive(self, folder: str) -> bool:
        return folder in self.folders and bool(self.folders[folder].drive)

    def touch(self, spreadsheet: Spreadsheet, by: str = OWNER) -> None:
        """A change to the file by `by` ("" for no signed-in user): a new modifiedTime and
        version, and a revision, merged into the previous one when within MERGE_WINDOW."""
        self._drive_time += timedelta(seconds=1)
        spreadsheet.modified = self._drive_time.isoformat().replace("+00:00", ".000Z")
        spreadsheet.version += next(self._steps)
        spreadsheet.last_user = by
        last = spreadsheet.revisions[-1] if spreadsheet.revisions else None
        if last is not None and _seconds(spreadsheet.modified, last.modified) < MERGE_WINDOW:
            last.modified, last.by = spreadsheet.modified, by
        else:
            spreadsheet.revisions.append(Revision(spreadsheet.modified, by))

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

    def edit(self, key: str, tab: str, row: int, col: int, value: Any, by: str = OWNER) -> None:
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
            self.touch(spreadsheet, by)

    def trash(self, key: str) -> None:
        """Someone moves the file to Drive's trash."""
        self.files[key].trashed = True

    def delete(self, key: str) -> None:
        """Someone deletes the file for good (or empties the trash)."""
        del self.files[key]

    def values(self, key: str, tab: str, render: str = "UNFORMATTED_VALUE") -> list[list[Any]]:
        return grid_values(self.files[key].by_title(tab), render)

    def slow(self, method: str, *seconds: float) -> None:
        """The next calls of `method` answer after these many seconds, in order."""
        self.delays[method].extend(seconds)

    def fail(self, method: str, *statuses: int | None) -> None:
        """The next calls of `method` answer these HTTP statuses, in order (None: normally),
        each with the body Google gives it (a 429 its quota body, a 5xx strict.server_error)."""
        self.faults[method].extend(statuses)

    def fail_after(self, method: str, *outcomes: int | float) -> None:
        """The next calls of `method` are applied, then answer an HTTP status (an int) or
        answer only after these many seconds (a float): a late answer the client gave up on."""
        self.late[method].extend(outcomes)

    def then(self, method: str, action: Callable[[], None], about: str = "") -> None:
        """Once the next call of `method` (about the file `about`, when given) is applied,
        `action` runs (a person editing in the browser) before the answer goes back."""
        self.after[method].append((about, action))

    def rate_limit(self, method: str, times: int, reason: str = "userRateLimitExceeded") -> None:
        """Drive's rate limit: 403 with reason userRateLimitExceeded or rateLimitExceeded
        (developers.google.com/drive/api/guides/limits: "you'll receive a 403: User rate
        limit exceeded"; /drive/api/guides/handle-errors lists both reasons as 403)."""
        self.faults[method].extend([-403] * times)
        self.rate_reason = reason

    def fault(self, method: str, status: int) -> ApiError:
        """The answer of a fault set by `fail` or `rate_limit`, as Google gives it."""
        is_drive = method.split(".")[0] in ("files", "permissions", "revisions")
        if status == -403:
            return ApiError(403, "Rate Limit Exceeded", self.rate_reason)
        if status == 429 and not is_drive:
            return quota_exceeded(
                "read" if method.lower().endswith("get") else "write", "user", "1"
            )
        if status == 429:
            return ApiError(429, "Rate Limit Exceeded", "rateLimitExceeded")
        if status >= 500:
            return server_error(status, is_drive)
        return ApiError(status, "fault")

    def project(self, account: str) -> str:
        """The Cloud project a service account belongs to: its address's domain says it."""
        return account.partition("@")[2].split(".")[0] or "?"

    def run_after(self, method: str, about: str) -> None:
        for i, (target, action) in enumerate(self.after[method]):
            if not target or target == about:
                del self.after[method][i]
                action()
                return


def _seconds(later: str, earlier: str) -> float:
    parse = lambda s: datetime.fromisoformat(s.replace("Z", "+00:00"))  # noqa: E731
    return (parse(later) - parse(earlier)).total_seconds()


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
            body = self._checked(method, query, raw, upload)
            if body is _REFUSED:
                return None
            token = self.headers.get("Authorization", "").removeprefix("Bearer ")
            if token not in fake.tokens:
                unauthenticated = ApiError(401, "Invalid Credentials", name="UNAUTHENTICATED")
                return self._send(401, unauthenticated.body())
            try:
                self._admit(method, url.path, fake.accounts.get(token, ""))
                answer = self._route(method, url.path, query, body, fake.accounts.get(token, ""))
            except ApiError as exc:
                return self._send(exc.status, exc.body(), exc.retry_after)
            if fake.late[method.name]:
                outcome = fake.late[method.name].pop(0)
                if isinstance(outcome, float):
                    time.sleep(outcome)  # applied; the client has given up by now
                else:
                    return self._send(outcome, fake.fault(method.name, outcome).body())
            if method.response:
                fake.violations += discovery.check_body(method.api, method.response, answer)
            mask = query.get("fields", [""])[0]
            self._send(200, apply_fields(answer, parse_fields(mask)) if mask else answer)

        def _checked(
            self, method: discovery.Method, query: dict[str, list[str]], raw: bytes, upload: bool
        ) -> Any:
            """The request counted, traced and checked against the API description; its body."""
            fake.calls[method.name] += 1
            fake.log.append((method.name, len(raw)))
            self.served = Served(
                method.name, self.client_address, _about(self.path), time.monotonic(), len(raw)
            )
            fake.trace.append(self.served)
            fake.violations += discovery.check_query(method, query)
            fake.media = None
            if upload:
                try:
                    body, fake.media = drive.multipart(self.headers.get("Content-Type", ""), raw)
                except ValueError as exc:
                    fake.violations.append(f"{method.name}: {exc}")
                    self._send(400, ApiError(400, str(exc)).body())
                    return _REFUSED
                media_type = fake.media[0] if fake.media else ""
                size = len(fake.media[1]) if fake.media else 0
                fake.violations += discovery.check_upload(method, query, media_type, size)
            else:
                body = json.loads(raw) if raw else None
            if method.request and body is not None:
                fake.violations += discovery.check_body(method.api, method.request, body)
            return body

        def _admit(self, method: discovery.Method, path: str, account: str) -> None:
            """What Google checks before doing anything: the quota, the faults set by a test,
            the size of the request; raises the answer when refused."""
            kind = "query" if method.api == "drive.v3" else "write"
            if method.api == "sheets.v4" and method.http == "GET":
                kind = "read"
            api = "drive" if method.api == "drive.v3" else "sheets"
            fake.quotas.check(api, kind, account, fake.project(account))
            if fake.delays[method.name]:
                time.sleep(fake.delays[method.name].pop(0))
            broken = next((s for k, s in fake.broken.items() if k in path), None)
            if broken:
                raise ApiError(broken, "fault") if broken < 500 else server_error(broken, False)
            if fake.faults[method.name]:
                status = fake.faults[method.name].pop(0)
                if status is not None:
                    raise fake.fault(method.name, status)
            if int(self.headers.get("Content-Length") or 0) > MAX_PAYLOAD:
                raise ApiError(413, "Request payload size exceeds the limit")

        def _route(
            self, method: discovery.Method, path: str, query: Any, body: Any, account: str
        ) -> Any:
            with fake.lock:
                fake.caller = account
                answer = ROUTES[method.name](fake, path, query, body)
                fake.run_after(method.name, _about(path))
            return answer

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

        def _send(self, status: int, payload: Any, retry_after: float | None = None) -> None:
            if self.served is not None:
                self.served.answered = time.monotonic()
                self.served = None
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=UTF-8")
            self.send_header("Content-Length", str(len(data)))
            if retry_after is not None:
                self.send_header("Retry-After", str(int(retry_after)))
            self.end_headers()
            self.wfile.write(data)

    return Handler


_REFUSED = object()  # a request answered while being checked


def _about(path: str) -> str:
    """The spreadsheet or file a request is about ("" for a listing)."""
    path = urlsplit(path).path
    if path.startswith("/v4/spreadsheets/"):
        return sheets.key_of(path)
    return drive.file_key(path)


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


ROUTES: dict[str, Callable[[FakeGoogle, str, Any, Any], Any]] = {
    "spreadsheets.values.update": sheets.values_update,
    "spreadsheets.values.get": sheets.values_get,
    "spreadsheets.get": sheets.get_spreadsheet,
    "spreadsheets.values.batchGet": sheets.batch_get,
    "spreadsheets.batchUpdate": sheets.batch_update,
    "files.create": drive.create_file,
    "files.update": drive.update_file,
    "files.get": drive.get_file,
    "files.list": drive.list_files,
    "revisions.list": drive.list_revisions,
    "permissions.create": drive.create_permission,
    "permissions.list": drive.list_permissions,
}
