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
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any

import requests
from google.auth.exceptions import RefreshError, TransportError
from google.auth.transport.requests import AuthorizedSession
from google.oauth2 import service_account
from gspread import Client
from gspread.exceptions import APIError
from gspread.http_client import HTTPClient

from worker.adapters.google import bodies as requests_body
from worker.adapters.google.client import Quota, QuotaClient, settle, transient
from worker.adapters.google.memory import Memory
from worker.core import explain
from worker.core.backend import Chart, Published, Report
from worker.core.cells import SERIAL_EPOCH, Percent
from worker.core.errors import ConfigError, SheetError, network_unreachable
from worker.core.evaluate import Unit
from worker.core.layout import load
from worker.core.results import Grid
from worker.core.settings import GoogleSettings
from worker.core.validation import Rows

SCOPES = (
    "https://www.googleapis.com/auth/spreadsheets",
    "https://www.googleapis.com/auth/drive.metadata.readonly",
)
DRIVE_FILES = "https://www.googleapis.com/drive/v3/files"
# Drive v3 files.create / files.update with content: the `mediaUpload` "simple" protocol's path
DRIVE_UPLOAD = "https://www.googleapis.com/upload/drive/v3/files"
DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
DRIVE_FILE = "https://www.googleapis.com/auth/drive.file"
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
# The newest revision's author (Drive v3 Revision.lastModifyingUser; User.me is "whether this
# user is the requesting user"): absent from the answer unless asked for.
REVISION_FIELDS = "nextPageToken,revisions(id,modifiedTime,lastModifyingUser(emailAddress,me))"
# Our protected range is known by its description: Google adds the spreadsheet's owner to the
# editors we give, so "editors are exactly us" never matches and ranges piled up.
PROTECTION = requests_body.PROTECTION
# Locales whose short dates read month first: a unit typing 05/07/2025 there gets 7 May.
MONTH_FIRST = frozenset({"en_US", "en_PH", "fil_PH", "es_US"})
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
MAX_BATCH = 1_800_000  # bytes of one batchUpdate body: Google advises at most 2 MB
# rows left below a charted table for its chart to sit on (Google's default chart is ~20 rows)
CHART_ROOM = 30
CHUNK = 600_000  # bytes of rows in one updateCells of a report tab, so that batches can split
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


def _reason(exc: APIError) -> str:
    """Google's `errors[0].reason` (Drive fills it; Sheets mostly does not)."""
    errors = exc.error.get("errors") or [{}]
    return str(errors[0].get("reason", ""))


def _blank_unticked(rows: list[list[Any]]) -> list[list[Any]]:
    """Rows holding only unticked checkboxes (FALSE) and empty cells are blank rows: a checkbox
    column fills its whole range with FALSE."""
    return [[] if all(v is None or v is False or v == "" for v in row) else row for row in rows]


def _rows(grid: Grid) -> list[dict[str, Any]]:
    """The grid's rows for updateCells: titles, headers and totals bold."""
    rows = [{"values": requests_body.cells(row)} for row in grid.rows]
    for index in grid.titles | grid.headers | grid.totals:
        for cell in rows[index]["values"]:
            cell.setdefault("userEnteredFormat", {})["textFormat"] = {"bold": True}
    return rows


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


@dataclass
class Sheet:
    """What one read told us of a spreadsheet besides its values."""

    ids: dict[str, int]  # tab title -> sheet ID
    protections: dict[int, list[dict[str, Any]]]
    locale: str = ""


class Unreachable(SheetError):
    """Google did not answer (network down, timeouts, 429 or 5xx) after every attempt: for a
    unit, that unit's trouble; for the registry, the environment's."""


