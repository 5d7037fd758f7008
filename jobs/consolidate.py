"""consolidate: the province's workbook of every unit (SPEC §6), from the consolidation day on.

Level-triggered: it is due from that day until every output is there — the workbook recorded
and on disk (the drafted report is written before it), and the email to the province staff
queued. A run killed on the way leaves one missing, and the next run builds them again (each
file written atomically, so present once) and queues the email once. Before that day it is built
only on demand, as a preview with its own file name.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path

from notifications import compose
from worker.adapters.store.ledger import PROVINCE, email_key
from worker.core.backend import Chart, Document, Report
from worker.core.steps import step
from worker.reports import tables
from worker.reports.annual_report import annual_report
from worker.reports.audit import History
from worker.run.workspace import Evaluation, Workspace

CHARTS = (
    Chart("Theo lĩnh vực", "Xếp loại mô hình theo lĩnh vực", 1, 2, 6),
    Chart("Tổng hợp đơn vị", "Xếp loại mô hình theo đơn vị", 2, 6, 10),
)


@dataclass
class ConsolidateReport:
    year: int
    location: str = ""  # the .xlsx in reports/
    published: str | None = None  # the Google spreadsheet, on the Google backend
    problem: str = ""  # why it could not be published
    preview: bool = False
    queued: str | None = None
    document: str | None = None  # the drafted annual report (.docx) in reports/
    document_link: str | None = None  # that .docx on Google Drive, on the Google backend


def is_due(ws: Workspace, today: date) -> bool:
    """Due from the consolidation day of the year on, until every output is there."""
    year = ws.settings.year(today)
    if today < ws.calendar.consolidation_day(year):
        return False
    location = ws.state.consolidated(year)
    built = location is not None and Path(location).is_file()
    return not built or (
        bool(ws.settings.staff_emails) and not ws.state.ledger.has_email(_key(year))
    )


def _key(year: int) -> str:
    return email_key(PROVINCE, f"tong-hop-{year}", "gui")


def _draft(ws: Workspace, evaluation: Evaluation, history: History, now: datetime) -> Document:
    """The annual report drafted from the year's evaluation, as [report] of config.toml says."""
    return annual_report(
        evaluation.units,
        evaluation.year,
        ws.settings.report,
        evaluation.rejected,
        history,
        evaluation.reference,
        now,
    )


def workbook(evaluation: Evaluation, history: History, preview: bool) -> Report:
    """The consolidated workbook of the year as it stands: a preview before the consolidation
    day (its own file name and title), with no drafted report."""
    year = evaluation.year
    name = f"tong-hop-{year}" + ("-xem-truoc" if preview else "")
    title = f"Tổng hợp mô hình, điển hình năm {year}" + (" (BẢN XEM TRƯỚC)" if preview else "")
    tabs = tables.consolidated(
        evaluation.units, evaluation.rejected, evaluation.registry_errors, history, year, title
    )
    return Report(name, title, tabs, CHARTS)


def run(ws: Workspace, today: date, now: datetime) -> ConsolidateReport:
    evaluation = ws.evaluate(today)
    year = evaluation.year
    preview = today < ws.calendar.consolidation_day(year)
    report = ConsolidateReport(year, preview=preview)
    if ws.dry_run:
        return report
    # The annual report is drafted on the consolidation day, not for a preview.
    history = ws.state.history(year)
    document = None if preview else _draft(ws, evaluation, history, now)
    published = ws.backend.publish_report(
        replace(workbook(evaluation, history, preview), document=document)
    )
    report.location, report.published = str(published.file), published.link
    report.document = str(published.document) if published.document else None
    report.document_link = published.document_link
    report.problem = published.problem  # the .xlsx is built and sent all the same
    if preview:
        return report
    with ws.state.transaction():  # the email queued and the outputs recorded, or neither
        report.queued = _queue_email(ws, evaluation, report, now)
        ws.state.set_consolidated(year, report.location)
        ws.state.record_run("consolidate", today.isoformat(), {"location": report.location})
    step(f"consolidated {year}")
    return report


def _queue_email(
    ws: Workspace, evaluation: Evaluation, report: ConsolidateReport, now: datetime
) -> str | None:
    """The workbook and the drafted report to the province staff, once."""
    key = _key(report.year)
    if ws.settings.staff_emails and not ws.state.ledger.has_email(key):
        path = Path(report.location)
        draft = compose.consolidation_email(
            key,
            compose.Letterhead.of(ws.settings),
            ws.settings.staff_emails,
            evaluation,
            path.name,
            path.read_bytes(),
            now,
            report.published,
            ws.state.ledger.delivery_problems(report.year),
            (Path(report.document).name, Path(report.document).read_bytes())
            if report.document
            else None,
            report.document_link,
        )
        return ws.queue(draft, PROVINCE, f"tong-hop-{report.year}", "gui")
    return None
