"""`state.sqlite` that survives: a consistent backup after every run that changed it, recovery
from the newest good backup when the file is corrupt or gone, and SQLite's own errors told as
the environment's problems (busy, full, unwritable, corrupt).

Backups are taken with SQLite's online backup API, never by copying the file: a copy made while
a write is under way could be torn. Each backup is checked (`PRAGMA quick_check`) before it
takes its final name, and the last `KEEP` are kept. A corrupt state is never deleted: it is
renamed aside, for whoever wants to look at it.
"""

from __future__ import annotations

import os
import re
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from worker.adapters.files import replacing
from worker.core.errors import EnvironmentProblem, disk_full

KEEP = 5
STAMP = "%Y%m%d-%H%M%S"
BACKUP_NAME = re.compile(r"^state-(\d{8}-\d{6})\.sqlite$")
BUSY_SECONDS = 10.0  # how long a state locked by another process is waited for
CORRUPT = ("SQLITE_CORRUPT", "SQLITE_NOTADB")
JOURNALS = ("-journal", "-wal", "-shm")  # they belong to the file: they move with it


@dataclass(frozen=True)
class Recovery:
    """Which file to open as the state, and what to tell the user ("" when all was well)."""

    source: Path
    notice: str = ""


def connect(path: Path, read_only: bool = False) -> sqlite3.Connection:
    """The state's connection: autocommit, waiting `BUSY_SECONDS` for another process's lock."""
    target = f"file:{path}?mode=ro" if read_only else str(path)
    return sqlite3.connect(target, uri=read_only, isolation_level=None, timeout=BUSY_SECONDS)


def damage(path: Path) -> str | None:
    """Why the database at `path` is unusable as data (None: it is sound).

    A busy, unreadable or unopenable file is not damaged: those errors propagate, for
    `sqlite_problem` to tell."""
    try:
        with closing(connect(path)) as db:
            rows = db.execute("PRAGMA quick_check").fetchall()
    except sqlite3.DatabaseError as exc:
        if getattr(exc, "sqlite_errorname", "") in CORRUPT:
            return str(exc)
        raise
    return None if rows == [("ok",)] else "; ".join(str(r[0]) for r in rows[:3])


def taken_at(backup: Path) -> datetime:
    match = BACKUP_NAME.match(backup.name)
    assert match, backup  # only names `backups()` matched reach here
    return datetime.strptime(match.group(1), STAMP)


def backups(folder: Path) -> list[Path]:
    """The backups in `folder`, newest first."""
    if not folder.is_dir():
        return []
    return sorted((p for p in folder.iterdir() if BACKUP_NAME.match(p.name)), reverse=True)


def back_up(
    db: sqlite3.Connection,
    folder: Path,
    now: datetime,
    keep: int = KEEP,
    caches: Sequence[str] = (),
) -> Path:
    """A consistent copy of `db` as `folder/state-YYYYMMDD-HHMMSS.sqlite`; the oldest beyond
    `keep` go. Written under a temporary name and checked first: never a half backup.

    The tables named in `caches` are emptied in the copy (what reading again rebuilds: a backup
    is the few MB that cannot be rebuilt, and a state restored from it reads every sheet once)."""
    target = folder / f"state-{now.strftime(STAMP)}.sqlite"
    with replacing(target) as tmp:
        with closing(sqlite3.connect(tmp, isolation_level=None)) as copy:
            db.backup(copy)
            tables = {r[0] for r in copy.execute("SELECT name FROM sqlite_master")}
            emptied = [table for table in caches if table in tables]  # a backend's own only
            for table in emptied:
                copy.execute(f"DELETE FROM {table}")
            if emptied:
                copy.execute("VACUUM")
        why = damage(tmp)
        if why is not None:
            raise EnvironmentProblem(
                f"Dữ liệu trạng thái {db_name(db)} bị hỏng khi đang chạy ({why}): không sao "
                "lưu bản hỏng. Chạy lại: mohinh sẽ khôi phục từ bản sao lưu gần nhất còn tốt"
            )
    for old in backups(folder)[keep:]:
        old.unlink()
    return target


def db_name(db: sqlite3.Connection) -> str:
    row = db.execute("PRAGMA database_list").fetchone()
    return str(row[2]) if row and row[2] else "state.sqlite"


