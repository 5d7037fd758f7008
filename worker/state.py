"""`state.sqlite`: the runs, the ledger of every email, the rating history, what was written.

One connection per workspace; every write commits at once, so a crash loses at most the step
under way. Keys make every job idempotent: an email key is inserted once, ever.

An email moves pending -> sending -> sent | retry | failed | uncertain. `claim` is the only way
into `sending`, one process at a time; a message found `sending` when a run starts was cut off
mid-delivery by a crash and becomes `uncertain`. An uncertain message is resent once, no more.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from worker.rules import UNRATED

SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY, job TEXT NOT NULL, today TEXT NOT NULL,
    started TEXT NOT NULL, summary TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS emails (
    key TEXT PRIMARY KEY, unit TEXT NOT NULL, cutoff TEXT NOT NULL, reminder TEXT NOT NULL,
    recipients TEXT NOT NULL, subject TEXT NOT NULL, message_id TEXT NOT NULL,
    message BLOB NOT NULL, status TEXT NOT NULL, created TEXT NOT NULL,
    delivered TEXT, location TEXT, attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt TEXT, last_error TEXT NOT NULL DEFAULT '', refused TEXT NOT NULL DEFAULT '{}',
    resent INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS reminders (
    key TEXT PRIMARY KEY, email TEXT NOT NULL REFERENCES emails (key));
CREATE TABLE IF NOT EXISTS ratings (
    unit TEXT NOT NULL, model_id TEXT NOT NULL, year INTEGER NOT NULL, level TEXT NOT NULL,
    PRIMARY KEY (unit, model_id, year));
CREATE TABLE IF NOT EXISTS sheets (
    unit TEXT PRIMARY KEY, version TEXT NOT NULL, tabs TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS results_tabs (
    unit TEXT PRIMARY KEY, sheet_id INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS published (
    name TEXT PRIMARY KEY, key TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS consolidations (
    year INTEGER PRIMARY KEY, location TEXT NOT NULL, built TEXT NOT NULL);
"""


PROVINCE = "TINH"  # the ledger's name for the province staff, beside the unit IDs
PENDING, SENDING, SENT, RETRY, FAILED, UNCERTAIN = (
    "pending",
    "sending",
    "sent",
    "retry",
    "failed",
    "uncertain",
)
MAX_ATTEMPTS = 12
FIRST_RETRY = timedelta(minutes=10)
LAST_RETRY = timedelta(hours=12)


def backoff(attempts: int) -> timedelta:
    """10 min, 20 min, 40 min … at most 12 h between two attempts."""
    return min(FIRST_RETRY * 2 ** max(attempts - 1, 0), LAST_RETRY)


def email_key(unit: str, cutoff: str, reminder: str) -> str:
    return f"{unit}|{cutoff}|{reminder}"


@dataclass(frozen=True)
class Email:
    key: str
    unit: str
    recipients: tuple[str, ...]
    subject: str
    message_id: str
    message: bytes
    status: str
    attempts: int = 0
    last_error: str = ""
    refused: str = "{}"


