"""One open workspace: its settings, calendar, backend and state, and how this run goes.

Jobs take a `Workspace` and the time; they never read the clock. A dry run works on an
in-memory copy of the state and tells the jobs to write and send nothing. The workspace knows
its backend only as a `Backend`: `worker.app.wiring` opens it with the local or the Google one.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Any

from worker.adapters.store.state import State
from worker.core.backend import Backend
from worker.core.calendars import Calendar
from worker.core.errors import SheetError
from worker.core.evaluate import UnitResult, evaluate_unit, registry_problem, unreadable
from worker.core.registry import (
    Registry,
    RegistryProblem,
    Unit,
    load_registry,
    refuse_international,
    refuse_shared_sheets,
)
from worker.core.settings import OUTBOX, Settings
from worker.core.tabs import CellError, ParseCache
from worker.run.unchanged import unit_inputs

if TYPE_CHECKING:
    from notifications.compose import Draft

Progress = Callable[[list[Unit]], Iterable[Unit]]


def _no_progress(units: list[Unit]) -> Iterable[Unit]:
    return units


@dataclass(frozen=True)
class RunOptions:
    """How one invocation runs: built once by the CLI, handed to the scheduler and every job."""

    dry_run: bool = False  # compute and tell; write and send nothing
    force: bool = False  # read every sheet, even those known to be unchanged
    today: date | None = None  # a pretend date for `--once` commands; None: the real clock
    stop: threading.Event = field(default_factory=threading.Event)  # set: finish the unit, stop
    progress: Progress = _no_progress
    log: logging.Logger = field(default_factory=lambda: logging.getLogger("mohinh"))
    # How the Google backend opens its HTTP sessions (the account's credentials in, a
    # requests.Session out): None is production's, which the wiring picks; a test gives one
    # routed to its own server. Opaque here: the run knows no backend.
    google_sessions: Callable[[Any], Any] | None = None
    # How it keeps time (its quota and retry waits): None is the real clock; a test shares a
    # virtual one with its server, so that a quota minute is waited out at once. Opaque here.
    google_pace: Any = None

    def clock(self, tz: tzinfo) -> tuple[date, datetime]:
        """Today and now, on the pretend date when there is one (at the real time of day)."""
        now = datetime.now(tz)
        if self.today is None:
            return now.date(), now
        return self.today, datetime.combine(self.today, now.timetz())


@dataclass(frozen=True)
class Read:
    """A unit's sheet as this run read it: its version, the other inputs of its result, the
    day (`worker.run.unchanged`)."""

    version: str
    inputs: str
    today: date


@dataclass
class Evaluation:
    """Every unit of the registry read, validated and rated, for one evaluation year."""

    year: int
    reference: date
    units: list[UnitResult]
    registry_errors: list[CellError] = field(default_factory=list)
    # Registry rows set aside for their problems (status "Lỗi danh mục"), never read
    rejected: list[UnitResult] = field(default_factory=list)
    # Every registry problem with the unit of its row and what it withholds
    registry_problems: list[RegistryProblem] = field(default_factory=list)

    @property
    def mail_withheld(self) -> list[UnitResult]:
        """Units read, rated and written, whose mail a registry problem withholds."""
        return [r for r in self.units if r.unit.active and r.unit.mail_withheld]


class Workspace:
    """Opened with `with` (by `worker.app.wiring.open_workspace`); closing releases the lock."""

    def __init__(
        self,
        root: Path,
        settings: Settings,
        calendar: Calendar,
        state: State,
        backend: Backend,
        options: RunOptions,
        lock_fd: int | None = None,
    ):
        self.root = root
        self.settings = settings
        self.calendar = calendar
        self.state = state
        self.backend = backend
        self.options = options
        self._lock_fd = lock_fd
        self.notices: list[str] = []  # what opening it did that the user must hear of
        self._evaluations: dict[date, Evaluation] = {}
        # What reading learns (readers, headers) lives as long as this run, and no longer.
        self.parse_cache = ParseCache()
        # The units whose result was kept from an earlier read: their sheets were not opened
        self.unopened: set[str] = set()
        self.read_at: dict[str, Read] = {}  # unit ID -> how its sheet was when read this run

    @property
    def dry_run(self) -> bool:
        return self.options.dry_run

    @property
    def stop(self) -> threading.Event:
        return self.options.stop

    def stopping(self) -> bool:
        """Whether a stop was asked for: jobs finish the unit under way, then return."""
        return self.options.stop.is_set()

    def close(self) -> None:
        self.state.close()
        if self._lock_fd is not None:
            os.close(self._lock_fd)  # closing the descriptor releases the lock
            self._lock_fd = None

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def outbox(self) -> Path:
        return self.root / OUTBOX

    def queue(
        self, draft: Draft, unit: str, cutoff: str, reminder: str, covers: tuple[str, ...] = ()
    ) -> str | None:
        """Queue a drafted message once, for the ledger to deliver (and the reminder keys it
        carries); its key, or None when that message was queued before."""
        added = self.state.ledger.add_email(
            draft.key, unit, cutoff, reminder, draft.recipients, draft.message, covers
        )
        return draft.key if added else None

    def evaluate(self, today: date) -> Evaluation:
        """Read, validate and rate every active unit once per run and day."""
        if today not in self._evaluations:
            list(self.evaluating(today))  # reading every unit keeps the evaluation
        return self._evaluations[today]

    def evaluating(self, today: date) -> Iterator[UnitResult]:
        """Each active unit read, validated and rated in turn, given as soon as it is (sync
        writes one unit while the next is read). Once the units are all done (or a stop was
        asked for), the evaluation is kept: the day's other jobs reuse it without reading."""
        if today in self._evaluations:
            yield from self._evaluations[today].units
            return
        year = self.settings.year(today)
        reference = self.settings.reference(year)
        registry = self.registry()
        rejected = [registry_problem(u, year) for u in registry.rejected]
        evaluation = Evaluation(year, reference, [], registry.errors, rejected, registry.problems())
        for unit in self.options.progress([u for u in registry.units if u.active]):
            if self.stopping():
                break
            result = self._evaluate_unit(unit, year, today, reference)
            evaluation.units.append(result)
            yield result
        self._evaluations[today] = evaluation

    def registry(self) -> Registry:
        """The registry read and checked: rows on one sheet, or on one of the workspace's own
        files, set aside; internationalised addresses refused when the mail server was seen not
        to take them. No unit sheet is opened."""
        registry = load_registry(self.backend.read_registry(), self.parse_cache)
        registry = refuse_shared_sheets(registry, self.backend.sheet_identity)
        smtp = self.settings.smtp
        if smtp is not None and self.state.mail_server_smtputf8(smtp.server) is False:
            why = f"máy chủ thư {smtp.host} không hỗ trợ SMTPUTF8"
            registry = refuse_international(registry, why)
        return registry

    def active_units(self) -> list[Unit]:
        """The registry's active units (its rows set aside apart), read from the registry
        alone: no unit sheet is opened."""
        return [u for u in self.registry().units if u.active]

    def evaluate_alone(self, unit: Unit, today: date) -> UnitResult:
        """One unit read, validated and rated, as `evaluate` would (for `mohinh preview`)."""
        year = self.settings.year(today)
        return self._evaluate_unit(unit, year, today, self.settings.reference(year))

    def _evaluate_unit(self, unit: Unit, year: int, today: date, reference: date) -> UnitResult:
        """The unit's result: kept from its last read when its sheet and everything else its
        result depends on are unchanged (not with `--force`), else read, validated and rated."""
        if not unit.sheet:
            return unreadable(
                unit,
                year,
                # The unit's coordinator reads this too: the fix they can do is to ask;
                # `mohinh provision` is for province staff (README, --help)
                "chưa có bảng tính: liên hệ Thường trực Ban Chỉ đạo tỉnh để được cấp bảng tính",
            )
        rated_before = self.state.rated_before(unit.unit_id, year)
        decision_day = self.calendar.decision_day(year)

        def read() -> UnitResult:
            return self._read(unit, year, today, reference, decision_day, rated_before)

        version = self.backend.sheet_version(unit)
        if version is None:
            return read()
        method = self.settings.completion_method
        inputs = unit_inputs(unit, year, reference, decision_day, method, rated_before)
        if not self.options.force:
            kept = self.state.kept.get(unit, version, inputs, today, read)
            if kept is not None:
                self.unopened.add(unit.unit_id)
                return kept
        self.read_at[unit.unit_id] = Read(version, inputs, today)
        return read()

    def _read(
        self,
        unit: Unit,
        year: int,
        today: date,
        reference: date,
        decision_day: date,
        rated_before: set[str],
    ) -> UnitResult:
        """The unit's sheet read, validated and rated."""
        try:
            tabs = self.backend.read_unit(unit, self.options.force)
        except SheetError as exc:
            return unreadable(unit, year, str(exc), exc.province_side)
        return evaluate_unit(
            unit,
            tabs,
            year,
            today,
            reference,
            rated_before,
            self.settings.completion_method,
            self.parse_cache,
            decision_day,
        )

    def keep(self, result: UnitResult, written: bool) -> None:
        """Keep what this run read of a unit for the next runs (`State.kept`), under the
        version its sheet has now: the one read, or the one our write of Kết quả left
        (`written`). Not when that version cannot be told: the sheet is then read again."""
        read = self.read_at.get(result.unit.unit_id)
        if read is None:
            return
        version = (
            self.backend.written_version(result.unit, read.version) if written else read.version
        )
        if version is not None:
            with self.state.bookkeeping():
                self.state.kept.put(result, version, read.inputs, read.today)
