"""Build each email apart from sending it: jinja2 renders, `EmailMessage` assembles.

HTML templates autoescape unit text; headers take only cleaned text and plain addresses, and
the default policy refuses a line break in any header.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from email.message import EmailMessage
from email.policy import default
from email.utils import format_datetime
from typing import Any

import jinja2

from worker import rules
from worker.calendars import Cutoff
from worker.evaluate import UnitResult

_ENV = {
    kind: jinja2.Environment(
        loader=jinja2.PackageLoader("notifications", "templates"),
        autoescape=kind == "html",
        undefined=jinja2.StrictUndefined,
        trim_blocks=False,
        keep_trailing_newline=True,
    )
    for kind in ("html", "txt")
}
# CPython's folding of long non-ASCII headers drops the space between two encoded words
# ("Hàm Liêm" arrives as "HàmLiêm"). RFC 5322 allows lines up to 998 characters, and our
# subjects are capped well below that, so headers are never folded.
POLICY = default.clone(max_line_length=998)
XLSX = ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def header_text(text: str, limit: int = 80) -> str:
    """Untrusted text made safe for a header: one line, no control characters, bounded."""
    flat = " ".join("".join(ch if ch.isprintable() else " " for ch in text).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def message_id(key: str, sender: str) -> str:
    """The same key always gets the same Message-ID, so a resend is recognisable."""
    return f"<{hashlib.sha256(key.encode()).hexdigest()[:32]}@{sender.rpartition('@')[2]}>"


@dataclass(frozen=True)
class Draft:
    """A message ready for the ledger."""

    key: str
    recipients: tuple[str, ...]
    message: EmailMessage

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])


def render(template: str, **context: Any) -> tuple[str, str]:
    """The plain-text and HTML bodies of `template`."""
    helpers = {"pct": rules.format_percent, "docs": rules.describe_documents}
    return tuple(  # type: ignore[return-value]
        _ENV[kind].get_template(f"{template}.{kind}").render(**helpers, **context)
        for kind in ("txt", "html")
    )


def assemble(
    key: str,
    sender: str,
    recipients: Sequence[str],
    subject: str,
    text: str,
    html: str,
    now: datetime,
    attachment: tuple[str, bytes] | None = None,
) -> Draft:
    msg = EmailMessage(policy=POLICY)
    msg["Subject"] = header_text(subject, 150)
    msg["From"] = sender
    msg["To"] = ", ".join(recipients)
    msg["Date"] = format_datetime(now)
    msg["Message-ID"] = message_id(key, sender)
    msg.set_content(text)
    msg.add_alternative(html, subtype="html")
    if attachment:
        filename, data = attachment
        msg.add_attachment(data, maintype=XLSX[0], subtype=XLSX[1], filename=filename)
    return Draft(key, tuple(recipients), msg)


def render_parts(draft: Draft) -> tuple[str, str]:
    """The plain-text and HTML bodies of a built message."""
    parts = [draft.message.get_body((kind,)) for kind in ("plain", "html")]
    return tuple(str(p.get_content()) if p else "" for p in parts)  # type: ignore[return-value]


def safe_name(text: str) -> str:
    """Text fit for a file name: letters, digits, - and _ only."""
    return re.sub(r"[^A-Za-z0-9_-]+", "-", text).strip("-") or "thu"


def cutoff_lines(due: Sequence[tuple[Cutoff, int]], year: int, today: date) -> list[dict]:
    return [
        {
            "date": f"{c.on(year):%d/%m/%Y}",
            "days": (c.on(year) - today).days,
            "what": c.what,
            "who": c.who,
        }
        for c, _ in due
    ]


def unit_digest(
    key: str,
    sender: str,
    province: str,
    result: UnitResult,
    due: Sequence[tuple[Cutoff, int]],
    today: date,
    now: datetime,
) -> Draft:
    cutoffs = cutoff_lines(due, result.year, today)
    name = header_text(result.unit.name)
    subject = (
        f"Nhắc hạn {cutoffs[0]['date']}: {name} — còn {cutoffs[0]['days']} ngày"
        f" (mô hình, điển hình năm {result.year})"
    )
    context = {
        "unit": result.unit,
        "result": result,
        "cutoffs": cutoffs,
        "province": province,
        "subject": subject,
        "counts": [(lv, result.count(lv)) for lv in (*rules.LEVELS, rules.UNRATED)],
        "not_eligible": [m for m in result.models if m.level == rules.UNRATED],
        "rated": [m for m in result.models if m.level != rules.UNRATED],
        "dossiers": [m for m in result.models if m.rating.missing_documents],
        "flagged": [e for e in result.exemplars if e.result and e.result.flagged],
        "due": [e for e in result.exemplars if e.result and e.result.due],
    }
    text, html = render("unit_digest", **context)
    return assemble(key, sender, result.unit.emails, subject, text, html, now)


def province_digest(
    key: str,
    sender: str,
    province: str,
    staff: Sequence[str],
    evaluation: Any,
    due: Sequence[tuple[Cutoff, int]],
    table: list[list[object]],
    today: date,
    now: datetime,
    undelivered: Sequence[Any] = (),
) -> Draft:
    """The province staff's digest; `undelivered` lists the ledger's delivery problems."""
    cutoffs = cutoff_lines(due, evaluation.year, today)
    subject = (
        f"Nhắc hạn {cutoffs[0]['date']}: tổng hợp {header_text(province)} — còn "
        f"{cutoffs[0]['days']} ngày (mô hình, điển hình năm {evaluation.year})"
    )
    units = evaluation.units
    text, html = render(
        "province_digest",
        undelivered=[_problem(e) for e in undelivered],
        province=province,
        evaluation=evaluation,
        cutoffs=cutoffs,
        subject=subject,
        table=table,
        levels=(*rules.LEVELS, rules.UNRATED),
        unreadable=[r for r in units if not r.readable],
        with_errors=[r for r in units if r.readable and r.errors],
        without_email=[r.unit.unit_id for r in units if not r.unit.emails],
        registry_errors=evaluation.registry_errors,
    )
    return assemble(key, sender, staff, subject, text, html, now)


def _problem(email: Any) -> str:
    """One line on a message that did not fully reach its recipients."""
    refused = json.loads(email.refused)
    if email.status == "failed":
        what = f"không gửi được ({email.last_error})"
    elif email.status == "uncertain":
        what = f"chưa chắc đã đến ({email.last_error})"
    else:
        what = "bị từ chối: " + "; ".join(f"{a} ({r})" for a, r in refused.items())
    return f"{email.unit} — {email.subject}: {what}"


def consolidation_email(
    key: str,
    sender: str,
    province: str,
    staff: Sequence[str],
    evaluation: Any,
    filename: str,
    data: bytes,
    now: datetime,
    link: str | None = None,
) -> Draft:
    models = [m for r in evaluation.units for m in r.models]
    subject = f"Bảng tổng hợp mô hình, điển hình năm {evaluation.year} — {header_text(province)}"
    text, html = render(
        "consolidation",
        link=link,
        province=province,
        year=evaluation.year,
        subject=subject,
        units=len(evaluation.units),
        models=len(models),
        filename=filename,
        counts=[(lv, sum(m.level == lv for m in models)) for lv in (*rules.LEVELS, rules.UNRATED)],
        unreadable=sum(not r.readable for r in evaluation.units),
        errors=sum(len(r.errors) for r in evaluation.units),
    )
    return assemble(key, sender, staff, subject, text, html, now, (filename, data))
