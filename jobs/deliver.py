"""deliver: hand every pending message of the ledger over; here, as files in outbox/."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from worker.notifications import outbox
from worker.state import Email
from worker.workspace import Workspace


@dataclass
class DeliverReport:
    delivered: list[str] = field(default_factory=list)  # where each message went
    pending: int = 0


def deliver_one(ws: Workspace, email: Email) -> str:
    """Deliver one message and mark it sent; returns where it went."""
    path = outbox.deliver(ws.outbox, email)
    ws.state.mark_sent(email.key, str(path))
    return str(path)


def run(ws: Workspace, today: date) -> DeliverReport:
    pending = list(ws.state.pending_emails())
    report = DeliverReport(pending=len(pending))
    if ws.dry_run:
        return report
    report.delivered = [deliver_one(ws, email) for email in pending]
    ws.state.record_run("deliver", today.isoformat(), {"delivered": len(report.delivered)})
    return report
