"""Which unit sheets changed since they were last read, and what they held then.

Drive lists the modifiedTime of every spreadsheet in the units' folder (one request a 1,000): a
sheet whose time is the one its cached values were read at is not read again (no request). Our
own writes change that time too: after them the sheets are cached at their new time, marked
unverified, and the next sync reads such a sheet again unless Drive's revision history proves
that its last change was our write.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import requests
from gspread.exceptions import APIError

from worker.adapters.google.auth import Account
from worker.adapters.google.drive import DRIVE_FILES, SPREADSHEET_MIME
from worker.adapters.google.memory import Memory
from worker.adapters.google.read import Reader, Tabs, sheet_key
from worker.core.errors import SheetError
from worker.core.evaluate import Unit
from worker.core.layout import load

# The newest revision's author (Drive v3 Revision.lastModifyingUser; User.me is "whether this
# user is the requesting user"): absent from the answer unless asked for.
REVISION_FIELDS = "nextPageToken,revisions(id,modifiedTime,lastModifyingUser(emailAddress,me))"
# Locales whose short dates read month first: a unit typing 05/07/2025 there gets 7 May.
MONTH_FIRST = frozenset({"en_US", "en_PH", "fil_PH", "es_US"})


class Changes:
    """The unit sheets read through the cache (`Memory`), and what this run read of them."""

    def __init__(self, account: Account, reader: Reader, cache: Memory) -> None:
        self.account = account
        self.reader = reader
        self.cache = cache
        self.read: dict[str, Tabs] = {}  # this run's reads, by unit ID
        self._versions: dict[str, str] | None = None
        self.notices: list[str] = []  # what went wrong beyond one unit, told after the run

    def versions(self) -> dict[str, str]:
        """Drive's modifiedTime of every spreadsheet in the folder: one request a 1,000."""
        if self._versions is None:
            self._versions = {}
            if self.account.settings.folder:
                self._versions = self._list(self.account.settings.folder)
        return self._versions

    def _list(self, folder: str) -> dict[str, str]:
        found, token = {}, ""
        while True:
            params = {
                "q": f"'{folder}' in parents and mimeType='{SPREADSHEET_MIME}' and trashed=false",
                "fields": "nextPageToken,files(id,modifiedTime)",
                "pageSize": 1000,
                "supportsAllDrives": True,
                "includeItemsFromAllDrives": True,
            }
            if token:
                params["pageToken"] = token
            try:
                page = self.account.http.request("get", DRIVE_FILES, params=params).json()  # type: ignore[arg-type]
            except (APIError, requests.RequestException) as exc:
                # Without the listing every unit is read: slower, never wrong; and said.
                why = exc.code if isinstance(exc, APIError) else exc.__class__.__name__
                self.notices.append(
                    f"Không liệt kê được thư mục [google] folder = '{folder}' ({why}): đọc "
                    "lại mọi bảng tính; kiểm tra thư mục còn được chia sẻ cho "
                    f"{self.account.email}"
                )
                return {}
            found.update({f["id"]: f["modifiedTime"] for f in page.get("files", [])})
            token = page.get("nextPageToken", "")
            if not token:
                return found

    def read_unit(self, unit: Unit, force: bool = False) -> Tabs:
        """The unit's tabs: from the cache when Drive says the sheet has not changed."""
        key = sheet_key(unit.sheet)
        version = self.versions().get(key)
        tabs = self.cache.cached_sheet(unit.unit_id, version) if version and not force else None
        if tabs is not None and self.cache.unverified(unit.unit_id) and not self._ours(key):
            tabs = None  # changed by someone between our last write and the listing after it
        if tabs is None:
            tabs = self.reader.read(key)
            meta = self.reader.meta[key]
            if meta.locale in MONTH_FIRST:
                raise SheetError(
                    f"bảng tính đặt Ngôn ngữ/Vùng (locale) {meta.locale}: ngày gõ "
                    "05/07/2025 được hiểu là ngày 7 tháng 5 — vào Tệp > Cài đặt, chọn Vùng "
                    "'Việt Nam', rồi kiểm tra lại các ngày đã nhập"
                )
            if version:
                self.cache.cache_sheet(unit.unit_id, version, tabs, meta.ids)
        self.cache.set_unverified(unit.unit_id, False)
        self.read[unit.unit_id] = tabs  # what after_writes caches, with Kết quả as written
        return tabs

    def _ours(self, key: str) -> bool:
        """Whether Drive's revision history proves the sheet's last change was our write: its
        newest revision made by this service account. One Drive request; anything short of
        proof (an error, a longer history than one page) says no, and the sheet is read."""
        try:
            answer = self.account.http.request(
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
        return user.get("me") is True or user.get("emailAddress") == self.account.email

    def after_writes(self, units: Sequence[Unit], written: Mapping[str, list[list[Any]]]) -> None:
        """Our writes (`written`: the rows of each unit's Kết quả tab, by unit ID) changed the
        sheets' modifiedTime: cache what they now hold at the new one.

        A unit may have edited its sheet between our write and this listing: the new version
        covers that edit too. Each sheet cached here is marked, and its next sync reads it
        again unless its revision history shows that the last change was ours."""
        cached = [u for u in units if u.unit_id in written and u.unit_id in self.read]
        if not cached or not self.account.settings.folder:
            return
        self._versions = self._list(self.account.settings.folder)
        title = load("unit").results_tab or ""
        for unit in cached:
            key = sheet_key(unit.sheet)
            version = self._versions.get(key)
            if version:
                tabs = {**self.read[unit.unit_id], title: written[unit.unit_id]}
                self.cache.cache_sheet(unit.unit_id, version, tabs, self._written_ids(unit, key))
                self.cache.set_unverified(unit.unit_id, True)

    def _written_ids(self, unit: Unit, key: str) -> dict[str, int] | None:
        """The tabs' IDs after our write: as last read, with the Kết quả tab we wrote (which
        the write may have added)."""
        results = self.cache.results_tab(unit.unit_id)
        if key not in self.reader.meta or results is None:
            return None
        title = load("unit").results_tab or ""
        ids = self.reader.meta[key].ids
        return {**{t: i for t, i in ids.items() if i != results}, title: results}

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
