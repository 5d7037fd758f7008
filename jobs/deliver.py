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
from worker.adapters.store.ledger import FAILED, PROVINCE, RETRY, SENT, UNCERTAIN, Email
from worker.core.steps import step
from worker.run.workspace import Workspace


@dataclass
class DeliverReport:
    outcomes: Counter[str] = field(default_factory=Counter)  # status -> messages
    delivered: list[str] = field(default_factory=list)  # where each sent message went
    due: int = 0
    unavailable: str = ""  # why the mail server could not be reached
    # Each message (or recipient) that failed or waits: to whom, the answer, what happens next
    undelivered: list[str] = field(default_factory=list)

    @property
    def waiting(self) -> int:
        """Messages due that this run could not hand over (the server was unreachable)."""
        return self.due - self.outcomes.total() if self.unavailable else 0

    @property
    def trouble(self) -> bool:
        """A message failed or waits: the run exits 1."""
        return bool(self.undelivered or self.waiting)


def _whose(email: Email) -> str:
    return "thư gửi tỉnh" if email.unit == PROVINCE else f"thư gửi {email.unit}"


def _when(moment: str | None) -> str:
    return f"{datetime.fromisoformat(moment):%H:%M %d/%m/%Y}" if moment else "lần chạy sau"


def undelivered(email: Email, attempted: tuple[str, ...] = ()) -> list[str]:
    """What did not reach whom in `email` as the ledger now holds it, and what happens next:
    one line for the message, or one per address it was refused for (`attempted`: the
    addresses this attempt was for; a refusal kept from an earlier one is not told again)."""
    who, targets = _whose(email), ", ".join(attempted or email.targets())
    fix = (
        "sửa staff_emails trong config.toml"
        if email.unit == PROVINCE
        else "sửa cột Email đầu mối trong Danh mục đơn vị"
    )
    if email.status == FAILED:
        again = f"không gửi lại ({fix})" if email.refused != "{}" else "không gửi lại"
        return [f"{who} ({targets}): {email.last_error} — {again}"]
    if email.status == UNCERTAIN:
        again = "không gửi lại nữa" if email.resent else "gửi lại một lần ở lần chạy sau"
        return [f"{who} ({targets}): {email.last_error} — {again}"]
    refused = json.loads(email.refused)
    lines = []
    for address, reply in refused.items():
        if attempted and address not in attempted:
            continue
        if reply.startswith("4"):
            lines.append(f"{who} ({address}): {reply} — sẽ thử lại lúc {_when(email.next_attempt)}")
        else:
            lines.append(f"{who} ({address}): {reply} — không gửi lại tới địa chỉ này ({fix})")
    if email.status == RETRY and not lines:
        lines.append(
            f"{who} ({targets}): {email.last_error} — sẽ thử lại lúc {_when(email.next_attempt)}"
        )
    return lines


def deliver_one(ws: Workspace, email: Email, session: Session | None, now: datetime) -> str:
    """Claim, send and settle one message; returns its new status ("" if another run had it)."""
    if not ws.state.ledger.claim(email.key):
        return ""
    step(f"claimed {email.key}")
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
    done = 0  # messages attempted
    try:
        for email in due:
            if ws.stopping():
                break
            if session is not None:
                session.open()  # before the claim: a server that is down costs no attempt
            status = deliver_one(ws, email, session, now)
            step(f"settled {email.key}")
            done += 1
            report.outcomes[status] += 1
            if status == SENT:
                report.delivered.append(email.key)
            if status:
                report.undelivered += undelivered(ws.state.ledger.email(email.key), email.targets())
    except ServerUnavailable as exc:
        report.unavailable = str(exc)
        report.undelivered += [
            f"{_whose(e)} ({', '.join(e.targets())}): {exc} — sẽ thử lại ở lần chạy sau"
            for e in due[done:]
        ]
    finally:
        if session is not None:
            if session.smtputf8 is not None:  # seen: the registry check knows what it takes
                ws.state.record_mail_server(session.settings.server, session.smtputf8)
            session.close()
    attempted = {e.key for e in due}
    for waiting in ws.state.ledger.waiting_emails(now):  # retries of earlier runs, not due yet
        if waiting.key not in attempted:
            report.undelivered += undelivered(waiting)
    ws.state.record_run("deliver", today.isoformat(), dict(report.outcomes))
    return report
