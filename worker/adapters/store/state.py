"""`state.sqlite`: the runs, the rating history, the consolidations and what the mail server
offered when last seen; it opens the file for the email ledger (`worker.adapters.store.ledger`)
and the results kept from each unit's last read (`worker.adapters.store.kept`), and hands its
connection to the Google backend's cache (`worker.adapters.store.google_cache`).

One connection per workspace; every write commits at once, so a crash loses at most the step
under way.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import datetime
from pathlib import Path

from worker.adapters.store import backups
from worker.adapters.store.db import atomic
from worker.adapters.store.kept import KeptResults
from worker.adapters.store.ledger import Ledger
from worker.core.rules import UNRATED

SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY, job TEXT NOT NULL, today TEXT NOT NULL,
    started TEXT NOT NULL, summary TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS ratings (
    unit TEXT NOT NULL, model_id TEXT NOT NULL, year INTEGER NOT NULL, level TEXT NOT NULL,
    PRIMARY KEY (unit, model_id, year));
CREATE TABLE IF NOT EXISTS consolidations (
    year INTEGER PRIMARY KEY, location TEXT NOT NULL, built TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS mail_servers (
    server TEXT PRIMARY KEY, smtputf8 INTEGER NOT NULL, seen TEXT NOT NULL);
"""


class State:
    def __init__(self, path: Path, in_memory_copy: bool = False) -> None:
        """Open the state at `path`; `in_memory_copy` (dry runs) opens a copy never saved."""
        self.path = path
        if in_memory_copy:
            self.db = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
            if path.exists():
                source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
                source.backup(self.db)
                source.close()
        else:
            # Sync reads units in one thread while it writes in another, both through this
            # connection (the read cache, the ratings): SQLite serializes them (threadsafety 3).
            self.db = sqlite3.connect(
                path, isolation_level=None, timeout=backups.BUSY_SECONDS, check_same_thread=False
            )
        self.db.executescript(SCHEMA)
        self.ledger = Ledger(self.db)
        self.kept = KeptResults(self.db)
        # Rows written that only log a run or keep a cache: a backup is not taken for them
        self._bookkeeping = 0

    @property
    def changed(self) -> bool:
        """Whether this connection changed more than the run log and the results kept."""
        return self.db.total_changes > self._bookkeeping

    @contextmanager
    def bookkeeping(self) -> Iterator[None]:
        """The block's writes are bookkeeping (see `changed`)."""
        before = self.db.total_changes
        try:
            yield
        finally:
            self._bookkeeping += self.db.total_changes - before

    def close(self) -> None:
        self.db.close()

    def record_run(self, job: str, today: str, summary: dict[str, object]) -> None:
        with self.bookkeeping():
            self.db.execute(
                "INSERT INTO runs (job, today, started, summary) VALUES (?, ?, ?, ?)",
                (
                    job,
                    today,
                    datetime.now().isoformat(timespec="seconds"),
                    json.dumps(summary, ensure_ascii=False, default=str),
                ),
            )

    # Rating history: (13), the decision on last year's rating, is required when the model was
    # rated for Y−1. Each year keeps the decided rating where it counts, the proposal otherwise.
    def rated_before(self, unit: str, year: int) -> set[str]:
        """Models of `unit` that received a rating (not "Chưa xếp loại") for `year` − 1."""
        rows = self.db.execute(
            "SELECT DISTINCT model_id FROM ratings WHERE unit = ? AND year = ? AND level != ?",
            (unit, year - 1, UNRATED),
        )
        return {model_id for (model_id,) in rows}

    def history(self, before: int) -> dict[str, dict[str, dict[int, str]]]:
        """Every recorded level of a year before `before`: unit -> model -> year -> level (the
        decided rating where the unit recorded one, the proposal otherwise)."""
        found: dict[str, dict[str, dict[int, str]]] = {}
        rows = self.db.execute(
            "SELECT unit, model_id, year, level FROM ratings WHERE year < ?", (before,)
        )
        for unit, model_id, year, level in rows:
            found.setdefault(unit, {}).setdefault(model_id, {})[year] = level
        return found

    def transaction(self) -> AbstractContextManager[None]:
        """One transaction for a job's many writes (each write method joins it)."""
        return atomic(self.db)

    def save_ratings(self, unit: str, year: int, levels: dict[str, str]) -> None:
        """The unit's levels of `year`, replacing those kept; nothing is written when they are
        the same (a sheet saved again unchanged changes nothing worth a backup)."""
        kept = self.db.execute(
            "SELECT model_id, level FROM ratings WHERE unit = ? AND year = ?", (unit, year)
        )
        if dict(kept.fetchall()) == levels:
            return
        with atomic(self.db):
            self.db.execute("DELETE FROM ratings WHERE unit = ? AND year = ?", (unit, year))
            self.db.executemany(
                "INSERT INTO ratings VALUES (?, ?, ?, ?)",
                [(unit, m, year, level) for m, level in levels.items()],
            )

    def consolidated(self, year: int) -> str | None:
        row = self.db.execute(
            "SELECT location FROM consolidations WHERE year = ?", (year,)
        ).fetchone()
        return row[0] if row else None

    def set_consolidated(self, year: int, location: str) -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO consolidations VALUES (?, ?, ?)",
            (year, location, datetime.now().isoformat(timespec="seconds")),
        )

    # What the mail server offered at its last session: whether internationalised addresses
    # can go (SMTPUTF8); the registry check refuses them when they cannot.
    def record_mail_server(self, server: str, smtputf8: bool) -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO mail_servers VALUES (?, ?, ?)",
            (server, int(smtputf8), datetime.now().isoformat(timespec="seconds")),
        )

    def mail_server_smtputf8(self, server: str) -> bool | None:
        """Whether `server` offered SMTPUTF8 when last seen; None: never seen."""
        row = self.db.execute(
            "SELECT smtputf8 FROM mail_servers WHERE server = ?", (server,)
        ).fetchone()
        return None if row is None else bool(row[0])
