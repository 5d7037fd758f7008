"""The one atomic write every file the worker writes goes through (worker/adapters/files.py)."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

from tests.conftest import good_unit
from worker.adapters import files


def test_a_new_file_gets_what_the_umask_allows_not_mkstemps_0600(tmp_path: Path) -> None:
    old = os.umask(0o027)
    try:
        path = files.write_atomically(tmp_path / "bao-cao.docx", b"new")
    finally:
        os.umask(old)
    assert path.read_bytes() == b"new"
    assert path.stat().st_mode & 0o777 == 0o640


def test_a_replaced_file_keeps_its_mode(tmp_path: Path) -> None:
    path = tmp_path / "u1.xlsx"
    path.write_bytes(b"old")
    path.chmod(0o664)
    files.write_atomically(path, b"new")
    assert (path.read_bytes(), path.stat().st_mode & 0o777) == (b"new", 0o664)


def test_a_failure_in_the_block_leaves_the_old_file_and_no_temp(tmp_path: Path) -> None:
    path = tmp_path / "tong-hop-2026.xlsx"
    path.write_bytes(b"old")
    with pytest.raises(RuntimeError), files.replacing(path) as temp:
        temp.write_bytes(b"half")
        raise RuntimeError("killed")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tong-hop-2026.xlsx"]
    assert path.read_bytes() == b"old"


def test_a_file_saved_meanwhile_is_not_overwritten(tmp_path: Path) -> None:
    path = tmp_path / "u1.xlsx"
    path.write_bytes(b"as read")
    seen = path.stat()
    path.write_bytes(b"saved by the unit meanwhile")
    with pytest.raises(files.FileChanged):
        files.write_atomically(path, b"ours", unchanged=seen)
    assert path.read_bytes() == b"saved by the unit meanwhile"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["u1.xlsx"]


def test_a_full_disk_names_the_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_space(temp: Path, data: bytes) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(files, "put_bytes", no_space)
    with pytest.raises(OSError) as caught:
        files.write_atomically(tmp_path / "a.eml", b"x")
    assert caught.value.filename == str(files.temp_of(tmp_path / "a.eml"))
    assert list(tmp_path.iterdir()) == []


def test_a_temp_someone_linked_elsewhere_is_not_followed(tmp_path: Path) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_bytes(b"not ours")
    folder = tmp_path / "outbox"
    folder.mkdir()
    files.temp_of(folder / "a.eml").symlink_to(outside)
    files.write_atomically(folder / "a.eml", b"message")
    assert outside.read_bytes() == b"not ours"
    assert (folder / "a.eml").read_bytes() == b"message"


def test_two_threads_writing_one_target_at_once_both_succeed_one_after_the_other(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading

    real = files.put_bytes
    inside = threading.Barrier(2, timeout=0.5)
    overlapped = []

    def slow(temp: Path, data: bytes) -> None:
        try:
            inside.wait()  # both writers inside the block at once: the race this guards against
            overlapped.append(True)
        except threading.BrokenBarrierError:
            pass
        real(temp, data)

    monkeypatch.setattr(files, "put_bytes", slow)
    target = tmp_path / "state-20261105-063000.sqlite"
    errors: list[BaseException] = []

    def write(data: bytes) -> None:
        try:
            files.write_atomically(target, data)
        except BaseException as exc:  # collected for the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(d,)) for d in (b"one", b"two")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and overlapped == []
    assert target.read_bytes() in (b"one", b"two")
    assert sorted(p.name for p in tmp_path.iterdir()) == [target.name]


class Flushes:
    """What os.fsync is asked to flush, by path: the real call still happens."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.paths: list[Path] = []
        real = os.fsync

        def fsync(fd: int) -> None:
            self.paths.append(Path(os.readlink(f"/proc/self/fd/{fd}")))
            real(fd)

        monkeypatch.setattr(os, "fsync", fsync)


@pytest.fixture
def flushes(monkeypatch: pytest.MonkeyPatch) -> Flushes:
    return Flushes(monkeypatch)


def test_a_write_flushes_the_file_before_its_rename_then_its_folder(
    tmp_path: Path, flushes: Flushes
) -> None:
    path = files.write_atomically(tmp_path / "u1.xlsx", b"new")
    assert flushes.paths == [files.temp_of(path), tmp_path]


def test_writes_may_leave_their_folder_to_one_flush_at_the_end(
    tmp_path: Path, flushes: Flushes
) -> None:
    paths = [tmp_path / f"u{n}.xlsx" for n in range(3)]
    for path in paths:
        files.write_atomically(path, b"new", sync_folder=False)
    assert flushes.paths == [files.temp_of(p) for p in paths]  # each file whole on the disk
    assert all(p.read_bytes() == b"new" for p in paths)
    files.sync_folders([tmp_path, tmp_path, tmp_path / "."])
    assert flushes.paths[3:] == [tmp_path]


def test_a_sync_flushes_each_workbook_once_and_their_folder_once(
    workspace: Callable[..., Path], cli: Callable[..., Result], flushes: Flushes
) -> None:
    root = workspace(*((f"U{n}", good_unit(2), f"u{n}@x.vn") for n in range(3)))
    flushes.paths.clear()  # what the workspace's making flushed
    done = cli("sync", "--workspace", root, "--today", "2026-10-29")
    assert done.exit_code == 0, done.output
    units = root / "units"
    assert [p for p in flushes.paths if p.is_relative_to(units)] == [
        *(files.temp_of(units / f"u{n}.xlsx") for n in range(3)),
        units,
    ]
