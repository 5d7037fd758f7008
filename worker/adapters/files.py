"""Files the worker writes: one atomic write for all of them (workbooks, reports, messages, state
backups), and the leftovers of a killed run removed at the next start.

A file is written under a temporary name beside its target (`.~mohinh-<name>.tmp`, the same
folder, so that the rename cannot cross a file system), flushed to the disk, given the target's
mode and owner (or, for a new file, what the umask allows: `mkstemp`'s 0600 would hide a report
from the staff who must open it), renamed over the target, and the folder flushed too: after a
crash or a power cut the target is the old file or the new one, never half of either.

A caller writing many files into one folder (the sync, a Kết quả tab into each unit's workbook)
may leave the folder's flush to `sync_folders`, once at the end of its run: each file is still
on the disk before its rename, so a crash still leaves every target whole, the old file or the
new one; only the renames themselves are less durable: those since the last flush may be undone
by a power cut, leaving the old files (which the next run writes again).
"""

from __future__ import annotations

import os
import stat
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from worker.core.steps import step

TEMP_PREFIX, TEMP_SUFFIX = ".~mohinh-", ".tmp"
_UMASK = threading.Lock()  # os.umask can only be read by setting it
# One writer at a time per target within the process (the workspace lock keeps other processes
# out): the daemon's jobs run in threads, and two of them may back up the state in one second,
# under one name, so one temporary file.
_WRITING: dict[Path, threading.Lock] = {}
_WRITING_GUARD = threading.Lock()


class FileChanged(Exception):
    """The target changed on disk after it was read: replacing it would lose what was saved."""


def temp_of(path: Path) -> Path:
    """The temporary name `path` is written under: known, so a killed run's is found again."""
    return path.with_name(TEMP_PREFIX + path.name + TEMP_SUFFIX)


def umask() -> int:
    with _UMASK:
        mask = os.umask(0o022)
        os.umask(mask)
    return mask


def put_bytes(temp: Path, data: bytes) -> None:
    """The one place the bytes of a file the worker writes go to disk (a full disk fails here)."""
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)


def write_atomically(
    path: Path, data: bytes, unchanged: os.stat_result | None = None, sync_folder: bool = True
) -> Path:
    """`path` replaced by `data` (see the module's docstring); returns `path`."""
    with replacing(path, unchanged, sync_folder) as temp:
        put_bytes(temp, data)
    return path


@contextmanager
def replacing(
    path: Path, unchanged: os.stat_result | None = None, sync_folder: bool = True
) -> Iterator[Path]:
    """A temporary path beside `path` for the block to write (by any means: bytes, openpyxl's
    save, SQLite's backup); when the block ends well it replaces `path` atomically, else it goes.

    `unchanged`: the target as it was read; when it is no longer that file just before the
    rename (saved meanwhile by a program that leaves no lock file), FileChanged is raised and the
    target is left alone.

    `sync_folder` False: the folder is not flushed here; the caller flushes it later with
    `sync_folders` (see the module's docstring for what that gives up)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with _writing(path):
        temp = temp_of(path)
        temp.unlink(missing_ok=True)  # a killed run's, or a symbolic link someone put there
        try:
            yield temp
            step(f"wrote the temporary file of {_shown(path)}")
            _settle(temp, path, unchanged)
            os.replace(temp, path)
        except OSError as exc:
            temp.unlink(missing_ok=True)
            if exc.filename is None:  # a full disk names no file: it was the temporary one
                exc.filename = str(temp)
            raise
        except BaseException:
            temp.unlink(missing_ok=True)
            raise
    if sync_folder:
        sync_folders([path.parent])
    step(f"replaced {_shown(path)}")


def _shown(path: Path) -> str:
    return f"{path.parent.name}/{path.name}"


def _writing(path: Path) -> threading.Lock:
    with _WRITING_GUARD:
        return _WRITING.setdefault(path.absolute(), threading.Lock())


def _settle(temp: Path, path: Path, unchanged: os.stat_result | None) -> None:
    """The temporary file on the disk, with the mode and owner the target has or should have."""
    fd = os.open(temp, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    try:
        try:
            target = path.stat()
        except FileNotFoundError:
            target = None
        if target is None:
            os.fchmod(fd, 0o666 & ~umask())
        else:
            _give(fd, target)
        os.fsync(fd)
    finally:
        os.close(fd)
    if unchanged is not None and (
        target is None
        or (target.st_ino, target.st_size, target.st_mtime_ns)
        != (unchanged.st_ino, unchanged.st_size, unchanged.st_mtime_ns)
    ):
        raise FileChanged(path.name)


def _give(fd: int, target: os.stat_result) -> None:
    """The target's owner and group where we may set them (at least the group), and its mode."""
    for owner in ((target.st_uid, target.st_gid), (-1, target.st_gid)):
        try:
            os.fchown(fd, *owner)
            break
        except PermissionError:
            continue  # not ours to give away
    os.fchmod(fd, stat.S_IMODE(target.st_mode))


def sync_folders(folders: Iterable[Path]) -> None:
    """The renames into each folder survive a power cut: each flushed once."""
    for folder in sorted(set(folders)):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def remove_leftovers(folder: Path, also: Callable[[Path], bool] = lambda _: False) -> list[Path]:
    """Delete the temporary files a killed run left in `folder` (and those `also` recognises,
    names older releases used); returns them."""
    found = [
        p
        for p in folder.iterdir()
        if p.name.startswith(".")
        and ((p.name.startswith(TEMP_PREFIX) and p.name.endswith(TEMP_SUFFIX)) or also(p))
        and p.is_file()
        and not p.is_symlink()
    ]
    for p in found:
        p.unlink(missing_ok=True)
    return sorted(found)
