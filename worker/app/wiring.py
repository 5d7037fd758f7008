"""Opening a workspace: its settings, calendar and state, and the backend its settings choose.

The one module that knows both backends; the CLI and the scheduler open workspaces here, the
jobs get them opened.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from worker.adapters.local import LocalBackend
from worker.adapters.store import backups, google_cache, kept
from worker.adapters.store.state import State
from worker.app.config import load_settings
from worker.core.backend import Backend
from worker.core.calendars import CalendarError, load_calendar
from worker.core.errors import ConfigError, WorkspaceBusy, os_problem
from worker.core.settings import BACKUPS, STATE, Settings
from worker.run.workspace import RunOptions, Workspace

LOCK_FILE = ".mohinh.lock"


def open_workspace(root: Path, options: RunOptions | None = None, lock: bool = True) -> Workspace:
    """The workspace at `root`, locked for this process unless `lock` is False (or a dry run).

    Raises ConfigError for bad settings or calendar, WorkspaceBusy when another worker has it,
    EnvironmentProblem when the state cannot be used (a corrupt state is restored from its
    newest good backup first: the workspace's `notices` say so)."""
    options = options or RunOptions()
    settings = load_settings(root)
    try:
        calendar = load_calendar(settings.calendar, root)
    except CalendarError as exc:
        raise ConfigError(str(exc)) from None
    fd = _lock(root) if lock and not options.dry_run else None
    try:
        if fd is not None:  # this process owns the workspace: what a killed run left goes
            LocalBackend(settings).remove_leftovers()
        recovery = backups.recover(root / STATE, root / BACKUPS, options.dry_run)
        state = State(recovery.source, in_memory_copy=options.dry_run)
        backend = _backend(settings, state, options)
        ws = Workspace(root, settings, calendar, state, backend, options, fd)
        ws.notices.extend([recovery.notice] if recovery.notice else [])
        return ws
    except BaseException:
        if fd is not None:
            os.close(fd)
        raise


# What the state keeps only to spare reads, rebuilt by reading again: no backup holds it
CACHES = (kept.TABLE, google_cache.SHEETS)


def back_up(ws: Workspace, now: datetime) -> Path | None:
    """After a run that changed the state beyond its run log and what it keeps to spare reads
    (the results kept; on Google, the sheets read), a consistent backup of it without the latter
    (none for a dry run)."""
    if ws.dry_run or not ws.state.changed:
        return None
    return backups.back_up(ws.state.db, ws.root / BACKUPS, now, caches=CACHES)


@contextmanager
def environment_errors(root: Path) -> Iterator[None]:
    """The block's errors that are the machine's (disk full, read-only disk, state store busy,
    unwritable or corrupt) raised as EnvironmentProblem; any other error goes on unchanged."""
    with backups.state_errors(root / STATE):
        try:
            yield
        except OSError as exc:
            problem = os_problem(exc, root)
            if problem is None:
                raise
            raise problem from None


def _backend(settings: Settings, state: State, options: RunOptions) -> Backend:
    local = LocalBackend(settings)
    if settings.google is None:
        return local
    # gspread and google-auth load only when used
    from worker.adapters.google.auth import authorized_session
    from worker.adapters.google.backend import GoogleBackend

    return GoogleBackend(
        settings.google,
        google_cache.GoogleCache(state.db, state.bookkeeping),
        settings.staff_emails,
        local.publish_report,  # the .xlsx and .docx in reports/, as on the local backend
        local.workbook,  # the .xlsx's bytes, written nowhere, as on the local backend
        sessions=options.google_sessions or authorized_session,
        pace=options.google_pace,
    )


def _lock(root: Path) -> int:
    """One worker per workspace: a second one stops here, before reading or sending."""
    fd = os.open(root / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        raise WorkspaceBusy(
            f"Thư mục làm việc {root.resolve()} đang được một tiến trình mohinh "
            "khác sử dụng: lần chạy này dừng, không ghi và không gửi gì"
        ) from None
    os.ftruncate(fd, 0)
    os.write(fd, str(os.getpid()).encode())
    return fd
