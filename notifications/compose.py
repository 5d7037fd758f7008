"""Build each email apart from sending it: jinja2 renders, `EmailMessage` assembles.

HTML templates autoescape unit text; headers take only cleaned text and plain addresses, and
the default policy refuses a line break in any header.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Any

import jinja2

from notifications import province_view, view
from notifications.headers import POLICY
from worker.core import rules
from worker.core.addresses import international
from worker.core.calendars import Cutoff
from worker.core.evaluate import UnitResult
from worker.core.settings import Settings

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
XLSX = ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")
DOCX = ("application", "vnd.openxmlformats-officedocument.wordprocessingml.document")
SUBJECT_MAX = 150  # characters: the unit's name is cut, never the counts that lead


def header_text(text: str, limit: int = 80) -> str:
    """Untrusted text made safe for a header: one line, no control characters, bounded."""
    flat = " ".join("".join(ch if ch.isprintable() else " " for ch in text).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


@dataclass(frozen=True)
class Letterhead:
    """Who a message is from: the province, its sender address and name, where replies go."""

    province: str
    address: str
    name: str = ""  # the From display name, e.g. "Ban Chỉ đạo tỉnh Bình Thuận"
    reply_to: tuple[str, ...] = ()  # the province contact
    place: str = ""  # the province's short name, "Bình Thuận": a subject's room is short

    @classmethod
    def of(cls, settings: Settings) -> Letterhead:
        return cls(
            settings.province,
            settings.sender,
            settings.sender_name,
            settings.reply_to,
            settings.report.place,
        )


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
    sender: Letterhead,
    recipients: Sequence[str],
    subject: str,
    text: str,
    html: str,
    now: datetime,
    attachment: tuple[str, bytes] | None = None,
) -> Draft:
    """The message: headers from cleaned text and plain addresses only (the policy refuses a
    line break in any header), the Subject and From name encoded by `headers.POLICY`."""
    # An internationalised address is written as UTF-8 (RFC 6532), never as an encoded-word
    # (RFC 2047 5 forbids one in an address): such a message goes only with SMTPUTF8.
    utf8 = any(international(a) for a in (sender.address, *recipients))
    msg = EmailMessage(policy=POLICY.clone(utf8=True) if utf8 else POLICY)
    msg["Subject"] = header_text(subject, SUBJECT_MAX)
    msg["From"] = Address(header_text(sender.name), addr_spec=sender.address)
    if sender.reply_to:
        msg["Reply-To"] = ", ".join(sender.reply_to)
    msg["To"] = ", ".join(recipients)
    msg["Date"] = format_datetime(now)
    msg["Message-ID"] = message_id(key, sender.address)
    # RFC 3834: an automatic message; vacation responders and the like do not answer it.
    msg["Auto-Submitted"] = "auto-generated"
    # Exchange and Outlook send no out-of-office or other automatic reply to it ([MS-OXCMAIL]
    # 2.2.3.2.20): such replies would flood the Reply-To inbox, the province contact's.
    msg["X-Auto-Response-Suppress"] = "All"
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


def in_sentence(province: str) -> str:
    """ "Tỉnh Bình Thuận" inside a sentence: "tỉnh Bình Thuận" (a common noun before the name)."""
    for prefix in ("Tỉnh ", "Thành phố "):
        if province.startswith(prefix):
            return prefix.lower() + province[len(prefix) :]
    return province


def _common(sender: Letterhead, subject: str, cutoffs: list[dict]) -> dict[str, Any]:
    return {
        "subject": subject,
        "cutoffs": cutoffs,
        "province": in_sentence(sender.province),
        "reply_to": sender.reply_to,
    }


def unit_digest(
    key: str,
    sender: Letterhead,
    result: UnitResult,
    due: Sequence[tuple[Cutoff, int]],
    today: date,
    now: datetime,
    tab_ids: Mapping[str, int] | None = None,
    decision_day: date | None = None,
    proposal_day: date | None = None,
) -> Draft:
    """A unit's digest, action first. `tab_ids` (tab name -> sheet ID, Google only) lets each
    error link to its cell; without them the links open the sheet. From `decision_day` on, the
    rated models without a recorded decision are told; from `proposal_day` (the first cutoff,
    when the proposals go) on, the kết thúc proposals are told as made, not as to come."""
    cutoffs = cutoff_lines(due, result.year, today)
    subject = view.unit_subject(result, cutoffs[0]["days"])
    text, html = render(
        "unit_digest",
        **_common(sender, subject, cutoffs),
        unit=result.unit,
        result=result,
        today=f"{today:%d/%m/%Y}",
        where=view.where_to_fix(result.unit.sheet),
        view=view.unit_view(
            result, tab_ids or {}, _passed(decision_day, today), _passed(proposal_day, today)
        ),
        decision_day=f"{decision_day:%d/%m/%Y}" if decision_day else "",
    )
    return assemble(key, sender, result.unit.emails, subject, text, html, now)


def province_digest(
    key: str,
    sender: Letterhead,
    staff: Sequence[str],
    evaluation: Any,
    due: Sequence[tuple[Cutoff, int]],
    fields: tuple[Sequence[str], Sequence[Sequence[object]]],
    today: date,
    now: datetime,
    undelivered: Sequence[Any] = (),
    decision_day: date | None = None,
    workbook: tuple[str, bytes] | None = None,
) -> Draft:
    """The province staff's digest, what needs them first (a phone's two screens), the details
    after: `fields` is the field × rating table (headers, rows); `undelivered` lists the
    ledger's delivery problems; from `decision_day` on, the models without a recorded decision
    are listed by unit; `workbook` (file name, bytes) is the consolidated workbook as it stands,
    attached: every unit's row."""
    cutoffs = cutoff_lines(due, evaluation.year, today)
    province = province_view.province_view(
        evaluation, [_problem(e) for e in undelivered], _passed(decision_day, today)
    )
    subject = province_view.province_subject(
        province, cutoffs[0]["days"], header_text(sender.place or sender.province)
    )
    text, html = render(
        "province_digest",
        **_common(sender, subject, cutoffs),
        evaluation=evaluation,
        p=province,
        field_headers=list(fields[0]),
        field_rows=[list(row) for row in fields[1]],
        decision_day=f"{decision_day:%d/%m/%Y}" if decision_day else "",
        workbook=workbook[0] if workbook else "",
        stacked=province_view.STACKED,
    )
    return assemble(key, sender, staff, subject, text, html, now, workbook)


