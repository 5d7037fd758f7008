"""sync: read every unit, validate, rate, and write its Kết quả tab when the result changed."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime

from worker.core.errors import SheetError
from worker.core.evaluate import UnitResult
from worker.core.fingerprint import fingerprint
from worker.core.registry import RegistryProblem
from worker.core.results import unit_grid
from worker.core.steps import step
from worker.run.pipeline import ahead
from worker.run.workspace import Workspace

WRITTEN, UNCHANGED, FAILED, SKIPPED = "written", "unchanged", "failed", "skipped"
READ_AHEAD = 2  # units read and rated ahead of the one being written


@dataclass
class SyncReport:
    year: int
    outcomes: dict[str, str] = field(default_factory=dict)  # unit ID -> what happened
    problems: dict[str, str] = field(default_factory=dict)  # unit ID -> name and why it failed
    errors: int = 0
    ratings: Counter[str] = field(default_factory=Counter)
    unrated: Counter[str] = field(default_factory=Counter)  # Chưa xếp loại by why (UNRATED_KINDS)
    written: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)  # what went wrong beyond one unit
    registry: list[RegistryProblem] = field(default_factory=list)  # with the unit of each
    rejected: int = 0  # registry rows set aside for their problems
    withheld: int = 0  # units read whose mail a registry problem withholds
    opened: int = 0  # units whose sheet was read (the others were kept: unchanged since)

    @property
    def trouble(self) -> bool:
        """Whether a unit or a registry row could not be done: the run exits 1."""
        return bool(self.failed or self.registry)

    @property
    def failed(self) -> int:
        return sum(1 for o in self.outcomes.values() if o == FAILED)


def sync_unit(ws: Workspace, result: UnitResult, now: datetime) -> tuple[str, str]:
    """Write one unit's Kết quả if what it says changed; returns (outcome, where or why)."""
    if not result.readable:
        return FAILED, result.problem
    if result.unit.unit_id in ws.unopened:
        # Kept from its last read, which left Kết quả saying this: the sheet has not changed
        return UNCHANGED, ""
    grid = unit_grid(result, now)
    # Compared with what the tab holds now: a tab someone edited is written again.
    if result.results_seen is not None and result.results_seen == fingerprint(grid.rows):
        return UNCHANGED, ""
    if ws.dry_run:
        return SKIPPED, ""
    try:
        where = ws.backend.write_results(result.unit, grid)
    except SheetError as exc:
        return FAILED, str(exc)
    return WRITTEN, where


def _keepable(outcome: str | None) -> bool:
    """Whether the next run may take this read's result without opening the sheet: its Kết
    quả says it (written, or already so). Not when writing failed or was left to a real run
    (the next run must write), nor when the sheet could not be read: what made it unreadable
    may be mended without a new version (a chmod), and such sheets are few."""
    return outcome in (WRITTEN, UNCHANGED)


def run(ws: Workspace, today: date, now: datetime) -> SyncReport:
    """Every unit read, rated and written. Unit i is written here while unit i+1 is read in a
    thread of its own: Sheets counts reads and writes in separate quotas, used at once this way.
    A stop request ends the reading; what was read is written."""
    report = SyncReport(ws.settings.year(today))
    for result in ahead(ws.evaluating(today), READ_AHEAD):
        outcome, detail = sync_unit(ws, result, now)
        report.outcomes[result.unit.unit_id] = outcome
        if outcome == FAILED:
            report.problems[result.unit.unit_id] = f"{result.unit.name}: {detail}"
        if outcome == WRITTEN:
            report.written.append(detail)
        report.errors += result.error_count
        report.ratings.update(result.finals())
        report.unrated.update(result.unrated_kinds())
    evaluation = ws.evaluate(today)  # kept by the reading: nothing is read again
    report.registry = list(evaluation.registry_problems)
    report.rejected = len(evaluation.rejected)
    report.withheld = len(evaluation.mail_withheld)
    ws.backend.after_writes(
        [r.unit for r in evaluation.units if report.outcomes.get(r.unit.unit_id) == WRITTEN]
    )
    report.notices = list(ws.backend.notices)  # e.g. Google: a Drive listing that failed
    # The rating history of every unit read, and what each read gave, in one commit (a unit
    # not opened has both from its last read)
    with ws.state.transaction():
        for r in evaluation.units:
            if r.unit.unit_id in ws.unopened:
                continue
            report.opened += 1
            if r.readable:
                ws.state.save_ratings(
                    r.unit.unit_id, r.year, {m.model.model_id: m.final for m in r.models}
                )
            if _keepable(report.outcomes.get(r.unit.unit_id)):
                ws.keep(r, written=report.outcomes.get(r.unit.unit_id) == WRITTEN)
        ws.state.record_run(
            "sync",
            today.isoformat(),
            {
                "outcomes": Counter(report.outcomes.values()),
                "errors": report.errors,
                "opened": report.opened,
            },
        )
    step("saved the ratings")
    return report
