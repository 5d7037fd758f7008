"""Feedback within minutes (issue 20): between the first reminder and the last cutoff the daemon
polls every `poll_minutes` and syncs the changed sheets only. Run through APScheduler's real
scheduler on a pretend clock (time-machine, as tests/test_year.py)."""

from __future__ import annotations

import logging
import queue
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import date, datetime, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED, JobExecutionEvent
from apscheduler.schedulers.background import BackgroundScheduler
from click.testing import Result

from jobs import sync
from tests.conftest import good_unit
from tests.test_monitor import Pings, watch
from worker.adapters.xlsx.read import read_tabs
from worker.adapters.xlsx.workbook import write_workbook
from worker.app import polling
from worker.app.scheduler import poll, start
from worker.app.wiring import open_workspace
from worker.core.calendars import CalendarError, load_calendar, parse_calendar
from worker.core.layout import load
from worker.core.settings import Settings
from worker.run.workspace import RunOptions, Workspace

Cli = Callable[..., Result]
TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def at(day: date, hour: int, minute: int, second: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute, second), TZ)


SETTINGS = Settings(Path("config.toml"), "Tỉnh Thử", (), "bcd@example.gov.vn")
DEFAULT = load_calendar()  # cutoffs 05, 10 and 15/11, reminders from 14 days before: 22/10


@pytest.mark.parametrize(
    ("previous", "now", "fires"),
    [
        (None, at(date(2026, 6, 1), 10, 3), at(date(2026, 10, 22), 0, 0)),
        (None, at(date(2026, 10, 29), 6, 31), at(date(2026, 10, 29), 6, 40)),
        (None, at(date(2026, 10, 29), 6, 40), at(date(2026, 10, 29), 6, 40)),
        (
            at(date(2026, 10, 29), 6, 40),
            at(date(2026, 10, 29), 6, 40, 1),
            at(date(2026, 10, 29), 6, 50),
        ),
        (None, at(date(2026, 11, 15), 23, 55), at(date(2027, 10, 22), 0, 0)),
        (None, at(date(2026, 12, 5), 8, 0), at(date(2027, 10, 22), 0, 0)),
    ],
    ids=[
        "before_the_window",
        "on_the_grid",
        "on_a_grid_time",
        "after_a_poll",
        "the_last_minutes",
        "after_rollover",
    ],
)
def test_polls_fire_every_poll_minutes_from_the_first_reminder_to_the_last_cutoff(
    previous: datetime | None, now: datetime, fires: datetime
) -> None:
    trigger = polling.PollTrigger(DEFAULT, SETTINGS, TZ)
    assert trigger.get_next_fire_time(previous, now) == fires


def test_a_calendar_without_polls_schedules_none() -> None:
    never = replace(DEFAULT, poll_minutes=0)
    assert (
        polling.PollTrigger(never, SETTINGS, TZ).get_next_fire_time(
            None, at(date(2026, 10, 29), 6, 0)
        )
        is None
    )


def test_poll_minutes_defaults_to_ten_and_a_bad_value_names_the_file_the_line_and_the_value() -> (
    None
):
    assert DEFAULT.poll_minutes == 10
    text = 'run_at = "06:30"\npoll_minutes = 2000\n[[cutoffs]]\ndate = "05/11"\n'
    with pytest.raises(CalendarError) as refused:
        parse_calendar(text, "lich-tinh.toml")
    assert str(refused.value) == (
        "Lịch lich-tinh.toml, dòng 2: poll_minutes = 2000 không hợp lệ — nhập số phút từ 0 "
        "đến 1440 (0: không kiểm tra giữa các lần chạy hằng ngày)"
    )
    assert parse_calendar(text.replace("2000", "0"), "lich-tinh.toml").poll_minutes == 0


class Daemon:
    """The daemon as `mohinh run` starts it, minus the signals; each job's outcome queued."""

    def __init__(self, root: Path, options: RunOptions) -> None:
        self.ws: Workspace = open_workspace(root, options)
        self.ran: queue.Queue[tuple[str, Any]] = queue.Queue()
        self.scheduler: BackgroundScheduler = start(self.ws, TZ)

        def finished(event: JobExecutionEvent) -> None:
            self.ran.put((event.job_id, event.exception or event.retval))

        self.scheduler.add_listener(finished, EVENT_JOB_EXECUTED | EVENT_JOB_ERROR)

    def wake(self, clock: Any, when: datetime) -> tuple[str, Any]:
        clock.move_to(when)
        self.scheduler.wakeup()
        return self.ran.get(timeout=60)

    def stop(self) -> None:
        self.scheduler.shutdown(wait=True)
        self.ws.close()


@pytest.fixture
def pings() -> Iterator[Pings]:
    server = Pings()
    yield server
    server.stop()