class State:
    def __init__(self, path: Path, in_memory_copy: bool = False) -> None:
        """Open the state at `path`; `in_memory_copy` (dry runs) opens a copy never saved."""
        self.path = path
        if in_memory_copy:
            self.db = sqlite3.connect(":memory:", isolation_level=None)
            if path.exists():
                source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
                source.backup(self.db)
                source.close()
        else:
            self.db = sqlite3.connect(path, isolation_level=None, timeout=30)
        self.db.executescript(SCHEMA)

    def close(self) -> None:
        self.db.close()

    def record_run(self, job: str, today: str, summary: dict[str, object]) -> None:
        self.db.execute(
            "INSERT INTO runs (job, today, started, summary) VALUES (?, ?, ?, ?)",
            (
                job,
                today,
                datetime.now().isoformat(timespec="seconds"),
                json.dumps(summary, ensure_ascii=False, default=str),
            ),
        )

    # The ledger of emails: pending -> sent.
    def has_email(self, key: str) -> bool:
        return self.db.execute("SELECT 1 FROM emails WHERE key = ?", (key,)).fetchone() is not None

    def reminder_sent(self, key: str) -> bool:
        """Whether a message already carried this (unit, cutoff, reminder)."""
        found = self.db.execute("SELECT 1 FROM reminders WHERE key = ?", (key,)).fetchone()
        return found is not None

    def add_email(
        self,
        key: str,
        unit: str,
        cutoff: str,
        reminder: str,
        recipients: tuple[str, ...],
        message: EmailMessage,
        covers: tuple[str, ...] = (),
    ) -> bool:
        """Queue a message once, with the reminder keys it carries; False if already queued."""
        row = (
            key,
            unit,
            cutoff,
            reminder,
            ";".join(recipients),
            str(message["Subject"]),
            str(message["Message-ID"]),
            message.as_bytes(),
            datetime.now().isoformat(timespec="seconds"),
            PENDING,
        )
        with self.db:
            self.db.execute("BEGIN IMMEDIATE")
            cursor = self.db.execute(
                "INSERT OR IGNORE INTO emails (key, unit, cutoff, reminder, recipients, subject,"
                " message_id, message, created, status) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                row,
            )
            added = cursor.rowcount == 1
            if added:
                self.db.executemany(
                    "INSERT OR IGNORE INTO reminders VALUES (?, ?)", [(c, key) for c in covers]
                )
        return added

    def _emails(self, where: str, *args: object) -> list[Email]:
        rows = self.db.execute(
            "SELECT key, unit, recipients, subject, message_id, message, status, attempts,"
            f" last_error, refused FROM emails WHERE {where} ORDER BY created, key",
            args,
        )
        return [
            Email(k, u, tuple(r.split(";")), s, m, b, st, a, e, rf)
            for k, u, r, s, m, b, st, a, e, rf in rows
        ]

    def due_emails(self, now: datetime) -> list[Email]:
        """Messages to (re)send now: pending, retries whose time has come, uncertain ones once."""
        return self._emails(
            "status = 'pending' OR (status = 'retry' AND next_attempt <= ?)"
            " OR (status = 'uncertain' AND resent = 0)",
            now.isoformat(),
        )

    def recover_interrupted(self) -> int:
        """A message still `sending` when a run starts was cut off by a crash: uncertain."""
        return self.db.execute(
            "UPDATE emails SET status = 'uncertain', last_error = 'bị ngắt khi đang gửi'"
            " WHERE status = 'sending'"
        ).rowcount

    def claim(self, key: str) -> bool:
        """Take a due message for sending; False when another run has taken or settled it."""
        return (
            self.db.execute(
                "UPDATE emails SET status = 'sending', attempts = attempts + 1,"
                " resent = resent + (status = 'uncertain')"
                " WHERE key = ? AND status IN ('pending', 'retry', 'uncertain')",
                (key,),
            ).rowcount
            == 1
        )

    def settle(
        self,
        key: str,
        status: str,
        now: datetime,
        error: str = "",
        refused: dict[str, str] | None = None,
        location: str = "",
    ) -> None:
        """Record how one attempt ended; a transient failure is retried after a backoff."""
        attempts = self.db.execute("SELECT attempts FROM emails WHERE key = ?", (key,)).fetchone()[
            0
        ]
        if status == RETRY and attempts >= MAX_ATTEMPTS:
            status, error = FAILED, f"{error} (đã thử {attempts} lần)"
        self.db.execute(
            "UPDATE emails SET status = ?, last_error = ?, refused = ?, location = ?,"
            " next_attempt = ?, delivered = ? WHERE key = ?",
            (
                status,
                error,
                json.dumps(refused or {}, ensure_ascii=False),
                location,
                (now + backoff(attempts)).isoformat() if status == RETRY else None,
                now.isoformat() if status == SENT else None,
                key,
            ),
        )

    def delivery_problems(self, year: int) -> list[Email]:
        """What the province must hear of this year: failed, uncertain, partly refused."""
        return self._emails(
            "(status IN ('failed', 'uncertain') OR refused != '{}')"
            " AND (cutoff LIKE ? OR cutoff = ?)",
            f"{year}-%",
            f"tong-hop-{year}",
        )

    # Rating history: (13) is required from a model's second rated year on.
    def rated_before(self, unit: str, year: int) -> set[str]:
        """Models of `unit` that received a rating (not "Chưa xếp loại") in a year before."""
        rows = self.db.execute(
            "SELECT DISTINCT model_id FROM ratings WHERE unit = ? AND year < ? AND level != ?",
            (unit, year, UNRATED),
        )
        return {model_id for (model_id,) in rows}

    def save_ratings(self, unit: str, year: int, levels: dict[str, str]) -> None:
        with self.db:
            self.db.execute("BEGIN")
            self.db.execute("DELETE FROM ratings WHERE unit = ? AND year = ?", (unit, year))
            self.db.executemany(
                "INSERT INTO ratings VALUES (?, ?, ?, ?)",
                [(unit, m, year, level) for m, level in levels.items()],
            )

    # What a remote unit sheet held at a version (Google: its Drive modifiedTime), so that an
    # unchanged sheet costs no request.
    def cached_sheet(self, unit: str, version: str) -> dict[str, list[list[Any]]] | None:
        row = self.db.execute(
            "SELECT tabs FROM sheets WHERE unit = ? AND version = ?", (unit, version)
        ).fetchone()
        return json.loads(row[0]) if row else None

    def cache_sheet(self, unit: str, version: str, tabs: dict[str, list[list[Any]]]) -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO sheets VALUES (?, ?, ?)",
            (unit, version, json.dumps(tabs, ensure_ascii=False)),
        )

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