class GoogleBackend:
    def __init__(
        self,
        settings: GoogleSettings,
        cache: Memory,
        staff: Sequence[str],
        local_copy: Callable[[Report], Published],
    ) -> None:
        """`local_copy` writes the report's .xlsx (attached to the email) and its drafted
        annual report (.docx) in reports/, and says where."""
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
                f"'{settings.key_file}': "
                + (
                    explain.os_error(exc)
                    if isinstance(exc, OSError)
                    else "tệp không phải khóa JSON hợp lệ"
                )
            ) from None
        self.account = credentials.service_account_email
        self.token_uri = str(info["token_uri"])  # named when it cannot be reached
        self.credentials = credentials
        # Sheets' reads and writes in their own buckets, Drive apart: whichever client asks
        self.quota = Quota.per_minute(settings.reads_per_minute, settings.writes_per_minute)
        self.client = Client(
            credentials,
            session=session_factory(credentials),
            http_client=QuotaClient.configured(settings, self.quota),
        )
        self.http = self.client.http_client
        # Sync writes one unit while it reads the next in another thread: the writes go through
        # a session of their own (a requests.Session is not made to be shared across threads).
        self.writes = Client(
            credentials,
            session=session_factory(credentials),
            http_client=QuotaClient.configured(settings, self.quota),
        ).http_client
        self.meta: dict[str, Sheet] = {}
        self.read: dict[str, dict[str, list[list[Any]]]] = {}  # this run's reads, by unit ID
        self.written: dict[str, list[list[Any]]] = {}  # what this run wrote, by unit ID
        self._versions: dict[str, str] | None = None
        self.notices: list[str] = []  # what went wrong beyond one unit, told after the run

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
        if isinstance(exc, APIError) and _reason(exc) == "storageQuotaExceeded":
            setting = "reports_folder" if key == "reports_folder" else "folder"
            folder = getattr(self.settings, setting)
            return SheetError(
                f"thư mục [google] {setting} = '{folder}' không nằm trong một Bộ nhớ dùng "
                "chung (shared drive): tài khoản dịch vụ không có dung lượng riêng nên không "
                "tạo được tệp trong Drive của một người — tạo Bộ nhớ dùng chung, thêm "
                f"{self.account} làm Người quản lý nội dung và đặt thư mục vào đó"
            )
        if isinstance(exc, APIError) and exc.code == 403 and not transient(exc):
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

    def _read(
        self, key: str, grid: bool = True, http: HTTPClient | None = None
    ) -> dict[str, list[list[Any]]]:
        """Every tab's values (with `grid`), and always the tabs' IDs and protections."""
        params: dict[str, Any] = (
            {"includeGridData": "true", "fields": GRID_FIELDS} if grid else {"fields": META_FIELDS}
        )
        try:
            answer = (http or self.http).fetch_sheet_metadata(key, params=params)
        except (APIError, requests.RequestException, RefreshError, TransportError) as exc:
            raise self._fail(exc, key) from None
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
            except (APIError, requests.RequestException) as exc:
                # Without the listing every unit is read: slower, never wrong; and said.
                why = exc.code if isinstance(exc, APIError) else exc.__class__.__name__
                self.notices.append(
                    f"Không liệt kê được thư mục [google] folder = '{folder}' ({why}): đọc "
                    "lại mọi bảng tính; kiểm tra thư mục còn được chia sẻ cho "
                    f"{self.account}"
                )
                return {}
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
        if tabs is not None and self.cache.unverified(unit.unit_id) and not self._ours(key):
            tabs = None  # changed by someone between our last write and the listing after it
        if tabs is None:
            tabs = self._read(key)
            if self.meta[key].locale in MONTH_FIRST:
                raise SheetError(
                    f"bảng tính đặt Ngôn ngữ/Vùng (locale) {self.meta[key].locale}: ngày gõ "
                    "05/07/2025 được hiểu là ngày 7 tháng 5 — vào Tệp > Cài đặt, chọn Vùng "
                    "'Việt Nam', rồi kiểm tra lại các ngày đã nhập"
                )
            if version:
                self.cache.cache_sheet(unit.unit_id, version, tabs, self.meta[key].ids)
        self.cache.set_unverified(unit.unit_id, False)
        self.read[unit.unit_id] = tabs  # what after_writes caches, with Kết quả as written
        return tabs

    def _ours(self, key: str) -> bool:
        """Whether Drive's revision history proves the sheet's last change was our write: its
        newest revision made by this service account. One Drive request; anything short of
        proof (an error, a longer history than one page) says no, and the sheet is read."""
        try:
            answer = self.http.request(
                "get",
                f"{DRIVE_FILES}/{key}/revisions",
                params={"fields": REVISION_FIELDS, "pageSize": 1000},
            ).json()
        except (APIError, requests.RequestException):
            return False
        revisions = answer.get("revisions") or [{}]
        if answer.get("nextPageToken"):  # oldest first: the newest is on a later page
            return False
        user = revisions[-1].get("lastModifyingUser") or {}  # absent: not a signed-in user
        return user.get("me") is True or user.get("emailAddress") == self.account

    def write_results(self, unit: Unit, grid: Grid) -> str:
        """Replace the Kết quả tab in one batchUpdate: values as values, protected.

        The batch is built from the tabs and protections the sheet holds; when its answer is
        lost (Google may have applied it), they are read again and the batch rebuilt."""
        key = sheet_key(unit.sheet)
        if key not in self.meta:  # its values came from the cache: its tab IDs are needed now
            self._read(key, grid=False, http=self.writes)
        sheet_id = 0

        def send() -> None:
            nonlocal sheet_id
            sheet_id, batch = self._results_batch(unit, key, grid)
            self.writes.batch_update(key, {"requests": batch})

        try:
            settle(self.settings, send, lambda: self._read(key, grid=False, http=self.writes))
        except (APIError, requests.RequestException, RefreshError, TransportError) as exc:
            raise self._fail(exc, key) from None
        self.written[unit.unit_id] = [list(row) for row in grid.rows]
        self.cache.set_results_tab(unit.unit_id, sheet_id)
        return f"https://docs.google.com/spreadsheets/d/{key}"

    def _results_batch(self, unit: Unit, key: str, grid: Grid) -> tuple[int, list[dict[str, Any]]]:
        """The requests that make the sheet's Kết quả tab hold `grid`, from what it holds now."""
        meta = self.meta[key]
        title = load("unit").results_tab or ""
        requests_: list[dict[str, Any]] = []
        known = self.cache.results_tab(unit.unit_id)
        # Titles are unique whatever their case: a unit's own "KẾT QUẢ" is that tab.
        same = {t.casefold(): i for t, i in meta.ids.items()}.get(title.casefold())
        sheet_id = known if known in meta.ids.values() else same
        size = requests_body.grid_size(grid.rows)
        if sheet_id is None:
            sheet_id = max(meta.ids.values(), default=0) + 1
            requests_.append(
                {
                    "addSheet": {
                        "properties": {
                            "sheetId": sheet_id,
                            "title": title,
                            "gridProperties": {"frozenRowCount": grid.head, **size},
                        }
                    }
                }
            )
        else:  # sized to the rows (a new sheet has 1000), its name put back if renamed
            other = {i: t for t, i in meta.ids.items()}.get(sheet_id)
            requests_.append(
                {
                    "updateSheetProperties": {
                        "properties": {
                            "sheetId": sheet_id,
                            "title": title,
                            "gridProperties": {"frozenRowCount": grid.head, **size},
                        },
                        "fields": ("title," if other != title else "")
                        + "gridProperties.rowCount,gridProperties.columnCount,"
                        + "gridProperties.frozenRowCount",
                    }
                }
            )
        requests_.append(
            {
                "updateCells": {
                    "range": {"sheetId": sheet_id},
                    "rows": _rows(grid),
                    "fields": requests_body.CELL_FIELDS,
                }
            }
        )
        ours = [
            p["protectedRangeId"]
            for p in meta.protections.get(sheet_id, [])
            if p.get("description") == PROTECTION
        ]
        if not ours:
            requests_.append(requests_body.protection(sheet_id, self.account))
        # one range per tab: those an older version piled up go
        requests_ += [{"deleteProtectedRange": {"protectedRangeId": i}} for i in ours[1:]]
        return sheet_id, requests_

    def after_writes(self, units: Sequence[Unit]) -> None:
        """Our writes changed the sheets' modifiedTime: cache what they now hold at the new one.

        A unit may have edited its sheet between our write and this listing: the new version
        covers that edit too. Each sheet cached here is marked, and its next sync reads it
        again unless its revision history shows that the last change was ours."""
        written = [u for u in units if u.unit_id in self.written and u.unit_id in self.read]
        if not written or not self.settings.folder:
            return
        self._versions = self._list(self.settings.folder)
        title = load("unit").results_tab or ""
        for unit in written:
            key = sheet_key(unit.sheet)
            version = self._versions.get(key)
            if version:
                tabs = {**self.read[unit.unit_id], title: self.written[unit.unit_id]}
                self.cache.cache_sheet(unit.unit_id, version, tabs, self._written_ids(unit, key))
                self.cache.set_unverified(unit.unit_id, True)

    def _written_ids(self, unit: Unit, key: str) -> dict[str, int] | None:
        """The tabs' IDs after our write: as last read, with the Kết quả tab we wrote (which
        the write may have added)."""
        results = self.cache.results_tab(unit.unit_id)
        if key not in self.meta or results is None:
            return None
        title = load("unit").results_tab or ""
        return {**{t: i for t, i in self.meta[key].ids.items() if i != results}, title: results}

    def tab_ids(self, unit: Unit) -> Mapping[str, int]:
        """Each tab's sheet ID (title -> ID), so that a digest links an error to its cell: from
        this run's read, else as kept with the cached sheet; {} when unknown. No request."""
        try:
            key = sheet_key(unit.sheet)
        except SheetError:
            return {}
        if key in self.meta:
            return dict(self.meta[key].ids)
        return self.cache.cached_ids(unit.unit_id)

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
            key = self._unit_sheet(http, unit)
            for email in unit.emails:
                self._share(key, email, notify=True, http=http)
            url = f"https://docs.google.com/spreadsheets/d/{key}"
            if registry not in self.meta:
                self._read(registry)
            tab = load("registry").tab("units").name
            row, col = requests_body.a1_index(unit.sheet_cell)
            # the same cell written twice holds the same: nothing to read back before resending
            settle(
                self.settings,
                lambda: self.http.batch_update(
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
                ),
                lambda: None,
            )
        except (APIError, requests.RequestException, RefreshError, TransportError) as exc:
            raise self._fail(exc, unit.unit_id) from None
        return url

    def _unit_sheet(self, http: HTTPClient, unit: Unit) -> str:
        """The unit's new spreadsheet, laid out: found again by the property set when it was
        created (a provisioning that failed half way is resumed, never duplicated)."""
        key = self._tagged_file(
            http,
            "folder",
            {"mohinh_unit": unit.unit_id},
            f"Mô hình, điển hình — {unit.name}",
        )
        title = load("unit").results_tab or ""
        self._read(key, grid=False)

        def lay_out() -> None:
            if title not in self.meta[key].ids:  # not laid out yet (the layout is one batch)
                http.batch_update(key, {"requests": requests_body.unit_sheet_layout(self.account)})

        settle(self.settings, lay_out, lambda: self._read(key, grid=False))
        return key

    def _tagged_file(self, http: HTTPClient, setting: str, tag: dict[str, str], name: str) -> str:
        """The spreadsheet of the folder `setting` that carries `tag` in its appProperties, made
        there (with the tag) when there is none. A files.create whose answer was lost may have
        made the file: it is looked for again before another is made."""
        folder = getattr(self.settings, setting)
        found: list[str] = []

        def look() -> None:
            found[:] = self._tagged(http, folder, tag)

        def create() -> str:
            if found:
                return found[0]
            answer = http.request(
                "post",
                DRIVE_FILES,
                params={"supportsAllDrives": True},
                json={
                    "name": name,
                    "mimeType": "application/vnd.google-apps.spreadsheet",
                    "parents": [folder],
                    "appProperties": tag,
                },
            ).json()
            return str(answer["id"])

        try:
            look()
            return settle(self.settings, create, look)
        except (APIError, requests.RequestException, RefreshError, TransportError) as exc:
            raise self._fail(exc, setting) from None

    @staticmethod
    def _tagged(http: HTTPClient, folder: str, tag: dict[str, str]) -> list[str]:
        """The files of `folder` that carry `tag` in their appProperties."""
        ((tag_key, tag_value),) = tag.items()
        answer = http.request(
            "get",
            DRIVE_FILES,
            params={
                "q": f"'{folder}' in parents and appProperties has {{ key='{tag_key}' "
                f"and value='{tag_value}' }} and trashed=false",
                "fields": "files(id)",
                "supportsAllDrives": True,
                "includeItemsFromAllDrives": True,
            },
        ).json()
        return [str(f["id"]) for f in answer["files"]]

    def _creating(self) -> HTTPClient:
        """A client that may also create Drive files (drive.file), for provisioning only."""
        credentials = self.credentials.with_scopes([*SCOPES, DRIVE_FILE])
        client = Client(
            credentials,
            session=session_factory(credentials),
            http_client=QuotaClient.configured(self.settings, self.quota),
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
        `reports_folder` or `report_spreadsheet`): a failure there is told, the file stays.
        The drafted annual report (.docx) is kept beside the .xlsx and goes by email; with
        `reports_folder` it is also uploaded there, shared like the spreadsheet."""
        local = self.local_copy(report)
        file, document = local.file, local.document
        if not self.settings.report_spreadsheet and not self.settings.reports_folder:
            return Published(file, document=document)
        problems: list[str] = []
        link = None
        try:
            link, refused = self._publish(report.name, report.tabs, report.charts, report.title)
            problems += refused
        except SheetError as exc:
            problems.append(f"chưa đăng được lên Google Sheets: {exc}")
        document_link = None
        if document and self.settings.reports_folder:
            try:
                document_link, refused = self._upload_document(document)
                problems += refused
            except SheetError as exc:
                problems.append(f"chưa đăng được dự thảo báo cáo năm lên Google Drive: {exc}")
        return Published(file, link, "; ".join(problems), document, document_link)

    def _upload_document(self, path: Path) -> tuple[str, list[str]]:
        """The .docx in the reports folder, shared with the staff: its content replaced when a
        file of that name was uploaded before (known to the state, or found by its tag when
        the run that made it died before saving it), else a new file. Returns its link and the
        refused shares. Two requests the first time (list, upload), one after, plus sharing."""
        name = path.name
        content = path.read_bytes()
        folder = self.settings.reports_folder
        key = self.cache.published(name)
        try:
            if key:
                try:
                    self._upload(content, {}, key)
                except APIError as exc:
                    if exc.code != 404:  # deleted by someone: made again below
                        raise
                    key = None
            if not key:
                tag = {"mohinh_document": name}
                found: list[str] = []

                def look() -> None:
                    found[:] = self._tagged(self.http, folder, tag)

                def create() -> str:
                    if found:  # there already (a lost answer, or a forgotten state)
                        self._upload(content, {}, found[0])
                        return found[0]
                    metadata = {"name": name, "parents": [folder], "appProperties": tag}
                    return str(self._upload(content, {**metadata, "mimeType": DOCX_MIME})["id"])

                look()
                key = settle(self.settings, create, look)
                self.cache.set_published(name, key)
        except (APIError, requests.RequestException, RefreshError, TransportError) as exc:
            raise self._fail(exc, "reports_folder") from None
        return f"https://drive.google.com/file/d/{key}/view", self._share_with_staff(key)

    def _upload(self, content: bytes, metadata: dict[str, Any], key: str = "") -> Any:
        """files.create (no `key`) or files.update of `key`, with the .docx as content."""
        body, content_type = requests_body.multipart(metadata, content, DOCX_MIME)
        return self.http.request(
            "patch" if key else "post",
            f"{DRIVE_UPLOAD}/{key}" if key else DRIVE_UPLOAD,
            params={"uploadType": "multipart", "supportsAllDrives": True},
            data=body,  # type: ignore[arg-type]
            headers={"Content-Type": content_type},
        ).json()

    def _publish(
        self, name: str, tabs: Sequence[tuple[str, Grid]], charts: Sequence[Chart], title: str
    ) -> tuple[str, list[str]]:
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
        key = sheet_key(fixed) if fixed else self._report_sheet(name, title)
        try:
            answer = self.http.fetch_sheet_metadata(
                key, params={"fields": "sheets(properties(sheetId,title))"}
            )
            old = {
                s["properties"]["title"]: s["properties"]["sheetId"]
                for s in answer.get("sheets", [])
            }
            base = max(old.values(), default=0) + 1000
            ids = {tab: base + i for i, (tab, _) in enumerate(tabs)}
            batch: list[dict[str, Any]] = [] if fixed else [requests_body.LOCALE]
            batch += [
                {"deleteSheet": {"sheetId": sid}} for t, sid in old.items() if t.endswith(STAGING)
            ]
            used = len(json.dumps(batch))
            charted = {c.tab for c in charts}
            staged = [
                r
                for tab, grid in tabs
                for r in self._staging(ids[tab], final[tab] + STAGING, grid, tab in charted)
            ]
            grids = dict(tabs)
            drawn = [
                requests_body.chart(ids[c.tab], c, grids[c.tab].table(), len(grids[c.tab].rows) + 1)
                for c in charts
            ]
            for request in [*staged, *drawn]:
                size = len(json.dumps(request)) + 2
                if batch and used + size > MAX_BATCH:  # bodies stay under Google's 2 MB advice
                    self.http.batch_update(key, {"requests": batch})
                    batch, used = [], 2
                batch.append(request)
                used += size
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
        except (APIError, requests.RequestException, RefreshError, TransportError) as exc:
            raise self._fail(exc, key) from None
        refused = [] if fixed else self._share_with_staff(key)
        return f"https://docs.google.com/spreadsheets/d/{key}", refused

    def _share_with_staff(self, key: str) -> list[str]:
        """Share our report with every staff address not yet on it, on every publish: a run
        that failed after creating the file, or a refused address, is mended the next time.
        One request to read the permissions, one per missing address; returns the refusals."""
        try:
            answer = self.http.request(
                "get",
                f"{DRIVE_FILES}/{key}/permissions",
                params={"fields": "permissions(emailAddress)", "supportsAllDrives": True},
            ).json()
        except (APIError, requests.RequestException, RefreshError, TransportError) as exc:
            return [f"chưa chia sẻ được bảng tổng hợp cho cán bộ tỉnh: {self._fail(exc, key)}"]
        have = {p.get("emailAddress", "").casefold() for p in answer.get("permissions", [])}
        refused = []
        for email in self.staff:
            if email.casefold() in have:
                continue
            try:
                self._share(key, email, notify=False)
            except (APIError, requests.RequestException, RefreshError, TransportError) as exc:
                why = exc.error.get("message", "") if isinstance(exc, APIError) else exc
                refused.append(
                    f"chưa chia sẻ được bảng tổng hợp cho {email} ({why}): kiểm tra địa chỉ "
                    "trong staff_emails; lần chạy sau sẽ thử lại"
                )
        return refused

    def _report_sheet(self, name: str, title: str) -> str:
        """The report's spreadsheet: the one made before for `name` (known to the state, or
        found by its tag when the run that made it died before saving it), or a new one."""
        known = self.cache.published(name)
        if known:
            return known
        key = self._tagged_file(self.http, "reports_folder", {"mohinh_report": name}, title)
        self.cache.set_published(name, key)
        return key

    def _staging(
        self, sheet_id: int, title: str, grid: Grid, chart: bool = False
    ) -> list[dict[str, Any]]:
        """A new tab sized to the grid (with room below for a `chart`), its rows written in
        pieces of at most CHUNK bytes."""
        rows = _rows(grid)
        size = requests_body.grid_size(grid.rows, CHART_ROOM if chart else 1)
        add = {
            "addSheet": {
                "properties": {
                    "sheetId": sheet_id,
                    "title": title,
                    "gridProperties": {"frozenRowCount": grid.head, **size},
                }
            }
        }
        pieces: list[dict[str, Any]] = []
        start, used = 0, 0
        for i, row in enumerate(rows):
            used += len(json.dumps(row)) + 2
            if used > CHUNK or i == len(rows) - 1:
                pieces.append(
                    {
                        "updateCells": {
                            "start": {"sheetId": sheet_id, "rowIndex": start, "columnIndex": 0},
                            "rows": rows[start : i + 1],
                            "fields": requests_body.CELL_FIELDS,
                        }
                    }
                )
                start, used = i + 1, 0
        return [add, *pieces]
