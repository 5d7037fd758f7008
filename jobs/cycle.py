"""One pass of everything due: sync, remind, consolidate (when due), deliver.

Level-triggered: each job asks the state what is due and not yet done, so running it twice
does nothing twice and running it after downtime catches up once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from jobs import consolidate, deliver, remind, sync
from worker.workspace import Workspace


@dataclass
class CycleReport:
    sync: sync.SyncReport
    remind: remind.RemindReport
    consolidate: consolidate.ConsolidateReport | None
    deliver: deliver.DeliverReport


def run_once(ws: Workspace, today: date, now: datetime) -> CycleReport:
    """Every job due; after a stop request, nothing past the units already read."""
    synced = sync.run(ws, today, now)
    if ws.stopping():
        return CycleReport(synced, remind.RemindReport(), None, deliver.DeliverReport())
    reminded = remind.run(ws, today, now)
    built = consolidate.run(ws, today, now) if consolidate.is_due(ws, today) else None
    return CycleReport(synced, reminded, built, deliver.run(ws, today, now))
