"""remind: queue the digests the calendar makes due, once per (unit, cutoff, reminder)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from jobs import consolidate
from notifications import compose
from worker.adapters.store.ledger import PROVINCE, email_key
from worker.core.calendars import Cutoff
from worker.core.evaluate import UnitResult
from worker.core.steps import step
from worker.reports.tables import field_table
from worker.run.workspace import Evaluation, Workspace

Due = list[tuple[Cutoff, int]]


@dataclass
class RemindReport:
    due: list[tuple[str, int]] = field(default_factory=list)  # (cutoff dd/mm/yyyy, days before)
    queued: list[str] = field(default_factory=list)  # ledger keys
    without_email: list[str] = field(default_factory=list)
    withheld: list[str] = field(default_factory=list)  # units whose registry row withholds mail
    # units whose file the province cannot find: told to the province only, until it is found
    not_found: list[str] = field(default_factory=list)


def new_reminders(ws: Workspace, unit: str, due: Due, year: int) -> tuple[str, ...]:
    """The (unit, cutoff, reminder) keys of `due` that no message has carried yet."""
    keys = (email_key(unit, c.on(year).isoformat(), str(days)) for c, days in due)
    return tuple(k for k in keys if not ws.state.ledger.reminder_sent(k))


def _queue(
    ws: Workspace, draft: compose.Draft, unit: str, due: Due, year: int, covers: tuple[str, ...]
) -> str | None:
    """Queued under the first cutoff it names, with every reminder it carries."""
    first, days = due[0]
    return ws.queue(draft, unit, first.on(year).isoformat(), str(days), covers)


def unit_draft(
    ws: Workspace, key: str, result: UnitResult, due: Due, today: date, now: datetime
) -> compose.Draft:
    """A unit's digest as sent (and as `mohinh preview` shows it): links to its cells."""
    return compose.unit_digest(
        key,
        compose.Letterhead.of(ws.settings),
        result,
        due,
        today,
        now,
        decision_day=ws.calendar.decision_day(result.year),
        proposal_day=min(c.on(result.year) for c in ws.calendar.cutoffs),
        tab_ids=ws.backend.tab_ids(result.unit),
    )


def remind_unit(
    ws: Workspace, result: UnitResult, due: Due, today: date, now: datetime
) -> str | None:
    """Queue one unit's digest if a reminder is new; it names every cutoff still ahead."""
    covers = new_reminders(ws, result.unit.unit_id, due, result.year)
    if not covers:
        return None
    draft = unit_draft(ws, "+".join(covers), result, due, today, now)
    return _queue(ws, draft, result.unit.unit_id, due, result.year, covers)


def remind_province(
    ws: Workspace, evaluation: Evaluation, due: Due, today: date, now: datetime
) -> str | None:
    covers = new_reminders(ws, PROVINCE, due, evaluation.year)
    if not covers or not ws.settings.staff_emails:
        return None
    key = "+".join(covers)
    fields = field_table(evaluation.units)
    # every unit's row, and the lists, as the consolidation would give them today
    preview = consolidate.workbook(evaluation, ws.state.history(evaluation.year), preview=True)
    draft = compose.province_digest(
        key,
        compose.Letterhead.of(ws.settings),
        ws.settings.staff_emails,
        evaluation,
        due,
        ([str(c) for c in fields.columns], fields.values.tolist()),
        today,
        now,
        ws.state.ledger.delivery_problems(evaluation.year),
        ws.calendar.decision_day(evaluation.year),
        (f"{preview.name}.xlsx", ws.backend.workbook(preview)),
    )
    return _queue(ws, draft, PROVINCE, due, evaluation.year, covers)


def run(ws: Workspace, today: date, now: datetime) -> RemindReport:
    evaluation = ws.evaluate(today)
    due = ws.calendar.due_reminders(evaluation.year, today)
    report = RemindReport([(f"{c.on(evaluation.year):%d/%m/%Y}", d) for c, d in due])
    if not due:
        return report
    with ws.state.transaction():  # every digest queued, or none: one commit for the job
        for result in evaluation.units:
            if result.unit.mail_withheld:  # its due reminders wait: queued once it is fixed
                report.withheld.append(result.unit.unit_id)
            elif result.province_side:  # nothing the unit can act on: its reminders wait too
                report.not_found.append(result.unit.unit_id)
            elif not result.unit.emails:
                report.without_email.append(result.unit.unit_id)
            elif key := remind_unit(ws, result, due, today, now):
                report.queued.append(key)
        if key := remind_province(ws, evaluation, due, today, now):
            report.queued.append(key)
        ws.state.record_run("remind", today.isoformat(), {"queued": len(report.queued)})
    step(f"queued {len(report.queued)} reminders")
    return report
