"""`mohinh run`: the daemon. APScheduler calls one level-triggered cycle a day, retries
deliveries between, and polls for changed sheets between the first reminder and the last
cutoff (`worker.app.polling`).

Correctness does not rest on APScheduler's misfire handling: the cycle asks the state what is
due and not done, so the catch-up run at start-up after any downtime does what was missed, once.
"""

from __future__ import annotations

import logging
import signal
from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime, tzinfo
from types import FrameType
from typing import TypeVar

from apscheduler.events import EVENT_JOB_ERROR, JobExecutionEvent
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from jobs import cycle, deliver, sync
from worker.app import polling
from worker.app.monitor import Heartbeat
from worker.app.wiring import back_up, environment_errors, open_workspace
from worker.core.errors import EnvironmentProblem, Status
from worker.run.workspace import Workspace

DAY = 24 * 3600
CATCH_UP = "catch-up"  # the job retrying a start-up cycle the environment stopped
T = TypeVar("T")


def run_cycle(ws: Workspace, today: date, now: datetime) -> cycle.CycleReport:
    """One cycle, told to the heartbeat monitor: start, then success or failure.

    A dry run pings nothing: it is not the worker doing its work."""
    beat = Heartbeat("" if ws.dry_run else ws.settings.heartbeat_url, ws.options.log)
    beat.start()
    try:
        report = cycle.run_once(ws, today, now)
    except Exception as exc:
        beat.finish(False, f"chu kỳ {today:%d/%m/%Y} dừng vì lỗi: {exc!r}")
        raise
    beat.finish(report.ok, report.summary(today))
    return report


def tick(ws: Workspace, tz: tzinfo) -> cycle.CycleReport:
    """The daily cycle on a freshly opened workspace (the configuration may have changed)."""
    today, now = ws.options.clock(tz)
    # `ws` holds the lock; the fresh one runs with the same options (dry run, force, stop)
    with (
        polling.SYNCING,
        environment_errors(ws.root),
        open_workspace(ws.root, ws.options, lock=False) as fresh,
    ):
        for notice in fresh.notices:
            ws.options.log.warning("%s", notice)
        report = run_cycle(fresh, today, now)
        back_up(fresh, now)
    return report


def poll(ws: Workspace, tz: tzinfo) -> sync.SyncReport | None:
    """Sync the units whose sheets changed since they were read (the others are not opened);
    None when the daily cycle is syncing. No mail, no heartbeat."""
    if not polling.SYNCING.acquire(blocking=False):
        return None
    try:
        today, now = ws.options.clock(tz)
        # A poll looks for changes: `--force` (read every sheet) is the daily cycle's
        options = replace(ws.options, force=False)
        with environment_errors(ws.root), open_workspace(ws.root, options, lock=False) as fresh:
            report = sync.run(fresh, today, now)
            back_up(fresh, now)
    finally:
        polling.SYNCING.release()
    if report.written:  # a fix shown; a unit's trouble is the daily cycle's to tell
        ws.options.log.info("%s", polling.report_line(now, report))
    return report


def retry_deliveries(ws: Workspace, tz: tzinfo) -> deliver.DeliverReport:
    """Between daily cycles: send what a failed delivery left due."""
    today, now = ws.options.clock(tz)
    with environment_errors(ws.root), open_workspace(ws.root, ws.options, lock=False) as fresh:
        report = deliver.run(fresh, today, now)
        back_up(fresh, now)
    if report.due:
        ws.options.log.info(
            "gửi lại thư %s: %s %s",
            now.isoformat(timespec="minutes"),
            dict(report.outcomes),
            report.unavailable,
        )
    return report


def logged(job: Callable[[Workspace, tzinfo], T], ws: Workspace, tz: tzinfo) -> T | None:
    """A scheduled job whose environment failed (network, disk, state store) is logged with its
    reason and None returned: the daemon goes on, and the job's next run retries."""
    try:
        return job(ws, tz)
    except EnvironmentProblem as exc:
        ws.options.log.error("%s không chạy được, sẽ thử lại lần sau: %s", job.__name__, exc)
        return None


