"""Writing a unit's Kết quả tab: one `batchUpdate` that sizes (or adds) the tab, writes its values
as values and keeps it protected, built from what the sheet holds now. Its answer holds the
whole spreadsheet as the write left it (every tab, read in the same atomic step): what the read
cache keeps after the write, so that an edit the unit made since our read is never lost."""

from __future__ import annotations

from typing import Any

from gspread.urls import SPREADSHEET_BATCH_UPDATE_URL

from worker.adapters.google import bodies
from worker.adapters.google.auth import Account
from worker.adapters.google.errors import FAILURES
from worker.adapters.google.memory import Memory
from worker.adapters.google.read import GRID_FIELDS, SHEET_URL, Reader, Sheet, Tabs, sheet_key
from worker.core.evaluate import Unit
from worker.core.layout import load
from worker.core.results import Grid

# The answer: the spreadsheet after the batch, with every tab's values as a read has them
# (BatchUpdateSpreadsheetRequest.includeSpreadsheetInResponse, responseIncludeGridData).
AFTER_FIELDS = f"updatedSpreadsheet({GRID_FIELDS})"


class Writer:
    """Writes the units' Kết quả tabs through the account's own client for writes, and keeps
    what each sheet held right after our write (`written`, by unit ID) for the cache."""

    def __init__(self, account: Account, reader: Reader, cache: Memory) -> None:
        self.account = account
        self.reader = reader
        self.cache = cache
        self.written: dict[str, Tabs] = {}

    def write_results(self, unit: Unit, grid: Grid) -> str:
        """Replace the Kết quả tab in one batchUpdate: values as values, protected.

        The batch is built from the tabs and protections the sheet holds; when its answer is
        lost (Google may have applied it), they are read again and the batch rebuilt."""
        key = sheet_key(unit.sheet)
        writes = self.account.writes
        if key not in self.reader.meta:  # its values came from the cache: its tab IDs needed
            self.reader.read(key, grid=False, http=writes)
        sheet_id = 0

        def send() -> None:
            nonlocal sheet_id
            known = self.cache.results_tab(unit.unit_id)
            sheet_id, batch = results_batch(self.reader.meta[key], known, grid, self.account.email)
            answer = writes.request(
                "post",
                SPREADSHEET_BATCH_UPDATE_URL % key,
                params={"fields": AFTER_FIELDS},
                json={
                    "requests": batch,
                    "includeSpreadsheetInResponse": True,
                    "responseIncludeGridData": True,
                },
            ).json()
            self.written[unit.unit_id] = self.reader.take(key, answer["updatedSpreadsheet"])

        try:
            self.account.retries.settle(
                send, lambda: self.reader.read(key, grid=False, http=writes)
            )
        except FAILURES as exc:
            raise self.account.fail(exc, key) from None
        self.cache.set_results_tab(unit.unit_id, sheet_id)
        return SHEET_URL + key


def results_batch(
    meta: Sheet, known: int | None, grid: Grid, account: str
) -> tuple[int, list[dict[str, Any]]]:
    """The Kết quả tab's sheet ID and the requests that make it hold `grid`, from what the sheet
    holds now (`meta`) and the tab's ID when we last wrote it (`known`)."""
    title = load("unit").results_tab or ""
    # Titles are unique whatever their case: a unit's own "KẾT QUẢ" is that tab.
    same = {t.casefold(): i for t, i in meta.ids.items()}.get(title.casefold())
    sheet_id = known if known in meta.ids.values() else same
    size = {"frozenRowCount": grid.head, **bodies.grid_size(grid.rows)}
    requests_: list[dict[str, Any]] = []
    if sheet_id is None:
        sheet_id = max(meta.ids.values(), default=0) + 1
        requests_.append(bodies.add_sheet(sheet_id, title, size))
    else:  # sized to the rows (a new sheet has 1000), its name put back if renamed
        other = {i: t for t, i in meta.ids.items()}.get(sheet_id)
        requests_.append(
            {
                "updateSheetProperties": {
                    "properties": {"sheetId": sheet_id, "title": title, "gridProperties": size},
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
                "rows": bodies.grid_rows(grid),
                "fields": bodies.CELL_FIELDS,
            }
        }
    )
    ours = [
        p["protectedRangeId"]
        for p in meta.protections.get(sheet_id, [])
        if p.get("description") == bodies.PROTECTION
    ]
    if not ours:
        requests_.append(bodies.protection(sheet_id, account))
    # one range per tab: those an older version piled up go
    requests_ += [{"deleteProtectedRange": {"protectedRangeId": i}} for i in ours[1:]]
    return sheet_id, requests_