def recover(path: Path, folder: Path, dry_run: bool = False) -> Recovery:
    """The state to open: `path` when sound (or new); when it is corrupt, or gone (or empty)
    while backups exist, the newest good backup, restored over it (a dry run reads the backup
    and writes nothing). Raises EnvironmentProblem when it is corrupt and no backup is good."""
    present = path.is_file() and path.stat().st_size > 0
    why = damage(path) if present else None
    if present and why is None:
        return Recovery(path)
    good = next((b for b in backups(folder) if damage(b) is None), None)
    if good is None:
        if not present:
            return Recovery(path)  # a new workspace: the state starts empty
        raise EnvironmentProblem(
            f"Tệp trạng thái {path} bị hỏng ({why}) và trong {folder} không có bản sao lưu "
            "nào dùng được: lần chạy này dừng để không gửi lại thư đã gửi. Chép vào đó một "
            "bản sao lưu của state.sqlite (nếu có), hoặc đổi tên tệp hỏng để bắt đầu lại từ "
            "đầu (khi đó thư nhắc của năm sẽ được gửi lại)"
        )
    when = taken_at(good)
    what = f"tệp bị hỏng ({why})" if present else "tệp không còn"
    if dry_run:
        return Recovery(
            good,
            f"{path.name}: {what}. Chạy thử: dùng bản sao lưu lúc {when:%H:%M} ngày "
            f"{when:%d/%m/%Y} ({good}), chưa khôi phục; lần chạy thật sẽ khôi phục",
        )
    aside = _set_aside(path) if present else None
    _restore(good, path)
    kept = f"; tệp hỏng được giữ lại là {aside.name}" if aside else ""
    return Recovery(
        path,
        f"Đã khôi phục {path.name} từ bản sao lưu lúc {when:%H:%M} ngày {when:%d/%m/%Y} "
        f"({good}) vì {what}{kept}. Thư đã gửi trước lúc sao lưu không bị gửi lại; "
        "việc làm sau lúc đó được làm lại ở lần chạy này",
    )


def _set_aside(path: Path) -> Path:
    """Rename the damaged file (and its journals) to `<name>.hong-<n>`, the first n free."""
    n = 1
    while path.with_name(f"{path.name}.hong-{n}").exists():
        n += 1
    aside = path.with_name(f"{path.name}.hong-{n}")
    for suffix in JOURNALS:
        journal = path.with_name(path.name + suffix)
        if journal.exists():
            os.replace(journal, aside.with_name(aside.name + suffix))
    os.replace(path, aside)
    return aside


def _restore(backup: Path, path: Path) -> None:
    with (
        replacing(path) as tmp,
        closing(connect(backup, read_only=True)) as source,
        closing(connect(tmp)) as copy,
    ):
        source.backup(copy)


def sqlite_problem(exc: sqlite3.Error, path: Path) -> EnvironmentProblem | None:
    """The environment problem a SQLite error on the state at `path` stands for, if any."""
    name = getattr(exc, "sqlite_errorname", "")
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")):
        return EnvironmentProblem(
            f"Tệp trạng thái {path} đang bị một chương trình khác khóa, đã chờ "
            f"{BUSY_SECONDS:g} giây: lần chạy này dừng, không ghi và không gửi gì. Đóng chương "
            "trình đang mở tệp này (ví dụ DB Browser for SQLite) rồi chạy lại"
        )
    if name == "SQLITE_FULL":
        return disk_full(path)
    if name.startswith(("SQLITE_READONLY", "SQLITE_CANTOPEN", "SQLITE_PERM", "SQLITE_AUTH")):
        return EnvironmentProblem(
            f"Không mở hoặc không ghi được tệp trạng thái {path} ({exc}): cấp quyền đọc và "
            "ghi tệp này và thư mục chứa nó cho tài khoản chạy mohinh, rồi chạy lại"
        )
    if name.startswith("SQLITE_IOERR"):
        return EnvironmentProblem(
            f"Lỗi đọc/ghi ổ đĩa với tệp trạng thái {path} ({exc}): kiểm tra ổ đĩa (còn chỗ "
            "trống, không bị lỗi) rồi chạy lại"
        )
    if name in CORRUPT:
        return EnvironmentProblem(
            f"Tệp trạng thái {path} bị hỏng trong khi chạy ({exc}): chạy lại, mohinh sẽ khôi "
            "phục từ bản sao lưu gần nhất còn tốt"
        )
    return None


@contextmanager
def state_errors(path: Path) -> Iterator[None]:
    """SQLite errors of the block that are the environment's, raised as EnvironmentProblem."""
    try:
        yield
    except sqlite3.Error as exc:
        problem = sqlite_problem(exc, path)
        if problem is None:
            raise
        raise problem from None
