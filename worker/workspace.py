"""One open workspace: its settings, calendar, backend and state, for the jobs of one run.

Jobs take a `Workspace` and the time; they never read the clock. A dry run works on an
in-memory copy of the state and tells the jobs to write and send nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from worker.config import ConfigError, Settings, load_settings
from worker.evaluate import CellError, Unit, UnitResult, evaluate_unit, read_registry, unreadable
from worker.jobs.calendar import Calendar, CalendarError, load_calendar
from worker.local import LocalBackend
from worker.state import State
from worker.xlsx import WorkbookError

Progress = Callable[[list[Unit]], Iterable[Unit]]
STATE_FILE = "state.sqlite"
OUTBOX, REPORTS = "outbox", "reports"


def _no_progress(units: list[Unit]) -> Iterable[Unit]:
    return units


@dataclass
class Evaluation:
    """Every unit of the registry read, validated and rated, for one evaluation year."""

    year: int
    reference: date
    units: list[UnitResult]
    registry_errors: list[CellError] = field(default_factory=list)


class Workspace:
    def __init__(self, root: Path, dry_run: bool = False, progress: Progress = _no_progress):
        self.root = root
        self.dry_run = dry_run
        self.progress = progress
        self.settings: Settings = load_settings(root)
        calendar_path = root / self.settings.calendar if self.settings.calendar else None
        try:
            self.calendar: Calendar = load_calendar(calendar_path)
        except CalendarError as exc:
            raise ConfigError(str(exc)) from None
        self.backend = LocalBackend(self.settings)
        self.state = State(root / STATE_FILE, in_memory_copy=dry_run)
        self._evaluations: dict[date, Evaluation] = {}

    def close(self) -> None:
        self.state.close()

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def outbox(self) -> Path:
        return self.root / OUTBOX

    def evaluate(self, today: date) -> Evaluation:
        """Read, validate and rate every active unit once per run and day."""
        if today not in self._evaluations:
            self._evaluations[today] = self._evaluate(today)
        return self._evaluations[today]

    def _evaluate(self, today: date) -> Evaluation:
        year = self.settings.year(today)
        reference = self.settings.reference(year)
        units, errors = read_registry(self.backend.read_registry())
        results = []
        for unit in self.progress([u for u in units if u.active]):
            try:
                tabs = self.backend.read_unit(unit)
            except WorkbookError as exc:
                results.append(unreadable(unit, year, str(exc)))
                continue
            results.append(
                evaluate_unit(
                    unit,
                    tabs,
                    year,
                    today,
                    reference,
                    self.state.rated_before(unit.unit_id, year),
                    self.settings.completion_method,
                )
            )
        return Evaluation(year, reference, results, errors)
