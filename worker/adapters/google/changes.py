"""Which unit sheets changed since they were last read, and what they held then.

Drive lists every spreadsheet of the units' folder with its `version` ("a monotonically
increasing version number ... reflects every change made to the file", Drive v3 File.version)
and the user who changed it last: one request a 1,000 sheets, and no other Drive request.

The read cache is right by construction:

- what a read returns is kept under the version listed *before* the read: an edit made between
  the listing and the read is in the values but not in that version, so the next listing shows
  a newer one and the sheet is read again — never an older copy under a newer version;
- our write's answer holds the whole spreadsheet as the write left it (`write.Writer`): that is
  what is kept after a write, under the version listed after the run's writes, and only when
  that listing says the sheet's last change was ours. An edit the unit made before our write is
  in that copy; one made after it makes someone else the last to change the sheet, and the
  sheet is read on the next sync.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import requests
from gspread.exceptions import APIError

from worker.adapters.google.auth import Account
from worker.adapters.google.drive import spreadsheets
from worker.adapters.google.memory import Memory
from worker.adapters.google.read import Reader, Tabs, sheet_key
from worker.core.errors import SheetError
from worker.core.evaluate import Unit

# Each sheet's version and last modifier: Drive leaves lastModifyingUser out unless asked, and
# fills it "only when the last modification was performed by a signed-in user" (File in the
# Drive v3 discovery; User.me "Whether this user is the requesting user").
LISTING_FILES = "id,version,lastModifyingUser(me,emailAddress)"
# Locales whose short dates read month first: a unit typing 05/07/2025 there gets 7 May.
MONTH_FIRST = frozenset({"en_US", "en_PH", "fil_PH", "es_US"})


@dataclass(frozen=True)
class Listed:
    """One sheet as Drive lists it: its version (with its ID: a sheet replaced by another is
    never taken for it) and whether its last change was this service account's."""

    version: str
    ours: bool


class Changes:
    """The unit sheets read through the cache (`Memory`)."""

    def __init__(self, account: Account, reader: Reader, cache: Memory) -> None:
        self.account = account
        self.reader = reader
        self.cache = cache
        self._listed: dict[str, Listed] | None = None
        self.notices: list[str] = []  # what went wrong beyond one unit, told after the run

    def listed(self) -> dict[str, Listed]:
        """Every spreadsheet of the folder as Drive lists it now: one request a 1,000."""
        if self._listed is None:
            self._listed = self._list(self.account.settings.folder)
        return self._listed

    def _list(self, folder: str) -> dict[str, Listed]:
        if not folder:
            return {}
        try:
            return {
                f["id"]: self._entry(f)
                for f in spreadsheets(self.account.http, folder, LISTING_FILES)
            }
        except (APIError, requests.RequestException) as exc:
            # Without the listing every unit is read: slower, never wrong; and said.
            why = exc.code if isinstance(exc, APIError) else exc.__class__.__name__
            self.notices.append(
                f"Không liệt kê được thư mục [google] folder = '{folder}' ({why}): đọc "
                "lại mọi bảng tính; kiểm tra thư mục còn được chia sẻ cho "
                f"{self.account.email}"
            )
            return {}

    def _entry(self, file: Mapping[str, object]) -> Listed:
        user = file.get("lastModifyingUser") or {}
        assert isinstance(user, dict)
        ours = user.get("me") is True or user.get("emailAddress") == self.account.email
        return Listed(f"{file['id']}@{file['version']}", ours)

    def read_unit(self, unit: Unit, force: bool = False) -> Tabs:
        """The unit's tabs: from the cache when Drive lists the version they were kept at."""
        key = sheet_key(unit.sheet)
        listed = self.listed().get(key)
        tabs = None
        if listed is not None and not force:
            tabs = self.cache.cached_sheet(unit.unit_id, listed.version)
        if tabs is None:
            tabs = self.reader.read(key)
            meta = self.reader.meta[key]
            if meta.locale in MONTH_FIRST:
                raise SheetError(
                    f"bảng tính đặt Ngôn ngữ/Vùng (locale) {meta.locale}: ngày gõ "
                    "05/07/2025 được hiểu là ngày 7 tháng 5 — vào Tệp > Cài đặt, chọn Vùng "
                    "'Việt Nam', rồi kiểm tra lại các ngày đã nhập"
                )
            if listed is not None:  # the version seen before this read
                self.cache.cache_sheet(unit.unit_id, listed.version, tabs, meta.ids)
        return tabs

    def after_writes(self, units: Sequence[Unit], written: Mapping[str, Tabs]) -> None:
        """Once the run's writes are done: each sheet as our write left it (`written`, by unit
        ID) kept under the version Drive lists now, when its last change was ours. One listing
        a 1,000 sheets, none when nothing was written."""
        done = [u for u in units if u.unit_id in written]
        if not done or not self.account.settings.folder:
            return
        self._listed = self._list(self.account.settings.folder)
        for unit in done:
            key = sheet_key(unit.sheet)
            listed = self._listed.get(key)
            if listed is not None and listed.ours:
                ids = self.reader.meta[key].ids if key in self.reader.meta else None
                self.cache.cache_sheet(unit.unit_id, listed.version, written[unit.unit_id], ids)

    def tab_ids(self, unit: Unit) -> Mapping[str, int]:
        """Each tab's sheet ID (title -> ID), so that a digest links an error to its cell: from
        this run's read, else as kept with the cached sheet; {} when unknown. No request."""
        try:
            key = sheet_key(unit.sheet)
        except SheetError:
            return {}
        if key in self.reader.meta:
            return dict(self.reader.meta[key].ids)
        return self.cache.cached_ids(unit.unit_id)
