"""The consolidated report on Google Sheets: a spreadsheet of its own in the reports folder,
shared with the province's staff; or one set of tabs a year in a configured spreadsheet.

New tabs are written beside the old ones ("staging"), then swapped in by one batchUpdate: a
failure on the way leaves last run's tabs as they were (and the next run clears the leftovers).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from worker.adapters.google import bodies, drive
from worker.adapters.google.auth import Account
from worker.adapters.google.errors import FAILURES
from worker.adapters.google.memory import Memory
from worker.adapters.google.read import SHEET_URL, sheet_key
from worker.adapters.google.upload import Uploader
from worker.core.backend import Chart, Published, Report
from worker.core.errors import SheetError
from worker.core.results import Grid

STAGING = " (mới)"  # the suffix of tabs being written, before they are swapped in
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
        """The report's tabs staged beside the old ones, then swapped in; its link and the
        refused shares (a spreadsheet of its own is shared with the staff)."""
        fixed = self.settings.report_spreadsheet
        suffix = ""
        if fixed:  # tabs named with their year ("Theo lĩnh vực 2026") beside other years'
            suffix = " " + report.name.removeprefix("tong-hop-").replace("-xem-truoc", " xem trước")
        final = {tab: tab + suffix for tab, _ in report.tabs}
        key = sheet_key(fixed) if fixed else self._report_sheet(report.name, report.title)
        http = self.account.http
        try:
            answer = http.fetch_sheet_metadata(
                key, params={"fields": "sheets(properties(sheetId,title))"}
            )
            old = {
                s["properties"]["title"]: s["properties"]["sheetId"]
                for s in answer.get("sheets", [])
            }
            base = max(old.values(), default=0) + 1000
            ids = {tab: base + i for i, (tab, _) in enumerate(report.tabs)}
            first: list[dict[str, Any]] = [] if fixed else [bodies.LOCALE]
            first += [
                {"deleteSheet": {"sheetId": sid}} for t, sid in old.items() if t.endswith(STAGING)
            ]
            for batch in batches(first, staged(report.tabs, report.charts, ids, final)):
                http.batch_update(key, {"requests": batch})
            # Out go this report's previous tabs (in its own spreadsheet: every other tab).
            replaced = [
                sid
                for t, sid in old.items()
                if not t.endswith(STAGING) and (t in final.values() or not fixed)
            ]
            http.batch_update(key, {"requests": swap(report.tabs, ids, final, replaced, fixed)})
        except FAILURES as exc:
            raise self.account.fail(exc, key) from None
        refused = [] if fixed else drive.share_with_staff(self.account, key, self.staff)
        return SHEET_URL + key, refused

    def _report_sheet(self, name: str, title: str) -> str:
        """The report's spreadsheet: the one made before for `name` (known to the state, or
        found by its tag when the run that made it died before saving it), or a new one."""
        known = self.cache.published(name)
        if known:
            return known
        tag = {"mohinh_report": name}
        key = drive.tagged_file(self.account, self.account.http, "reports_folder", tag, title)
        self.cache.set_published(name, key)
        return key


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
    tabs: Tabs, ids: dict[str, int], final: dict[str, str], replaced: list[int], fixed: str
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
