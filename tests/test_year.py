"""A whole year unattended: the daemon's scheduler on a pretend clock, a real SMTP server.

01/11/2025 → 30/11/2026, one daily run; the worker is down from 19/10 to 28/10/2026 (then
restarted) and the mail server from 01/11 to 02/11/2026. Every digest the calendar makes due
arrives exactly once, except reminders superseded during the outage; each year's consolidation
is built and sent once.
"""

from __future__ import annotations

import queue
import sqlite3
from collections import Counter
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from email import message_from_bytes
from email.policy import default
from pathlib import Path
from zoneinfo import ZoneInfo

import time_machine
from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED, JobExecutionEvent
from apscheduler.schedulers.background import BackgroundScheduler

from tests.conftest import MailServer, good_unit, use_smtp
from worker.app.scheduler import start
from worker.app.wiring import open_workspace
from worker.run.workspace import Workspace

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
FIRST, LAST = date(2025, 11, 1), date(2026, 11, 30)
WORKER_DOWN = {date(2026, 10, 19) + timedelta(days=n) for n in range(10)}
MAIL_DOWN = {date(2026, 11, 1), date(2026, 11, 2)}
CUTOFFS = ((11, 5), (11, 10), (11, 15))
OFFSETS = (14, 7, 3, 1)


def expected_reminders(run_days: list[date]) -> list[tuple[date, list[tuple[date, int]]]]:
    """What SPEC §3.6 and the issue say, written out plainly: on each run day, for each cutoff
    still ahead, the latest reminder day that has arrived, if no earlier run sent it."""
    sent: set[tuple[date, int]] = set()
    runs = []
    for day in run_days:
        year = day.year + 1 if day.month == 12 else day.year
        new = []
        for month, dom in CUTOFFS:
            cutoff = date(year, month, dom)
            arrived = [o for o in OFFSETS if cutoff - timedelta(days=o) <= day < cutoff]
            if arrived and (cutoff, min(arrived)) not in sent:
                new.append((cutoff, min(arrived)))
        sent.update(new)
        if new:
            runs.append((day, new))
    return runs


class Daemon:
    """The daemon as `mohinh run` starts it, minus the signals; waits for each run to end."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.done: queue.Queue[str] = queue.Queue()
        self.errors: list[BaseException] = []
        self.ws: Workspace | None = None
        self.scheduler: BackgroundScheduler | None = None

    def start(self) -> None:
        self.ws = open_workspace(self.root)
        self.scheduler = start(self.ws, TZ)

        def finished(event: JobExecutionEvent) -> None:
            if event.exception:
                self.errors.append(event.exception)
            self.done.put(event.job_id)

        self.scheduler.add_listener(finished, EVENT_JOB_EXECUTED | EVENT_JOB_ERROR)

    def stop(self) -> None:
        assert self.scheduler is not None and self.ws is not None
        self.scheduler.shutdown(wait=True)
        self.ws.close()

    def run_due_jobs(self) -> None:
        """Wake the scheduler at the (pretend) time and wait for both jobs to have run (and,
        from the first reminder to the last cutoff, the poll due then too)."""
        assert self.scheduler is not None
        self.scheduler.wakeup()
        ran = set()
        while not {"cycle", "deliver"} <= ran:
            ran.add(self.done.get(timeout=60))
        assert ran <= {"cycle", "deliver", "poll"}, ran
        assert not self.errors, self.errors


def test_a_simulated_year_sends_every_digest_once_and_consolidates_once(
    workspace: Callable[..., Path], mail_server: MailServer
) -> None:
    root = workspace(
        ("U1", good_unit(1), "a@example.gov.vn"), ("U2", good_unit(1), "b@example.gov.vn")
    )
    use_smtp(root, mail_server)
    daemon = Daemon(root)
    run_days = []
    with time_machine.travel(datetime.combine(FIRST, time(6, 0), TZ), tick=False) as clock:
        daemon.start()  # catches up at 06:00 on the first day
        run_days.append(FIRST)
        day = FIRST
        while day < LAST:
            day += timedelta(days=1)
            if day in WORKER_DOWN:
                if daemon.scheduler is not None:
                    daemon.stop()
                    daemon.scheduler = None
                continue
            if day in MAIL_DOWN and mail_server.controller is not None:
                mail_server.stop()
            if day not in MAIL_DOWN and mail_server.controller is None:
                mail_server.start()
            clock.move_to(datetime.combine(day, time(6, 30, 1), TZ))
            if daemon.scheduler is None:
                daemon.start()  # restarted after the outage: catches up once
            else:
                daemon.run_due_jobs()
            run_days.append(day)
        daemon.stop()

    expected = expected_reminders(run_days)
    superseded = (date(2026, 11, 5), 14)  # due 22/10, during the outage
    assert superseded not in {k for _, keys in expected for k in keys}
    received = [message_from_bytes(m, policy=default) for _, m in mail_server.handler.received]
    ids = Counter(m["Message-ID"] for m in received)
    assert max(ids.values()) == 1  # nothing twice
    by_recipient = Counter(str(m["To"]) for m in received)
    consolidations = [m for m in received if str(m["Subject"]).startswith("Bảng tổng hợp")]
    assert [str(m["Subject"]).split(" — ")[0] for m in consolidations] == [
        "Bảng tổng hợp mô hình, điển hình năm 2025",
        "Bảng tổng hợp mô hình, điển hình năm 2026",
    ]
    assert by_recipient == {
        "a@example.gov.vn": len(expected),
        "b@example.gov.vn": len(expected),
        "tinh@example.gov.vn": len(expected) + 2,
    }
    with sqlite3.connect(root / "state.sqlite") as db:
        keys = {k for (k,) in db.execute("SELECT key FROM reminders WHERE key LIKE 'U1|%'")}
        statuses = Counter(s for (s,) in db.execute("SELECT status FROM emails"))
    assert keys == {f"U1|{c.isoformat()}|{o}" for _, new in expected for c, o in new}
    assert statuses == {"sent": 3 * len(expected) + 2}
    assert (root / "reports" / "tong-hop-2025.xlsx").exists()
    assert (root / "reports" / "tong-hop-2026.xlsx").exists()
    # the two digests queued while the mail server was down arrived when it came back
    late = [
        m
        for m in received
        if m["Date"]
        and "Nov 2026" in m["Date"]
        and int(str(m["Date"]).split()[1]) in (1, 2)
        and str(m["To"]) == "a@example.gov.vn"
    ]
    assert len(late) == 2
