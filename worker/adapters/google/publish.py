"""The consolidated report on Google Sheets: a spreadsheet of its own in the reports folder,
shared with the province's staff; or one set of tabs a year in a configured spreadsheet.

New tabs are written beside the old ones ("staging"), then swapped in by one batchUpdate: a
failure on the way leaves last run's tabs as they were (and the next run clears the leftovers).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from gspread.exceptions import APIError

from worker.adapters.google import bodies, budget, drive
from worker.adapters.google.auth import Account
from worker.adapters.google.budget import STAGING
from worker.adapters.google.errors import FAILURES
from worker.adapters.google.memory import Memory
from worker.adapters.google.read import SHEET_URL, sheet_key
from worker.adapters.google.upload import Uploader
from worker.core.backend import Chart, Published, Report
from worker.core.errors import SheetError
from worker.core.results import Grid

# Each tab's title, ID and grid size: what the cell budget counts
TAB_FIELDS = "sheets(properties(sheetId,title,gridProperties(rowCount,columnCount)))"
MAX_BATCH = 1_800_000  # bytes of one batchUpdate body: Google advises at most 2 MB
# rows left below a charted table for its chart to sit on (Google's default chart is ~20 rows)
CHART_ROOM = 30
CHUNK = 600_000  # bytes of rows in one updateCells of a report tab, so that batches can split

Tabs = Sequence[tuple[str, Grid]]


class Publisher:
    def __init__(
        self,
        account: Account,
        cache: Memory,
        staff: Sequence[str],
        local_copy: Callable[[Report], Published],
    ) -> None:
        """`local_copy` writes the report's .xlsx (attached to the email) and its drafted
        annual report (.docx) in reports/, and says where."""
        self.account = account
        self.settings = account.settings
        self.cache = cache
        self.staff = staff
        self.local_copy = local_copy
        self.uploader = Uploader(account, cache, staff)

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
            link, refused = self._publish(report)
            problems += refused
        except SheetError as exc:
            problems.append(f"chưa đăng được lên Google Sheets: {exc}")
        document_link = None
        if document and self.settings.reports_folder:
            try:
                document_link, refused = self.uploader.upload_document(document)
                problems += refused
            except SheetError as exc:
                problems.append(f"chưa đăng được dự thảo báo cáo năm lên Google Drive: {exc}")
        return Published(file, link, "; ".join(problems), document, document_link)

    def _publish(self, report: Report) -> tuple[str, list[str]]:
        """The report in the province's spreadsheet (`report_spreadsheet`) when it has room,
        else in a spreadsheet of its own; its link, and what to tell (refused shares, a
        spreadsheet made again)."""
        fixed = self.settings.report_spreadsheet
        if fixed and not self.cache.published(moved(report.name, sheet_key(fixed))):
            key = sheet_key(fixed)
            what = f"bảng tính tổng hợp [google] report_spreadsheet = '{fixed}'"
            self._not_in_trash(key, what)
            # tabs named with their year ("Theo lĩnh vực 2026") beside other years'
            suffix = " " + report.name.removeprefix("tong-hop-").replace("-xem-truoc", " xem trước")
            final = {tab: tab + suffix for tab, _ in report.tabs}
            try:
                self._write(key, what, report, final, fixed=True)
                return SHEET_URL + key, []
            except budget.NoRoom as exc:
                if exc.alone or not self.settings.reports_folder:
                    raise self._no_room(exc, report, what) from None
        own = moved(report.name, sheet_key(fixed)) if fixed else report.name
        key, notes = self._own_sheet(own, report)
        what = f"bảng tính tổng hợp {key}"
        try:
            self._write(key, what, report, {tab: tab for tab, _ in report.tabs}, fixed=False)
        except budget.NoRoom as exc:
            raise self._no_room(exc, report, what) from None
        return SHEET_URL + key, notes + drive.share_with_staff(self.account, key, self.staff)

    def _write(
        self, key: str, what: str, report: Report, final: dict[str, str], fixed: bool
    ) -> None:
        """The report's tabs staged beside the old ones, then swapped in; room made first
        (`budget`): raises NoRoom before anything is written when there is none."""
        http = self.account.http
        charted = {c.tab for c in report.charts}
        need = sum(cells(grid, tab in charted) for tab, grid in report.tabs)
        titles = set(final.values())
        try:
            present = self._tabs(key)
            year = int(report.name.removeprefix("tong-hop-")[:4])
            room = budget.plan(present, need, lambda t: t in titles or not fixed, year)
            base = max((t.sheet_id for t in present), default=0) + 1000
            ids = {tab: base + i for i, (tab, _) in enumerate(report.tabs)}
            first: list[dict[str, Any]] = [] if fixed else [bodies.LOCALE]
            first += [{"deleteSheet": {"sheetId": sid}} for sid in room.first]
            for batch in batches(first, staged(report.tabs, report.charts, ids, final)):
                http.batch_update(key, {"requests": batch})
            http.batch_update(key, {"requests": swap(report.tabs, ids, final, room.later, fixed)})
        except FAILURES as exc:
            raise self.account.fail(exc, key, what) from None

    def _tabs(self, key: str) -> list[budget.Tab]:
        answer = self.account.http.fetch_sheet_metadata(key, params={"fields": TAB_FIELDS})
        tabs = []
        for sheet in answer.get("sheets", []):
            props, grid = sheet["properties"], sheet["properties"].get("gridProperties", {})
            cells_ = grid.get("rowCount", 0) * grid.get("columnCount", 0)
            tabs.append(budget.Tab(props["title"], props["sheetId"], cells_))
        return tabs

    def _own_sheet(self, name: str, report: Report) -> tuple[str, list[str]]:
        """The report's own spreadsheet in the reports folder: the one made before for `name`
        while it is still there (not deleted, trashed or unshared), else one found by its tag
        (a run that died before saving it), else a new one; and a note when it was made again."""
        known = self.cache.published(name)
        tag = {"mohinh_report": name}
        key = drive.tagged_file(
            self.account, self.account.http, "reports_folder", tag, report.title, known
        )
        self.cache.set_published(name, key)
        if not known or known == key:
            return key, []
        return key, [
            f"bảng tính tổng hợp cũ ({SHEET_URL}{known}) không còn trong thư mục [google] "
            "reports_folder (đã bị xóa, đưa vào Thùng rác hoặc thôi chia sẻ cho "
            f"{self.account.email}): đã tạo bảng tính mới và chia sẻ lại cho cán bộ tỉnh"
        ]

    def _not_in_trash(self, key: str, what: str) -> None:
        """The province's spreadsheet still opens by its ID from the trash: Drive says where
        it is (one request). SheetError when it is trashed, gone or no longer shared."""
        try:
            found = self.account.http.request(
                "get",
                f"{drive.DRIVE_FILES}/{key}",
                params={"fields": "trashed", "supportsAllDrives": True},
            ).json()
        except FAILURES as exc:
            if isinstance(exc, APIError) and exc.code == 404:
                raise SheetError(
                    f"không tìm thấy {what}: bảng tính đã bị xóa hoặc thôi chia sẻ cho "
                    f"{self.account.email} — khôi phục hay chia sẻ lại (quyền Người chỉnh sửa), "
                    "hoặc ghi vào report_spreadsheet một bảng tính khác"
                ) from None
            raise self.account.fail(exc, key, what) from None
        if found.get("trashed"):
            raise SheetError(
                f"{what} đang nằm trong Thùng rác của Google Drive — khôi phục bảng tính "
                "(Drive > Thùng rác > Khôi phục), hoặc ghi vào report_spreadsheet một bảng "
                "tính khác"
            )

    def _no_room(self, exc: budget.NoRoom, report: Report, what: str) -> SheetError:
        need, free = budget.figure(exc.need), budget.figure(exc.free)
        limit = budget.figure(budget.MAX_CELLS)
        if exc.alone:
            return SheetError(
                f"{report.title} cần {need} ô, quá giới hạn {limit} ô của một bảng tính "
                "Google: không đăng lên Google Sheets được — bản .xlsx trong reports/ vẫn "
                "đầy đủ và được gửi kèm thư"
            )
        return SheetError(
            f"{what} không còn đủ chỗ cho {report.title}: cần {need} ô, chỉ còn {free} trong "
            f"giới hạn {limit} ô của một bảng tính Google — đặt [google] reports_folder để "
            "mỗi năm có bảng tính riêng, hoặc xóa các tab của những năm trước"
        )


def moved(name: str, fixed: str) -> str:
    """What the state calls the spreadsheet of its own a report of the province's one moved
    to, when that one had no room left for it."""
    return f"{name} ngoài {fixed}"


def cells(grid: Grid, chart: bool) -> int:
    """The cells of a report tab as staged (`staging`)."""
    size = bodies.grid_size(grid.rows, CHART_ROOM if chart else 1)
    return size["rowCount"] * size["columnCount"]


def staged(
    tabs: Tabs, charts: Sequence[Chart], ids: dict[str, int], final: dict[str, str]
) -> list[dict[str, Any]]:
    """The requests that write each tab beside the old ones, under its final title and the
    STAGING suffix, and draw its charts."""
    charted = {c.tab for c in charts}
    grids = dict(tabs)
    return [
        *(
            r
            for tab, grid in tabs
            for r in staging(ids[tab], final[tab] + STAGING, grid, tab in charted)
        ),
        *(
            bodies.chart(ids[c.tab], c, grids[c.tab].table(), len(grids[c.tab].rows) + 1)
            for c in charts
        ),
    ]


def batches(
    first: list[dict[str, Any]], requests_: list[dict[str, Any]]
) -> Iterator[list[dict[str, Any]]]:
    """`first` and then `requests_` in batchUpdate bodies under Google's 2 MB advice (MAX_BATCH
    bytes), in order; the last one even when empty."""
    batch, used = first, len(json.dumps(first))
    for request in requests_:
        size = len(json.dumps(request)) + 2
        if batch and used + size > MAX_BATCH:
            yield batch
            batch, used = [], 2
        batch.append(request)
        used += size
    yield batch


def swap(
    tabs: Tabs, ids: dict[str, int], final: dict[str, str], replaced: list[int], fixed: bool
) -> list[dict[str, Any]]:
    """The requests that delete the `replaced` tabs and give the staged ones their final
    titles (and, in the report's own spreadsheet, their order)."""
    requests_: list[dict[str, Any]] = [{"deleteSheet": {"sheetId": sid}} for sid in replaced]
    requests_ += [
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
    return requests_


def staging(sheet_id: int, title: str, grid: Grid, chart: bool = False) -> list[dict[str, Any]]:
    """A new tab sized to the grid (with room below for a `chart`), its rows written in
    pieces of at most CHUNK bytes."""
    rows = bodies.grid_rows(grid)
    size = bodies.grid_size(grid.rows, CHART_ROOM if chart else 1)
    add = bodies.add_sheet(sheet_id, title, {"frozenRowCount": grid.head, **size})
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
                        "fields": bodies.CELL_FIELDS,
                    }
                }
            )
            start, used = i + 1, 0
    return [add, *pieces]
