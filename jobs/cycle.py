"""One pass of everything due: sync, remind, consolidate (when due), deliver.

Level-triggered: each job asks the state what is due and not yet done, so running it twice
does nothing twice and running it after downtime catches up once.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime

from jobs import consolidate, deliver, remind, sync
from worker.run.workspace import Workspace


@dataclass
class CycleReport:
    sync: sync.SyncReport
    remind: remind.RemindReport
    consolidate: consolidate.ConsolidateReport | None
    deliver: deliver.DeliverReport

    @property
    def ok(self) -> bool:
        """No unit, registry row or message left undone (failed, or waiting)."""
        return not (self.sync.trouble or self.deliver.trouble)

    def summary(self, today: date) -> str:
        """One line: what the cycle did, for the log and the heartbeat."""
        outcomes = list(self.sync.outcomes.values())
        mail = ", ".join(f"{n} {MAIL.get(s, s)}" for s, n in self.deliver.outcomes.items())
        if self.deliver.waiting:
            mail += f"{', ' if mail else ''}{self.deliver.waiting} chưa gửi được, sẽ thử lại"
        return (
            f"chu kỳ {today:%d/%m/%Y}: {len(outcomes)} đơn vị ({outcomes.count(sync.WRITTEN)} "
            f"cập nhật, {outcomes.count(sync.UNCHANGED)} không đổi, {self.sync.failed} lỗi), "
            f"{len(self.sync.registry)} lỗi danh mục, {len(self.remind.queued)} thư mới, "
            f"thư: {mail or 'không có'}" + ("" if self.ok else " — có lỗi")
        )


MAIL = {"sent": "đã gửi", "retry": "sẽ thử lại", "failed": "lỗi", "uncertain": "chưa chắc đã đến"}


def run_once(ws: Workspace, today: date, now: datetime) -> CycleReport:
    """Every job due; after a stop request, nothing past the units already read."""
    synced = sync.run(ws, today, now)
    if ws.stopping():
        report = CycleReport(synced, remind.RemindReport(), None, deliver.DeliverReport())
    else:
        reminded = remind.run(ws, today, now)
        built = consolidate.run(ws, today, now) if consolidate.is_due(ws, today) else None
        report = CycleReport(synced, reminded, built, deliver.run(ws, today, now))
    log_cycle(ws.options.log, today, report)
    return report


def log_cycle(log: logging.Logger, today: date, report: CycleReport) -> None:
    """A line per failed unit and registry problem, with its reason; one line for the cycle."""
    for unit, problem in report.sync.problems.items():
        log.warning("đơn vị %s lỗi — %s", unit, problem)
    for error in report.sync.registry:
        log.warning("danh mục đơn vị: %s", error)
    if report.deliver.unavailable:
        log.warning("thư: %s", report.deliver.unavailable)
    for line in report.deliver.undelivered:
        log.warning("thư: %s", line)
    log.log(logging.INFO if report.ok else logging.ERROR, "%s", report.summary(today))
