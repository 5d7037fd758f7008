"""The ledger of every email, in `state.sqlite`: one row per message, one per (unit, cutoff,
reminder) it carried. Keys make every job idempotent: an email key is inserted once, ever.

An email moves pending -> sending -> sent | retry | failed | uncertain. `claim` is the only way
into `sending`, one process at a time; a message found `sending` when a run starts was cut off
mid-delivery by a crash and becomes `uncertain`. An uncertain message is resent once, no more.

A message's body is kept compressed while it may still be sent (pending, retried, uncertain
and not yet resent) and dropped once it is done: the ledger keeps whom, what and when (the
subject, the Message-ID), not every digest of the year (at 2,000 units those made the state
tens of MB, and each of its backups as much). Sent as files, the body stays in outbox/.
"""

from __future__ import annotations

import json
import sqlite3
import zlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage

from worker.adapters.store.db import atomic

SCHEMA = """
CREATE TABLE IF NOT EXISTS emails (
    key TEXT PRIMARY KEY, unit TEXT NOT NULL, cutoff TEXT NOT NULL, reminder TEXT NOT NULL,
    recipients TEXT NOT NULL, subject TEXT NOT NULL, message_id TEXT NOT NULL,
    message BLOB NOT NULL, status TEXT NOT NULL, created TEXT NOT NULL,
    delivered TEXT, location TEXT, attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt TEXT, last_error TEXT NOT NULL DEFAULT '', refused TEXT NOT NULL DEFAULT '{}',
    resent INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS reminders (
    key TEXT PRIMARY KEY, email TEXT NOT NULL REFERENCES emails (key));
"""


# The state's format (PRAGMA user_version): 1 = message bodies compressed, dropped once done.
# A state made before (0) is brought to it when opened.
BODIES_COMPRESSED = 1
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


def done(status: str, resent: int) -> bool:
    """Whether a message will never be sent again: its body is no longer needed."""
    return status in (SENT, FAILED) or (status == UNCERTAIN and resent > 0)


def _body(kept: bytes) -> bytes:
    """A message's body as the ledger keeps it (compressed), or b"" once it was dropped."""
    return zlib.decompress(kept) if kept else b""


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
    delivered: str | None = None  # when it first reached a recipient
    next_attempt: str | None = None  # when a retry is due
    resent: int = 0  # uncertain ones sent again (at most once)

    def targets(self) -> tuple[str, ...]:
        """Whom this attempt sends to: after a partial delivery, only those a 4xx answer
        deferred; otherwise everyone but those a 5xx answer refused for good."""
        refused = json.loads(self.refused)
        if self.delivered:
            return tuple(a for a in self.recipients if refused.get(a, "").startswith("4"))
        return tuple(a for a in self.recipients if not refused.get(a, "").startswith("5"))


class Ledger:
    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db
        db.executescript(SCHEMA)
        if db.execute("PRAGMA user_version").fetchone()[0] < BODIES_COMPRESSED:
            self._compress_bodies()

    def _compress_bodies(self) -> None:
        """A state made before bodies were compressed: each body compressed, or dropped when
        its message is done; then the file shrinks to what it holds (once)."""
        with atomic(self.db):
            rows = self.db.execute("SELECT key, status, resent, message FROM emails").fetchall()
            self.db.executemany(
                "UPDATE emails SET message = ? WHERE key = ?",
                [(b"" if done(st, rs) else zlib.compress(m), k) for k, st, rs, m in rows],
            )
            self.db.execute(f"PRAGMA user_version = {BODIES_COMPRESSED}")
        if rows:
            self.db.execute("VACUUM")

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
            zlib.compress(message.as_bytes()),
            datetime.now().isoformat(timespec="seconds"),
            PENDING,
        )
        with atomic(self.db):
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
            " last_error, refused, delivered, next_attempt, resent FROM emails"
            f" WHERE {where} ORDER BY created, key",
            args,
        )
        return [
            Email(k, u, tuple(r.split(";")), s, m, _body(b), st, a, e, rf, d, n, rs)
            for k, u, r, s, m, b, st, a, e, rf, d, n, rs in rows
        ]

    def email(self, key: str) -> Email:
        (found,) = self._emails("key = ?", key)
        return found

    def waiting_emails(self, now: datetime) -> list[Email]:
        """Messages to retry later: not due yet, not delivered to everyone either."""
        return self._emails("status = 'retry' AND next_attempt > ?", now.isoformat())

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
        """Record how one attempt ended; a transient failure is retried after a backoff.

        A message sent to some recipients keeps the time it was first delivered and where,
        even while a 4xx answer for others keeps it in `retry`. A message done drops its body."""
        attempts, resent = self.db.execute(
            "SELECT attempts, resent FROM emails WHERE key = ?", (key,)
        ).fetchone()
        if status == RETRY and attempts >= MAX_ATTEMPTS:
            status, error = FAILED, f"{error} (đã thử {attempts} lần)"
        self.db.execute(
            "UPDATE emails SET status = ?, last_error = ?, refused = ?,"
            " location = COALESCE(NULLIF(?, ''), location), next_attempt = ?,"
            " delivered = COALESCE(delivered, ?),"
            " message = CASE WHEN ? THEN X'' ELSE message END WHERE key = ?",
            (
                status,
                error,
                json.dumps(refused or {}, ensure_ascii=False),
                location,
                (now + backoff(attempts)).isoformat() if status == RETRY else None,
                now.isoformat() if location else None,
                done(status, resent),
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
