"""The Google backend: unit spreadsheets in Google Sheets, read and written through gspread.

Cost is counted in API requests (60 a minute per service account): a unit costs one request to
read (`spreadsheets.get` with its grid data, locale-free values), none when Drive says it has not
changed since the last good read, and one `batchUpdate` to write its protected Kết quả tab.
Only this module and `google_http` import gspread and google-auth; request bodies are built
by the pure `google_requests`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests
from google.auth.exceptions import RefreshError, TransportError
from google.auth.transport.requests import AuthorizedSession
from google.oauth2 import service_account
from gspread import Client
from gspread.exceptions import APIError
from gspread.http_client import HTTPClient

from worker import google_requests as requests_body
from worker.backend import Chart, Published, Report, SheetError
from worker.evaluate import Unit
from worker.failures import network_unreachable
from worker.google_cache import GoogleCache
from worker.google_http import Limiter, QuotaClient, transient
from worker.layout import load
from worker.results import Grid
from worker.settings import ConfigError, GoogleSettings
from worker.validation import Rows

SCOPES = (
    "https://www.googleapis.com/auth/spreadsheets",
    "https://www.googleapis.com/auth/drive.metadata.readonly",
)
DRIVE_FILES = "https://www.googleapis.com/drive/v3/files"
DRIVE_FILE = "https://www.googleapis.com/auth/drive.file"
# One request returns every tab: titles and IDs, protections, and each cell's value as the
# sheet computes it (numbers and serial dates whatever the sheet's locale; errors as errors).
META_FIELDS = "sheets(properties(sheetId,title),protectedRanges(protectedRangeId,editors))"
GRID_FIELDS = (
    "sheets(properties(sheetId,title),protectedRanges(protectedRangeId,editors),"
    "data(rowData(values(effectiveValue))))"
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
STAGING = " (mới)"  # the suffix of tabs being written, before they are swapped in
MAX_BATCH = 1_800_000  # bytes of one batchUpdate body, under the API's limit with room
SHEET_ID = re.compile(r"/spreadsheets/d/([A-Za-z0-9_-]{20,})|^([A-Za-z0-9_-]{20,})$")

# Tests route the client's requests to a local server by giving it a session of their own.
SessionFactory = Callable[[service_account.Credentials], requests.Session]
session_factory: SessionFactory = AuthorizedSession


def sheet_key(reference: str) -> str:
    """A spreadsheet's ID from its URL or the ID itself."""
    match = SHEET_ID.search(reference.strip())
    if not match:
        raise SheetError(f"'{reference}' không phải đường dẫn hay mã Google Sheets")
    return match.group(1) or match.group(2)


def _cell(value: dict[str, Any] | None) -> Any:
    if not value:
        return None
    if "errorValue" in value:
        return ERRORS.get(value["errorValue"].get("type", "ERROR"), "#ERROR!")
    return next(iter(value.values()))


@dataclass
class Sheet:
    """What one read told us of a spreadsheet besides its values."""

    ids: dict[str, int]  # tab title -> sheet ID
    protections: dict[int, list[dict[str, Any]]]


class Unreachable(SheetError):
    """Google did not answer (network down, timeouts, 429 or 5xx) after every attempt: for a
    unit, that unit's trouble; for the registry, the environment's."""