def one_error() -> dict[str, list[dict[str, Any]]]:
    rows = good_unit(1)
    rows["targets"][0]["achieved"] = -1  # "không được âm"
    return rows


def results(root: Path) -> str:
    return str(read_tabs(root / "units" / "u1.xlsx")["Kết quả"])


def test_a_fix_shows_in_its_results_within_one_poll_and_no_poll_pings_or_mails(
    workspace: Callable[..., Path], pings: Pings, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, "mohinh")
    root = workspace(("U1", one_error(), "a@x.vn"), ("U2", good_unit(1), "b@x.vn"))
    watch(root, pings.url)
    with time_machine.travel(at(date(2026, 10, 29), 6, 0, 30), tick=False) as clock:
        daemon = Daemon(root, RunOptions())  # catches up: the cycle of 29/10
        try:
            assert "không được âm" in results(root)
            mails = sorted((root / "outbox").iterdir())
            write_workbook(root / "units" / "u1.xlsx", load("unit"), good_unit(1))  # the fix
            job, report = daemon.wake(clock, at(date(2026, 10, 29), 6, 10, 1))
            assert job == "poll" and isinstance(report, sync.SyncReport)
            assert (report.opened, report.outcomes) == (1, {"U1": "written", "U2": "unchanged"})
            assert "không được âm" not in results(root)
            job, report = daemon.wake(clock, at(date(2026, 10, 29), 6, 20, 1))
            assert (job, report.opened, report.written) == ("poll", 0, [])
        finally:
            daemon.stop()
    assert sorted((root / "outbox").iterdir()) == mails
    assert pings.paths == ["/ping/ma-so-theo-doi/start", "/ping/ma-so-theo-doi"]  # the cycle's
    assert (
        "kiểm tra thay đổi lúc 06:10 29/10/2026: đọc lại 1 bảng tính, 1 cập nhật tab Kết quả, 0 lỗi"
    ) in caplog.messages
    assert not any("06:20" in m for m in caplog.messages)  # nothing written: nothing said


def test_outside_the_window_the_next_poll_is_the_first_reminder(
    workspace: Callable[..., Path],
) -> None:
    root = workspace(("U1", good_unit(1), "a@x.vn"))
    with time_machine.travel(at(date(2026, 6, 1), 6, 0), tick=False):
        daemon = Daemon(root, RunOptions())
        try:
            job = daemon.scheduler.get_job("poll")
            assert job.next_run_time == at(date(2026, 10, 22), 0, 0)
        finally:
            daemon.stop()


def test_a_dry_run_daemon_polls_and_writes_nothing(workspace: Callable[..., Path]) -> None:
    root = workspace(("U1", one_error(), "a@x.vn"))
    before = {p: p.read_bytes() for p in root.rglob("*") if p.is_file()}
    with time_machine.travel(at(date(2026, 10, 29), 6, 0, 30), tick=False) as clock:
        daemon = Daemon(root, RunOptions(dry_run=True))
        try:
            job, report = daemon.wake(clock, at(date(2026, 10, 29), 6, 10, 1))
        finally:
            daemon.stop()
    assert job == "poll" and report.outcomes == {"U1": "skipped"}  # would write: did not
    assert {p: p.read_bytes() for p in root.rglob("*") if p.is_file()} == before


def test_a_daemon_run_with_force_reads_every_sheet_daily_but_polls_for_changes_only(
    workspace: Callable[..., Path],
) -> None:
    root = workspace(("U1", good_unit(1), "a@x.vn"), ("U2", good_unit(1), "b@x.vn"))
    with time_machine.travel(at(date(2026, 10, 29), 6, 0, 30), tick=False) as clock:
        daemon = Daemon(root, RunOptions(force=True))
        try:
            job, report = daemon.wake(clock, at(date(2026, 10, 29), 6, 10, 1))
        finally:
            daemon.stop()
    assert (job, report.opened, report.outcomes) == (
        "poll",
        0,
        {"U1": "unchanged", "U2": "unchanged"},
    )


def test_a_poll_due_while_the_daily_cycle_syncs_is_left_out(
    workspace: Callable[..., Path],
) -> None:
    root = workspace(("U1", good_unit(1), "a@x.vn"))
    with open_workspace(root) as ws, polling.SYNCING:
        assert poll(ws, TZ) is None
    with sqlite3.connect(root / "state.sqlite") as db:
        assert db.execute("SELECT count(*) FROM runs").fetchone() == (0,)


def test_jobs_lists_the_next_poll(workspace: Callable[..., Path], cli: Cli) -> None:
    root = workspace(("U1", good_unit(1), "a@x.vn"))
    shown = cli("jobs", "--workspace", root, "--today", "2026-10-20")
    assert "22/10/2026 00:00  Kiểm tra bảng tính thay đổi, cập nhật tab Kết quả" in shown.output
    assert shown.exit_code == 0