def build(ws: Workspace, tz: tzinfo) -> BackgroundScheduler:
    """The jobs and their times, from the workspace's calendar."""
    scheduler = BackgroundScheduler(
        timezone=tz,
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": DAY},
    )
    at = ws.calendar.run_at
    scheduler.add_job(
        logged,
        CronTrigger(hour=at.hour, minute=at.minute, timezone=tz),
        args=(tick, ws, tz),
        id="cycle",
        name="Chu kỳ hằng ngày: đồng bộ, nhắc hạn, tổng hợp, gửi thư",
    )
    scheduler.add_job(
        logged,
        IntervalTrigger(minutes=ws.calendar.retry_minutes, timezone=tz),
        args=(retry_deliveries, ws, tz),
        id="deliver",
        name="Gửi lại thư chưa gửi được",
    )

    if ws.calendar.poll_minutes:
        scheduler.add_job(
            logged,
            polling.PollTrigger(ws.calendar, ws.settings, tz),
            args=(poll, ws, tz),
            id="poll",
            name="Kiểm tra bảng tính thay đổi, cập nhật tab Kết quả",
        )

    def on_error(event: JobExecutionEvent) -> None:
        ws.options.log.error("công việc %s lỗi: %r", event.job_id, event.exception)

    scheduler.add_listener(on_error, EVENT_JOB_ERROR)
    return scheduler


def next_runs(ws: Workspace, tz: tzinfo, now: datetime) -> list[tuple[str, datetime]]:
    """Each job's name and next run time after `now` (the real time, or `--today`'s), as the
    daemon would schedule them: asked of each job's trigger, a pure function of the time."""
    jobs = build(ws, tz).get_jobs()  # not started: nothing runs
    return [
        (job.name, when)
        for job in jobs
        if (when := job.trigger.get_next_fire_time(None, now)) is not None
    ]


def start(ws: Workspace, tz: tzinfo) -> BackgroundScheduler:
    """Catch up on whatever is due now, then schedule the jobs; returns the running scheduler.

    A catch-up the environment stops (the network down at start) does not stop the daemon: it
    is logged and retried every `retry_minutes` until it succeeds."""
    caught_up = logged(tick, ws, tz) is not None
    scheduler = build(ws, tz)
    if not caught_up:

        def catch_up() -> None:
            if logged(tick, ws, tz) is not None:
                scheduler.remove_job(CATCH_UP)

        scheduler.add_job(
            catch_up,
            IntervalTrigger(minutes=ws.calendar.retry_minutes, timezone=tz),
            id=CATCH_UP,
            name="Chạy bù chu kỳ lúc khởi động",
        )
    scheduler.start()
    ws.options.log.info(
        "mohinh chạy nền: mỗi ngày lúc %s (%s)", ws.calendar.run_at.strftime("%H:%M"), tz
    )
    return scheduler


def serve(ws: Workspace, tz: tzinfo) -> int:
    """Run until SIGTERM or Ctrl-C; returns the exit status.

    The signal handler only sets the workspace's stop event: the job under way finishes the
    unit it is on (state is committed step by step), then the scheduler shuts down. A signal
    that came before (caught by `worker.app.entry` while the process started) set it already:
    nothing is started.
    """

    def on_signal(signum: int, frame: FrameType | None) -> None:
        ws.options.log.info("nhận tín hiệu %d: dừng sau đơn vị đang xử lý", signum)
        ws.stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    if ws.stop.is_set():
        ws.options.log.info("mohinh đã dừng trước khi chạy: nhận tín hiệu dừng lúc khởi động")
        return Status.OK
    scheduler = start(ws, tz)
    ws.stop.wait()
    scheduler.shutdown(wait=True)
    ws.options.log.info("mohinh đã dừng")
    return Status.OK
