"""deliver: hand over every message the ledger holds as due; by SMTP, or as files in outbox/.

Each message is claimed before it is sent, so two runs never send it both; every outcome is
recorded: sent (with any refused address), retry after a backoff, failed, or uncertain.
"""

from __future__ import annotations

import json
import threading
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime

from notifications import outbox
from notifications.smtp import ServerUnavailable, Session, TransportError
from worker.adapters.store.ledger import FAILED, RETRY, SENT, UNCERTAIN, Email
from worker.run.workspace import Workspace


@dataclass
class DeliverReport:
    outcomes: Counter[str] = field(default_factory=Counter)  # status -> messages
    delivered: list[str] = field(default_factory=list)  # where each sent message went
    due: int = 0
    unavailable: str = ""  # why the mail server could not be reached

    @property
    def waiting(self) -> int:
        """Messages due that this run could not hand over (the server was unreachable)."""
        return self.due - self.outcomes.total() if self.unavailable else 0


def deliver_one(ws: Workspace, email: Email, session: Session | None, now: datetime) -> str:
    """Claim, send and settle one message; returns its new status ("" if another run had it)."""
    if not ws.state.ledger.claim(email.key):
        return ""
    if session is None:
        location = str(
            outbox.deliver(ws.outbox, outbox.eml_name(email.unit, email.key), email.message)
        )
        ws.state.ledger.settle(email.key, SENT, now, location=location)
        return SENT
    targets = email.targets()
    before = json.loads(email.refused)  # earlier attempts' answers, for those not sent to now
    kept = {a: r for a, r in before.items() if a not in targets}
    try:
        refused = session.send(ws.settings.sender, targets, email.message)
    except TransportError as exc:
        status = UNCERTAIN if exc.uncertain else FAILED if exc.permanent else RETRY
        ws.state.ledger.settle(email.key, status, now, str(exc), {**before, **exc.refused})
        return status
    refused = {**kept, **refused}
    deferred = [a for a, reply in refused.items() if reply.startswith("4")]
    # A 4xx is "try again later" for that address: the others have it, it alone is resent
    # (the same message, the same Message-ID) after the backoff.
    status = RETRY if deferred else SENT
    error = f"tạm thời chưa nhận: {', '.join(deferred)}" if deferred else ""
    location = f"smtp://{session.settings.host}"
    ws.state.ledger.settle(email.key, status, now, error, refused, location)
    return status


# One delivery at a time in this process (the daemon's daily cycle and its hourly retry may
# fire together); the workspace lock keeps other processes out. Only then is a message found
# `sending` surely one a crash cut off, not one another delivery is sending right now.
_DELIVERING = threading.Lock()


def run(ws: Workspace, today: date, now: datetime) -> DeliverReport:
    if ws.dry_run:
        return DeliverReport(due=len(ws.state.ledger.due_emails(now)))
    with _DELIVERING:
        return _deliver(ws, today, now)


def _deliver(ws: Workspace, today: date, now: datetime) -> DeliverReport:
    ws.state.ledger.recover_interrupted()
    due = ws.state.ledger.due_emails(now)
    report = DeliverReport(due=len(due))
    session = Session(ws.settings.smtp) if ws.settings.smtp else None
    try:
        for email in due:
            if ws.stopping():
                break
            if session is not None:
                session.open()  # before the claim: a server that is down costs no attempt
            status = deliver_one(ws, email, session, now)
            report.outcomes[status] += 1
            if status == SENT:
                report.delivered.append(email.key)
    except ServerUnavailable as exc:
        report.unavailable = str(exc)
    finally:
        if session is not None:
            session.close()
    ws.state.record_run("deliver", today.isoformat(), dict(report.outcomes))
    return report
