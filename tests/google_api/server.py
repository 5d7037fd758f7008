"""An in-process Sheets v4 + Drive v3 server on loopback, for the Google backend's tests.

It implements what the backend uses (`sheets.py`, `drive.py`), keeps spreadsheets and folders in
memory (`model.py`), issues OAuth tokens for google-auth's real JWT flow, enforces Google's
per-minute quotas (`quota.py`), counts calls per API method, answers faults as Google words them
on demand, and checks every request and response against the official API descriptions
(`discovery.py`): `violations` must stay empty. Each rule it holds the worker to is in
`strict.py` with its evidence.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import requests

from tests.google_api.handler import Handler, Served, Server
from tests.google_api.model import (
    OWNER,
    Folder,
    Revision,
    Sheet,
    Spreadsheet,
    cell_of,
    grid_values,
)
from tests.google_api.quota import Quotas, VirtualClock
from tests.google_api.strict import (
    MERGE_WINDOW,
    PERSON_LOCALE,
    ApiError,
    quota_exceeded,
    server_error,
    typed,
)

__all__ = ["OWNER", "FakeGoogle", "Folder", "Served", "VirtualClock", "routed_session"]


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
        self.revoked: set[str] = set()  # service accounts whose key Google no longer takes
        self.lock = threading.RLock()
        self._drive_time = datetime(2026, 1, 1, tzinfo=UTC)  # Drive's modifiedTime
        self._ids = 0
        self._steps = itertools.cycle(VERSION_STEPS)
        self.server = Server(("127.0.0.1", 0), Handler)
        self.server.fake = self
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
