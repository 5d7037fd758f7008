"""One open workspace: its settings, calendar, backend and state, for the jobs of one run.

Jobs take a `Workspace` and the time; they never read the clock. A dry run works on an
in-memory copy of the state and tells the jobs to write and send nothing.
"""

from __future__ import annotations

import fcntl
import os
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from worker.backend import SheetError
from worker.config import ConfigError, Settings, load_settings
from worker.evaluate import CellError, Unit, UnitResult, evaluate_unit, read_registry, unreadable
from worker.jobs.calendar import Calendar, CalendarError, load_calendar
from worker.local import LocalBackend
from worker.state import State

if TYPE_CHECKING:
    from worker.google import GoogleBackend

Progress = Callable[[list[Unit]], Iterable[Unit]]
STATE_FILE = "state.sqlite"
LOCK_FILE = ".mohinh.lock"


class WorkspaceBusy(Exception):
    """Another worker holds the workspace; the message is for the user."""


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
    """Opened with `with`: a real run holds the workspace's lock until it closes."""

    def __init__(
        self,
        root: Path,
        dry_run: bool = False,
        progress: Progress = _no_progress,
        lock: bool = True,
        stop: threading.Event | None = None,
        force: bool = False,
    ):
        self.root = root
        self.dry_run = dry_run
        self.progress = progress
        self.stop = stop or threading.Event()
        self.force = force
        self._lock_fd: int | None = None
        self.settings: Settings = load_settings(root)
        try:
            self.calendar: Calendar = load_calendar(self.settings.calendar, root)
        except CalendarError as exc:
            raise ConfigError(str(exc)) from None
        if lock and not dry_run:
            self._lock()
        self.state = State(root / STATE_FILE, in_memory_copy=dry_run)
        self.backend: LocalBackend | GoogleBackend = LocalBackend(self.settings)
        if self.settings.google is not None:
            from worker.google import GoogleBackend

            self.backend = GoogleBackend(
                self.settings.google, self.state, self.settings.staff_emails
            )
        self._evaluations: dict[date, Evaluation] = {}

    def _lock(self) -> None:
        """One worker per workspace: a second one stops here, before reading or sending."""
        fd = os.open(self.root / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise WorkspaceBusy(
                f"Thư mục làm việc {self.root} đang được một tiến trình mohinh "
                "khác sử dụng: lần chạy này dừng, không ghi và không gửi gì"
            ) from None
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode())
        self._lock_fd = fd

    def stopping(self) -> bool:
        """Whether a stop was asked for: jobs finish the unit under way, then return."""
        return self.stop.is_set()

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
            if self.stopping():
                break
            if not unit.sheet:
                results.append(
                    unreadable(
                        unit,
                        year,
                        "chưa có bảng tính: điền cột Bảng tính "
                        f"trong danh mục hoặc chạy 'mohinh provision "
                        f"{unit.unit_id}'",
                    )
                )
                continue
            try:
                tabs = self.backend.read_unit(unit, self.force)
            except SheetError as exc:
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
