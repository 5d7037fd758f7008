"""What the Google backend keeps between runs, in `state.sqlite`: what each unit sheet held at a
Drive version (so that an unchanged sheet costs no request) with its tabs' IDs (so that a digest
links an error to its cell), the sheet ID of each unit's Kết quả tab (found by ID, not by
title), and the files each report was published to."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager, nullcontext
from datetime import date, datetime
from typing import Any

from worker.core.cells import Percent

SHEETS = "sheets"  # what each sheet held: a cache, left out of backups (read again when lost)
SCHEMA = """
CREATE TABLE IF NOT EXISTS sheets (
    unit TEXT PRIMARY KEY, version TEXT NOT NULL, tabs TEXT NOT NULL, ids TEXT);
CREATE TABLE IF NOT EXISTS results_tabs (
    unit TEXT PRIMARY KEY, sheet_id INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS published (
    name TEXT PRIMARY KEY, key TEXT NOT NULL);
-- what older releases kept of the units written last: no longer needed
DROP TABLE IF EXISTS unverified;
"""


class GoogleCache:
    def __init__(
        self,
        db: sqlite3.Connection,
        bookkeeping: Callable[[], AbstractContextManager[None]] = nullcontext,
    ) -> None:
        """`bookkeeping`: the state's block whose writes take no backup, for the sheets kept."""
        self.db = db
        self.bookkeeping = bookkeeping
        db.executescript(SCHEMA)
        # A cache made before tab IDs were kept: its rows get none (NULL), read as "unknown".
        columns = {row[1] for row in db.execute("PRAGMA table_info(sheets)")}
        if "ids" not in columns:
            db.execute("ALTER TABLE sheets ADD COLUMN ids TEXT")

    # What a remote unit sheet held at a version (Google: its ID and Drive version), so that an
    # unchanged sheet costs no request. (Rows of older releases, kept under a modifiedTime,
    # match no version: those sheets are read once more.)
    def cached_sheet(self, unit: str, version: str) -> dict[str, list[list[Any]]] | None:
        row = self.db.execute(
            "SELECT tabs FROM sheets WHERE unit = ? AND version = ?", (unit, version)
        ).fetchone()
        return json.loads(row[0], object_hook=_decode) if row else None

    def cache_sheet(
        self,
        unit: str,
        version: str,
        tabs: dict[str, list[list[Any]]],
        ids: Mapping[str, int] | None = None,
    ) -> None:
        """`ids`: each tab's sheet ID (tab title -> ID), None when not known."""
        with self.bookkeeping():
            self.db.execute(
                "INSERT OR REPLACE INTO sheets (unit, version, tabs, ids) VALUES (?, ?, ?, ?)",
                (
                    unit,
                    version,
                    json.dumps(tabs, ensure_ascii=False, default=_encode),
                    None if ids is None else json.dumps(dict(ids), ensure_ascii=False),
                ),
            )

    def cached_ids(self, unit: str) -> dict[str, int]:
        """The tab IDs kept with the unit's cached sheet; {} when none are (an older row)."""
        row = self.db.execute("SELECT ids FROM sheets WHERE unit = ?", (unit,)).fetchone()
        return {str(t): int(i) for t, i in json.loads(row[0]).items()} if row and row[0] else {}

    # The sheet ID of each unit's Kết quả tab in Google Sheets: found by ID, not by title.
    def results_tab(self, unit: str) -> int | None:
        row = self.db.execute(
            "SELECT sheet_id FROM results_tabs WHERE unit = ?", (unit,)
        ).fetchone()
        return row[0] if row else None

    def set_results_tab(self, unit: str, sheet_id: int) -> None:
        self.db.execute("INSERT OR REPLACE INTO results_tabs VALUES (?, ?)", (unit, sheet_id))

    # The Google spreadsheet each consolidated report was published to.
    def published(self, name: str) -> str | None:
        row = self.db.execute("SELECT key FROM published WHERE name = ?", (name,)).fetchone()
        return row[0] if row else None

    def set_published(self, name: str, key: str) -> None:
        self.db.execute("INSERT OR REPLACE INTO published VALUES (?, ?)", (name, key))


# Cell values JSON has no type for: kept as what they are, so that a sheet read from the cache
# is validated as when it was read (a percentage in a count column stays an error).
def _encode(value: object) -> dict[str, Any]:
    if isinstance(value, Percent):
        return {"$percent": value.value}
    if isinstance(value, datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, date):
        return {"$date": value.isoformat()}
    raise TypeError(f"{type(value).__name__} is not a cell value")


def _decode(value: dict[str, Any]) -> object:
    if "$percent" in value:
        return Percent(value["$percent"])
    if "$datetime" in value:
        return datetime.fromisoformat(value["$datetime"])
    if "$date" in value:
        return date.fromisoformat(value["$date"])
    return value