def _passed(day: date | None, today: date) -> bool:
    return day is not None and today >= day


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
    sender: Letterhead,
    staff: Sequence[str],
    evaluation: Any,
    filename: str,
    data: bytes,
    now: datetime,
    link: str | None = None,
    undelivered: Sequence[Any] = (),
    report: tuple[str, bytes] | None = None,
    report_link: str | None = None,
) -> Draft:
    """The consolidated workbook, attached, with the counts that matter and a guide to its tabs;
    `report` (file name, bytes) is the drafted annual report (.docx), attached as well, and
    `report_link` where it is on Google Drive."""
    subject = (
        f"Bảng tổng hợp mô hình, điển hình năm {evaluation.year} — {header_text(sender.province)}"
    )
    text, html = render(
        "consolidation",
        **_common(sender, subject, []),
        link=link,
        year=evaluation.year,
        filename=filename,
        p=province_view.province_view(evaluation, [_problem(e) for e in undelivered]),
        tabs=province_view.tab_names(),
        report=report[0] if report else "",
        report_link=report_link,
    )
    draft = assemble(key, sender, staff, subject, text, html, now, (filename, data))
    if report:
        draft.message.add_attachment(
            report[1], maintype=DOCX[0], subtype=DOCX[1], filename=report[0]
        )
    return draft
