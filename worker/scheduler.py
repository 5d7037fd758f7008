"""`mohinh run`: the daemon. APScheduler calls one level-triggered cycle a day.

Correctness does not rest on APScheduler's misfire handling: the cycle asks the state what is
due and not done, so the catch-up run at start-up after any downtime does what was missed, once.
"""

from __future__ import annotations

import logging
import signal
import threading
from datetime import datetime, tzinfo
from types import FrameType

from apscheduler.events import EVENT_JOB_ERROR, JobExecutionEvent
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger

from worker.jobs import cycle
from worker.workspace import Workspace

log = logging.getLogger("mohinh")
DAY = 24 * 3600


def tick(ws: Workspace, tz: tzinfo) -> cycle.CycleReport:
    """One cycle on a freshly opened workspace (the configuration may have changed)."""
    now = datetime.now(tz)
    with Workspace(ws.root) as fresh:
        report = cycle.run_once(fresh, now.date(), now)
    log.info(
        "chu kỳ %s: %d đơn vị, %d lỗi đơn vị, %d thư mới, %d thư đã gửi",
        now.date().isoformat(),
        len(report.sync.outcomes),
        report.sync.failed,
        len(report.remind.queued),
        len(report.deliver.delivered),
    )
    return report


def build(ws: Workspace, tz: tzinfo) -> BackgroundScheduler:
    scheduler = BackgroundScheduler(
        timezone=tz,
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": DAY},
    )
    at = ws.calendar.run_at
    scheduler.add_job(
        tick,
        CronTrigger(hour=at.hour, minute=at.minute, timezone=tz),
        args=(ws, tz),
        id="cycle",
        name="Chu kỳ hằng ngày",
    )

    def on_error(event: JobExecutionEvent) -> None:
        log.error("công việc %s lỗi: %r", event.job_id, event.exception)

    scheduler.add_listener(on_error, EVENT_JOB_ERROR)
    return scheduler


def serve(ws: Workspace, tz: tzinfo) -> int:
    """Catch up now, then run daily until SIGTERM or Ctrl-C; returns the exit status.

    The signal handler only sets an event: the main thread then lets the cycle under way
    finish (its state is committed step by step) and shuts the scheduler down.
    """
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        log.info("nhận tín hiệu %d: dừng sau việc đang làm", signum)
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    tick(ws, tz)
    scheduler = build(ws, tz)
    scheduler.start()
    log.info("mohinh chạy nền: mỗi ngày lúc %s (%s)", ws.calendar.run_at.strftime("%H:%M"), tz)
    stop.wait()
    scheduler.shutdown(wait=True)
    log.info("mohinh đã dừng")
    return 0