class GoogleBackend:
    def __init__(
        self,
        settings: GoogleSettings,
        cache: GoogleCache,
        staff: Sequence[str],
        local_copy: Callable[[Report], Path],
    ) -> None:
        """`local_copy` writes the report's .xlsx (attached to the email) and returns it."""
        self.settings = settings
        self.cache = cache
        self.staff = staff
        self.local_copy = local_copy
        # drive.file reaches only the files this worker creates: here the consolidated
        # spreadsheets; `provision` asks for it on its own client, when it runs.
        extra = [DRIVE_FILE] if settings.reports_folder else []
        try:
            info = json.loads(settings.key_file.read_text("utf-8"))
            credentials = service_account.Credentials.from_service_account_info(
                info, scopes=[*SCOPES, *extra]
            )
        except (OSError, ValueError, TypeError, AttributeError) as exc:
            raise ConfigError(
                f"Không đọc được khóa tài khoản dịch vụ [google] key_file = "
                f"'{settings.key_file}': {exc.__class__.__name__}"
            ) from None
        self.account = credentials.service_account_email
        self.token_uri = str(info["token_uri"])  # named when it cannot be reached
        self.credentials = credentials
        self.limiter = Limiter(settings.per_minute)  # one quota, whichever client asks
        self.client = Client(
            credentials,
            session=session_factory(credentials),
            http_client=QuotaClient.configured(settings, self.limiter),
        )
        self.http = self.client.http_client
        self.meta: dict[str, Sheet] = {}
        self.read: dict[str, dict[str, list[list[Any]]]] = {}  # this run's reads, by unit ID
        self.written: dict[str, list[list[Any]]] = {}  # what this run wrote, by unit ID
        self._versions: dict[str, str] | None = None

    def _fail(self, exc: Exception, key: str) -> SheetError:
        if isinstance(exc, TransportError) or (
            isinstance(exc, RefreshError) and getattr(exc, "retryable", False)
        ):
            # the token endpoint is out of reach: no request of this run can succeed
            raise network_unreachable(
                "máy chủ cấp quyền truy cập của Google", f"token_uri {self.token_uri}"
            ) from None
        if isinstance(exc, RefreshError):
            raise ConfigError(
                f"Không lấy được quyền truy cập Google bằng khóa [google] key_file "
                f"= '{self.settings.key_file.name}' của {self.account}: kiểm tra "
                "khóa còn hiệu lực và tài khoản dịch vụ còn được bật"
            ) from None
        if isinstance(exc, APIError) and exc.code == 403:
            return SheetError(
                f"tài khoản {self.account} chưa được chia sẻ bảng tính {key}: "
                "chia sẻ quyền Người chỉnh sửa cho địa chỉ này"
            )
        if isinstance(exc, APIError) and exc.code == 404:
            return SheetError(f"không tìm thấy bảng tính Google {key}")
        if isinstance(exc, APIError) and not transient(exc):
            return SheetError(
                f"Google Sheets từ chối yêu cầu với bảng tính {key} "
                f"({exc.code}: {exc.error.get('message', '')})"
            )
        return Unreachable(
            f"Google Sheets không trả lời được ({exc.__class__.__name__}) sau "
            f"{self.settings.attempts} lần thử; lần chạy sau sẽ thử lại"
        )

    def _read(self, key: str, grid: bool = True) -> dict[str, list[list[Any]]]:
        """Every tab's values (with `grid`), and always the tabs' IDs and protections."""
        params: dict[str, Any] = (
            {"includeGridData": "true", "fields": GRID_FIELDS} if grid else {"fields": META_FIELDS}
        )
        try:
            answer = self.http.fetch_sheet_metadata(key, params=params)
        except (APIError, requests.RequestException, RefreshError, TransportError) as exc:
            raise self._fail(exc, key) from None
        tabs, ids, protections = {}, {}, {}
        for sheet in answer.get("sheets", []):
            props = sheet["properties"]
            ids[props["title"]] = props["sheetId"]
            protections[props["sheetId"]] = sheet.get("protectedRanges", [])
            rows = sheet.get("data", [{}])[0].get("rowData", [])
            tabs[props["title"]] = [
                [_cell(c.get("effectiveValue")) for c in r.get("values", [])] for r in rows
            ]
        self.meta[key] = Sheet(ids, protections)
        return tabs

    def versions(self) -> dict[str, str]:
        """Drive's modifiedTime of every spreadsheet in the folder: one request a 1,000."""
        if self._versions is None:
            self._versions = {}
            if self.settings.folder:
                self._versions = self._list(self.settings.folder)
        return self._versions

    def _list(self, folder: str) -> dict[str, str]:
        found, token = {}, ""
        while True:
            params = {
                "q": f"'{folder}' in parents and mimeType="
                "'application/vnd.google-apps.spreadsheet' and trashed=false",
                "fields": "nextPageToken,files(id,modifiedTime)",
                "pageSize": 1000,
                "supportsAllDrives": True,
                "includeItemsFromAllDrives": True,
            }
            if token:
                params["pageToken"] = token
            try:
                page = self.http.request("get", DRIVE_FILES, params=params).json()  # type: ignore[arg-type]
            except (APIError, requests.RequestException):
                return {}  # without the listing every unit is read: slower, never wrong
            found.update({f["id"]: f["modifiedTime"] for f in page.get("files", [])})
            token = page.get("nextPageToken", "")
            if not token:
                return found

    def read_registry(self) -> Mapping[str, Rows]:
        try:
            return self._read(sheet_key(self.settings.registry))
        except Unreachable:
            raise network_unreachable(
                "Google Sheets để đọc danh mục đơn vị",
                f"[google] registry = '{self.settings.registry}'",
            ) from None
        except SheetError as exc:
            raise ConfigError(
                f"Không đọc được danh mục đơn vị ([google] registry = "
                f"'{self.settings.registry}'): {exc}"
            ) from None

    def read_unit(self, unit: Unit, force: bool = False) -> Mapping[str, Rows]:
        """The unit's tabs: from the cache when Drive says the sheet has not changed."""
        key = sheet_key(unit.sheet)
        version = self.versions().get(key)
        tabs = self.cache.cached_sheet(unit.unit_id, version) if version and not force else None
        if tabs is None:
            tabs = self._read(key)
            if version:
                self.cache.cache_sheet(unit.unit_id, version, tabs)
        self.read[unit.unit_id] = tabs  # what after_writes caches, with Kết quả as written
        return tabs

    def write_results(self, unit: Unit, grid: Grid) -> str:
        """Replace the Kết quả tab in one batchUpdate: values as values, protected."""
        key = sheet_key(unit.sheet)
        if key not in self.meta:  # its values came from the cache: its tab IDs are needed now
            self._read(key, grid=False)
        meta = self.meta[key]
        title = load("unit").results_tab or ""
        requests_: list[dict[str, Any]] = []
        known = self.cache.results_tab(unit.unit_id)
        sheet_id = known if known in meta.ids.values() else meta.ids.get(title)
        if sheet_id is None:
            sheet_id = max(meta.ids.values(), default=0) + 1
            requests_.append(
                {
                    "addSheet": {
                        "properties": {
                            "sheetId": sheet_id,
                            "title": title,
                            "gridProperties": {"frozenRowCount": 1},
                        }
                    }
                }
            )
        elif title not in meta.ids:  # our tab, renamed by someone: its name is put back
            requests_.append(
                {
                    "updateSheetProperties": {
                        "properties": {"sheetId": sheet_id, "title": title},
                        "fields": "title",
                    }
                }
            )
        rows = [{"values": requests_body.cells(row)} for row in grid.rows]
        for index in grid.titles | grid.headers:
            for cell in rows[index]["values"]:
                cell["userEnteredFormat"] = {"textFormat": {"bold": True}}
        requests_.append(
            {
                "updateCells": {
                    "range": {"sheetId": sheet_id},
                    "rows": rows,
                    "fields": "userEnteredValue,userEnteredFormat.textFormat.bold",
                }
            }
        )
        ours = [
            p
            for p in meta.protections.get(sheet_id, [])
            if p.get("editors", {}).get("users") == [self.account]
        ]
        if not ours:
            requests_.append(
                {
                    "addProtectedRange": {
                        "protectedRange": {
                            "range": {"sheetId": sheet_id},
                            "warningOnly": False,
                            "description": "Chỉ phần mềm mohinh ghi vào tab này",
                            "editors": {"users": [self.account]},
                        }
                    }
                }
            )
        try:
            self.http.batch_update(key, {"requests": requests_})
        except (APIError, requests.RequestException, RefreshError, TransportError) as exc:
            raise self._fail(exc, key) from None
        self.written[unit.unit_id] = [list(row) for row in grid.rows]
        self.cache.set_results_tab(unit.unit_id, sheet_id)
        return f"https://docs.google.com/spreadsheets/d/{key}"

    def after_writes(self, units: Sequence[Unit]) -> None:
        """Our writes changed the sheets' modifiedTime: cache what they now hold at the new one."""
        written = [u for u in units if u.unit_id in self.written and u.unit_id in self.read]
        if not written or not self.settings.folder:
            return
        self._versions = self._list(self.settings.folder)
        title = load("unit").results_tab or ""
        for unit in written:
            version = self._versions.get(sheet_key(unit.sheet))
            if version:
                tabs = {**self.read[unit.unit_id], title: self.written[unit.unit_id]}
                self.cache.cache_sheet(unit.unit_id, version, tabs)

    def provision(self, unit: Unit) -> str:
        """A new unit spreadsheet laid out from sheet_templates/, shared with the coordinators,
        its address written into the registry. Five requests and one per coordinator."""
        if not self.settings.folder:
            raise ConfigError(
                "Cần cấu hình [google] folder (thư mục Drive của bảng tính các đơn "
                "vị) để tạo bảng tính mới"
            )
        registry = sheet_key(self.settings.registry)
        http = self._creating()
        try:
            key = http.request(
                "post",
                DRIVE_FILES,
                params={"supportsAllDrives": True},
                json={
                    "name": f"Mô hình, điển hình — {unit.name}",
                    "mimeType": "application/vnd.google-apps.spreadsheet",
                    "parents": [self.settings.folder],
                },
            ).json()["id"]
            http.batch_update(key, {"requests": requests_body.unit_sheet_layout(self.account)})
            for email in unit.emails:
                self._share(key, email, notify=True, http=http)
            url = f"https://docs.google.com/spreadsheets/d/{key}"
            if registry not in self.meta:
                self._read(registry)
            tab = load("registry").tab("units").name
            row, col = requests_body.a1_index(unit.sheet_cell)
            self.http.batch_update(
                registry,
                {
                    "requests": [
                        {
                            "updateCells": {
                                "start": {
                                    "sheetId": self.meta[registry].ids[tab],
                                    "rowIndex": row,
                                    "columnIndex": col,
                                },
                                "rows": [{"values": requests_body.cells([url])}],
                                "fields": "userEnteredValue",
                            }
                        }
                    ]
                },
            )
        except (APIError, requests.RequestException, RefreshError, TransportError) as exc:
            raise self._fail(exc, unit.unit_id) from None
        return url

    def _creating(self) -> HTTPClient:
        """A client that may also create Drive files (drive.file), for provisioning only."""
        credentials = self.credentials.with_scopes([*SCOPES, DRIVE_FILE])
        client = Client(
            credentials,
            session=session_factory(credentials),
            http_client=QuotaClient.configured(self.settings, self.limiter),
        )
        return client.http_client

    def _share(self, key: str, email: str, notify: bool, http: HTTPClient | None = None) -> None:
        # gspread's insert_permission sends fields the Drive v3 description does not have
        (http or self.http).request(
            "post",
            f"{DRIVE_FILES}/{key}/permissions",
            params={"sendNotificationEmail": notify, "supportsAllDrives": True},
            json={"type": "user", "role": "writer", "emailAddress": email},
        )

    def publish_report(self, report: Report) -> Published:
        """The report's .xlsx, kept in reports/ and sent by email; and on Google Sheets (with
        `reports_folder` or `report_spreadsheet`): a failure there is told, the file stays."""
        file = self.local_copy(report)
        if not self.settings.report_spreadsheet and not self.settings.reports_folder:
            return Published(file)
        try:
            return Published(
                file, self._publish(report.name, report.tabs, report.charts, report.title)
            )
        except SheetError as exc:
            return Published(file, problem=f"chưa đăng được lên Google Sheets: {exc}")

    def _publish(
        self, name: str, tabs: Sequence[tuple[str, Grid]], charts: Sequence[Chart], title: str
    ) -> str:
        """The consolidated spreadsheet: a new one in the reports folder, shared with the
        province staff; or, in a configured spreadsheet, one set of tabs per year.

        New tabs are written beside the old ones, then swapped in by one batchUpdate: a failure
        on the way leaves last run's tabs as they were (and the next run clears the leftovers).
        """
        fixed = self.settings.report_spreadsheet
        suffix = ""
        if fixed:  # tabs named with their year ("Theo lĩnh vực 2026") beside other years'
            suffix = " " + name.removeprefix("tong-hop-").replace("-xem-truoc", " xem trước")
        final = {tab: tab + suffix for tab, _ in tabs}
        key = sheet_key(fixed) if fixed else name
        try:
            key, created = (key, False) if fixed else self._report_sheet(name, title)
            answer = self.http.fetch_sheet_metadata(
                key, params={"fields": "sheets(properties(sheetId,title))"}
            )
            old = {
                s["properties"]["title"]: s["properties"]["sheetId"]
                for s in answer.get("sheets", [])
            }
            base = max(old.values(), default=0) + 1000
            ids = {tab: base + i for i, (tab, _) in enumerate(tabs)}
            batch = [
                {"deleteSheet": {"sheetId": sid}} for t, sid in old.items() if t.endswith(STAGING)
            ]
            for tab, grid in tabs:
                batch += self._staging(ids[tab], final[tab] + STAGING, grid)
                if len(json.dumps(batch)) > MAX_BATCH:
                    self.http.batch_update(key, {"requests": batch})
                    batch = []
            batch += [requests_body.chart(ids[c.tab], c) for c in charts]
            self.http.batch_update(key, {"requests": batch})
            # Out go this report's previous tabs (in its own spreadsheet: every other tab).
            replaced = [
                sid
                for t, sid in old.items()
                if not t.endswith(STAGING) and (t in final.values() or not fixed)
            ]
            swap: list[dict[str, Any]] = [{"deleteSheet": {"sheetId": sid}} for sid in replaced]
            swap += [
                {
                    "updateSheetProperties": {
                        "properties": {
                            "sheetId": ids[tab],
                            "title": final[tab],
                            **({} if fixed else {"index": i}),
                        },
                        "fields": "title" if fixed else "title,index",
                    }
                }
                for i, (tab, _) in enumerate(tabs)
            ]
            self.http.batch_update(key, {"requests": swap})
            if created:
                for email in self.staff:
                    self._share(key, email, notify=False)
        except (APIError, requests.RequestException, RefreshError, TransportError) as exc:
            raise self._fail(exc, key) from None
        return f"https://docs.google.com/spreadsheets/d/{key}"

    def _report_sheet(self, name: str, title: str) -> tuple[str, bool]:
        """The report's spreadsheet: the one made before for `name`, or a new one."""
        known = self.cache.published(name)
        if known:
            return known, False
        created = self.http.request(
            "post",
            DRIVE_FILES,
            params={"supportsAllDrives": True},
            json={
                "name": title,
                "mimeType": "application/vnd.google-apps.spreadsheet",
                "parents": [self.settings.reports_folder],
            },
        ).json()
        self.cache.set_published(name, created["id"])
        return created["id"], True

    def _staging(self, sheet_id: int, title: str, grid: Grid) -> list[dict[str, Any]]:
        rows = [{"values": requests_body.cells(row)} for row in grid.rows]
        for index in grid.headers:
            for cell in rows[index]["values"]:
                cell["userEnteredFormat"] = {"textFormat": {"bold": True}}
        return [
            {
                "addSheet": {
                    "properties": {
                        "sheetId": sheet_id,
                        "title": title,
                        "gridProperties": {"frozenRowCount": 1},
                    }
                }
            },
            {
                "updateCells": {
                    "range": {"sheetId": sheet_id},
                    "rows": rows,
                    "fields": "userEnteredValue,userEnteredFormat.textFormat.bold",
                }
            },
        ]
