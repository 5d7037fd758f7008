"""Faults of the environment, run through the CLI: a full disk, a state store locked, corrupt,
deleted or unusable, the network down at start. Each ends with its exit status and a Vietnamese
message saying what and the fix, never a traceback, and leaves no file half-written."""

from __future__ import annotations

import errno
import hashlib
import json
import logging
import re
import socket
import sqlite3
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import Result

from tests.conftest import Routes, good_unit
from worker.adapters import files
from worker.adapters.store import backups
from worker.adapters.xlsx import workbook as xlsx
from worker.core.errors import Status
from worker.core.settings import BACKUPS

ENVIRONMENT, OK = Status.ENVIRONMENT, Status.OK


Cli = Callable[..., Result]
TODAY = "2026-10-29"  # a week before the 05/11 cutoff: every unit gets a digest


def files_of(root: Path) -> dict[str, str]:
    """Every file of the workspace but the state, its backups and the log, by content."""
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
        and not p.name.startswith("state")
        and "backups" not in p.parts
        and "logs" not in p.parts
        and p.name != ".mohinh.lock"
    }


def run_once(cli: Cli, root: Path, *extra: str) -> Result:
    return cli("run", "--once", "--workspace", root, "--today", TODAY, *extra)


def assert_environment_failure(result: Result, *message: str) -> None:
    assert result.exit_code == ENVIRONMENT, result.output
    assert "Sự cố môi trường chạy: " in result.output
    for part in message:
        assert part in result.output
    assert "Traceback" not in result.output


@pytest.fixture
def province(workspace: Callable[..., Path]) -> Path:
    return workspace(*[(f"U{n}", good_unit(1), f"u{n}@example.gov.vn") for n in range(1, 4)])


@pytest.fixture
def ran(province: Path, cli: Cli) -> Path:
    """The province after one good run: Kết quả written, three digests and the province's sent,
    a backup taken."""
    result = run_once(cli, province)
    assert result.exit_code == OK, result.output
    assert "Thư (" in result.output and "4 đã ghi ra tệp .eml" in result.output
    return province


# A full disk


def test_a_full_disk_stops_the_run_with_status_4_and_leaves_no_file_half_written(
    province: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_write = files.put_bytes
    writes: list[bytes] = []

    def disk_fills_up(temp: Path, data: bytes) -> None:
        if writes:  # the first unit's workbook fits; the second one's fills the disk
            real_write(temp, data[: len(data) // 2])
            raise OSError(errno.ENOSPC, "No space left on device")
        writes.append(data)
        real_write(temp, data)

    monkeypatch.setattr(files, "put_bytes", disk_fills_up)
    before = files_of(province)
    result = run_once(cli, province)
    assert_environment_failure(
        result,
        f"Ổ đĩa chứa {province / 'units'} đã đầy, không ghi thêm được: lần chạy này dừng lại "
        "và không để lại tệp nào ghi dở. "
        "Giải phóng dung lượng ổ đĩa rồi chạy lại",
    )
    after = files_of(province)
    assert sorted(after) == sorted(before)  # no temporary file left behind
    changed = [name for name in after if after[name] != before[name]]
    assert changed == ["units/u1.xlsx"]  # written whole before the disk filled
    for name in after:
        if name.endswith(".xlsx"):
            openpyxl.load_workbook(province / name)  # every workbook whole
    assert list((province / "outbox").iterdir()) == []  # no digest went before the stop
    assert not (province / BACKUPS).exists()

    monkeypatch.setattr(files, "put_bytes", real_write)  # space freed: the run goes on
    again = run_once(cli, province)
    assert again.exit_code == OK, again.output
    assert "2 cập nhật tab Kết quả, 1 không đổi" in again.output
    assert "4 đã ghi ra tệp .eml" in again.output


def test_a_full_disk_while_creating_a_workspace_is_status_4(
    tmp_path: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_space(wb: Any, path: Path) -> None:
        raise OSError(errno.ENOSPC, "No space left on device", str(path))

    monkeypatch.setattr(xlsx, "write_file", no_space)
    result = cli("init", tmp_path / "ws", "--demo")
    assert_environment_failure(result, f"Ổ đĩa chứa {tmp_path / 'ws' / 'units'} đã đầy")
    assert not [p for p in (tmp_path / "ws").rglob("*.xlsx")]  # no half workbook


def test_a_full_disk_under_the_state_store_is_status_4(
    ran: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    from worker.adapters.store import state

    real_init = state.State.__init__

    def no_room_left(self: state.State, path: Path, in_memory_copy: bool = False) -> None:
        real_init(self, path, in_memory_copy)
        pages = self.db.execute("PRAGMA page_count").fetchone()[0]
        self.db.execute(f"PRAGMA max_page_count = {pages}")  # SQLite's own "disk is full"

    def emails() -> list[tuple[str, str]]:
        with sqlite3.connect(ran / "state.sqlite") as db:
            return db.execute("SELECT key, status FROM emails ORDER BY key").fetchall()

    before = emails()
    monkeypatch.setattr(state.State, "__init__", no_room_left)
    result = cli("run", "--once", "--workspace", ran, "--today", "2026-11-02")  # new digests
    assert_environment_failure(result, f"Ổ đĩa chứa {ran / 'state.sqlite'} đã đầy")
    assert emails() == before  # the job's transaction rolled back whole
    assert len(backups.backups(ran / BACKUPS)) == 1  # no backup of a failed run


# The state store


def test_a_state_locked_by_another_process_is_waited_for_a_bounded_time_then_status_4(
    ran: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(backups, "BUSY_SECONDS", 0.5)
    before = files_of(ran)
    other = sqlite3.connect(ran / "state.sqlite", isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")  # e.g. DB Browser for SQLite, in the middle of an edit
    try:
        started = time.monotonic()
        result = run_once(cli, ran)
        waited = time.monotonic() - started
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert_environment_failure(
        result,
        f"Tệp trạng thái {ran / 'state.sqlite'} đang bị một chương trình khác khóa, đã chờ "
        "0.5 giây: lần chạy này dừng, không ghi và không gửi gì. Đóng chương trình đang mở "
        "tệp này (ví dụ DB Browser for SQLite) rồi chạy lại",
    )
    assert 0.5 <= waited < 10
    assert files_of(ran) == before


@pytest.mark.parametrize(
    "damage",
    [
        lambda path: path.write_bytes(b"not a database, just text " * 100),
        lambda path: path.write_bytes(path.read_bytes()[: path.stat().st_size // 2]),
    ],
    ids=["overwritten", "truncated"],
)
def test_a_corrupt_state_is_restored_from_the_newest_backup_and_nothing_is_sent_twice(
    ran: Path, cli: Cli, damage: Callable[[Path], Any]
) -> None:
    state = ran / "state.sqlite"
    (newest,) = backups.backups(ran / BACKUPS)
    taken = datetime.strptime(newest.name, "state-%Y%m%d-%H%M%S.sqlite")
    damage(state)
    broken = state.read_bytes()
    result = run_once(cli, ran)
    assert result.exit_code == OK, result.output
    assert (
        f"Lưu ý: Đã khôi phục state.sqlite từ bản sao lưu lúc {taken:%H:%M} ngày "
        f"{taken:%d/%m/%Y} ({newest}) vì tệp bị hỏng ("
    ) in result.output
    (aside,) = ran.glob("state.sqlite.hong-*")
    assert f"tệp hỏng được giữ lại là {aside.name}" in result.output
    assert aside.read_bytes() == broken  # kept aside, never deleted
    assert (
        "(lượt nhắc trước 7 ngày), 10/11/2026 (lượt nhắc trước 14 ngày): 0 thư mới" in result.output
    )
    assert "Thư: không có thư mới" in result.output  # the ledger knew what was sent
    assert "Traceback" not in result.output
    assert backups.damage(state) is None


def test_a_corrupt_states_journal_is_never_left_beside_the_restored_backup(
    tmp_path: Path,
) -> None:
    live = sqlite3.connect(tmp_path / "state.sqlite", isolation_level=None)
    live.execute("CREATE TABLE runs (n INTEGER)")
    live.execute("INSERT INTO runs VALUES (1)")
    backups.back_up(live, tmp_path / "backups", datetime(2026, 10, 28, 14, 2))
    live.close()
    (tmp_path / "state.sqlite").write_bytes(b"garbage " * 512)
    (tmp_path / "state.sqlite-journal").write_bytes(b"a journal of the damaged file")
    recovery = backups.recover(tmp_path / "state.sqlite", tmp_path / "backups")
    assert "lúc 14:02 ngày 28/10/2026" in recovery.notice
    assert (tmp_path / "state.sqlite.hong-1").read_bytes() == b"garbage " * 512
    assert not (tmp_path / "state.sqlite-journal").exists()  # aside, or dropped by SQLite
    restored = sqlite3.connect(tmp_path / "state.sqlite")
    assert restored.execute("SELECT n FROM runs").fetchall() == [(1,)]


def test_a_corrupt_state_without_a_backup_stops_with_status_4_and_is_left_as_it_is(
    ran: Path, cli: Cli
) -> None:
    for backup in backups.backups(ran / BACKUPS):
        backup.unlink()
    state = ran / "state.sqlite"
    state.write_bytes(b"garbage " * 200)
    before = files_of(ran)
    result = run_once(cli, ran)
    assert_environment_failure(
        result,
        f"Tệp trạng thái {state} bị hỏng (file is not a database) và trong "
        f"{ran / 'backups'} không có bản sao lưu nào dùng được: lần chạy này dừng để không gửi "
        "lại thư đã gửi.",
    )
    assert state.read_bytes() == b"garbage " * 200
    assert files_of(ran) == before


def test_a_deleted_state_is_restored_from_its_backup(ran: Path, cli: Cli) -> None:
    (ran / "state.sqlite").unlink()
    result = run_once(cli, ran)
    assert result.exit_code == OK, result.output
    assert "Lưu ý: Đã khôi phục state.sqlite từ bản sao lưu lúc" in result.output
    assert "vì tệp không còn. Thư đã gửi trước lúc sao lưu không bị gửi lại" in result.output
    assert "Thư: không có thư mới" in result.output


def test_a_deleted_state_without_a_backup_starts_afresh_as_a_new_workspace(
    ran: Path, cli: Cli
) -> None:
    (ran / "state.sqlite").unlink()
    for backup in backups.backups(ran / BACKUPS):
        backup.unlink()
    result = run_once(cli, ran)
    assert result.exit_code == OK, result.output
    assert "Lưu ý" not in result.output
    assert (
        "4 đã ghi ra tệp .eml" in result.output
    )  # nothing recorded them: documented in the README
    assert len(backups.backups(ran / BACKUPS)) == 1


def test_a_state_that_cannot_be_opened_is_status_4(province: Path, cli: Cli) -> None:
    (province / "state.sqlite").mkdir()  # what the worker finds instead of its file
    result = run_once(cli, province)
    assert_environment_failure(
        result,
        f"Không mở hoặc không ghi được tệp trạng thái {province / 'state.sqlite'} (unable to "
        "open database file): cấp quyền đọc và ghi tệp này và thư mục chứa nó",
    )
    assert list((province / "outbox").iterdir()) == []


def test_a_read_only_state_is_told_as_such() -> None:
    db = sqlite3.connect("file::memory:?mode=ro", uri=True)
    with pytest.raises(sqlite3.OperationalError) as caught:
        db.execute("CREATE TABLE t (x)")
    problem = backups.sqlite_problem(caught.value, Path("/ws/state.sqlite"))
    assert problem is not None
    assert str(problem).startswith(
        "Không mở hoặc không ghi được tệp trạng thái /ws/state.sqlite (attempt to write a "
        "readonly database)"
    )


# Backups


def test_every_run_that_changed_the_state_leaves_a_checked_backup_and_keeps_the_last_five(
    tmp_path: Path,
) -> None:
    db = sqlite3.connect(tmp_path / "state.sqlite", isolation_level=None)
    db.execute("CREATE TABLE runs (n INTEGER)")
    folder = tmp_path / "backups"
    for n in range(7):
        db.execute("INSERT INTO runs VALUES (?)", (n,))
        backups.back_up(db, folder, datetime(2026, 10, 28, 14, n))
    kept = backups.backups(folder)
    assert [p.name for p in kept] == [f"state-20261028-140{n}00.sqlite" for n in (6, 5, 4, 3, 2)]
    newest = sqlite3.connect(kept[0])
    assert newest.execute("SELECT count(*) FROM runs").fetchone() == (7,)
    assert sorted(p.name for p in folder.iterdir()) == sorted(p.name for p in kept)


def test_a_run_that_changed_nothing_and_a_dry_run_take_no_backup(ran: Path, cli: Cli) -> None:
    folder = ran / BACKUPS
    (first,) = backups.backups(folder)
    assert cli("jobs", "--workspace", ran).exit_code == OK
    dry = run_once(cli, ran, "--dry-run")
    assert dry.exit_code == OK
    assert backups.backups(folder) == [first]


def test_a_dry_run_reads_the_backup_of_a_corrupt_state_and_repairs_nothing(
    ran: Path, cli: Cli
) -> None:
    state = ran / "state.sqlite"
    state.write_bytes(b"garbage " * 200)
    result = run_once(cli, ran, "--dry-run")
    assert result.exit_code == OK, result.output
    assert "state.sqlite: tệp bị hỏng (file is not a database). Chạy thử: dùng bản sao lưu" in (
        result.output
    )
    assert "Thư: 0 thư chờ gửi" in result.output  # the backup's ledger: all sent
    assert state.read_bytes() == b"garbage " * 200
    assert list(ran.glob("state.sqlite.hong-*")) == []


# The network


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def cut_off_google_token(root: Path) -> str:
    key = json.loads((root / "khoa.json").read_text("utf-8"))
    key["token_uri"] = f"http://127.0.0.1:{closed_port()}/token"
    (root / "khoa.json").write_text(json.dumps(key), "utf-8")
    return str(key["token_uri"])


@pytest.mark.parametrize("backend", ["google"])
def test_googles_token_endpoint_unreachable_at_start_is_status_4_not_bad_configuration(
    province: Path, cli: Cli, fake_google: Any
) -> None:
    token_uri = cut_off_google_token(province)
    result = run_once(cli, province)
    assert_environment_failure(
        result,
        f"Không kết nối được máy chủ cấp quyền truy cập của Google (token_uri {token_uri}): "
        "máy này không vào được mạng hoặc máy chủ tạm thời không trả lời. Kiểm tra kết nối "
        "mạng (tường lửa, proxy); lần chạy sau sẽ tự thử lại, không cần sửa cấu hình",
    )
    assert "Lỗi cấu hình" not in result.output
    assert fake_google.calls == {}
    assert list((province / "outbox").iterdir()) == []


@pytest.mark.parametrize("backend", ["google"])
def test_the_registry_unreachable_is_status_4(province: Path, cli: Cli, fake_google: Any) -> None:
    registry = next(k for k, f in fake_google.files.items() if f.title == "Danh mục đơn vị")
    fake_google.broken[registry] = 503  # Google answers 503 to every try
    result = run_once(cli, province)
    assert_environment_failure(
        result,
        "Không kết nối được Google Sheets để đọc danh mục đơn vị ([google] registry = "
        f"'{registry}'): máy này không vào được mạng",
    )


@pytest.mark.parametrize("backend", ["google"])
def test_the_daemon_logs_a_network_failure_at_start_and_catches_up_when_it_returns(
    province: Path, fake_google: Any, routes: Routes, caplog: pytest.LogCaptureFixture
) -> None:
    from worker.app import scheduler
    from worker.app.cli import TZ
    from worker.app.wiring import open_workspace

    key_text = (province / "khoa.json").read_text("utf-8")
    cut_off_google_token(province)
    with open_workspace(province, routes.options()) as ws, caplog.at_level(logging.INFO, "mohinh"):
        running = scheduler.start(ws, TZ)  # does not raise: the daemon stays up
        try:
            catch_up = running.get_job(scheduler.CATCH_UP)
            assert catch_up is not None
            assert "tick không chạy được, sẽ thử lại lần sau: Không kết nối được máy chủ" in (
                caplog.text
            )
            assert "mohinh chạy nền" in caplog.text
            catch_up.func()  # the retry, with the network still down
            assert running.get_job(scheduler.CATCH_UP) is not None
            (province / "khoa.json").write_text(key_text, "utf-8")  # the network is back
            catch_up.func()
            assert running.get_job(scheduler.CATCH_UP) is None  # caught up: no more retries
        finally:
            running.shutdown(wait=False)
    assert "chu kỳ" in caplog.text and "3 đơn vị (3 cập nhật, 0 không đổi, 0 lỗi)" in caplog.text


# The README's table of exit statuses, each class run through the CLI

README = (Path(__file__).parent.parent / "README.md").read_text("utf-8")
TABLE = {
    int(status): name
    for status, name in re.findall(r"^\| (\d) \| ([^|]+?) \|", README, re.MULTILINE)
}


def hold_the_workspace(root: Path) -> int:
    import fcntl
    import os

    fd = os.open(root / ".mohinh.lock", os.O_RDWR | os.O_CREAT, 0o644)
    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    return fd


@pytest.mark.parametrize(
    ("status", "name", "fault"),
    [
        (0, "all well", lambda root: None),
        (1, "a unit's own trouble", lambda root: (root / "units" / "u2.xlsx").unlink()),
        (
            2,
            "configuration",
            lambda root: (root / "config.toml").write_text(
                (root / "config.toml").read_text("utf-8").replace("[rules]", "[rule]"), "utf-8"
            ),
        ),
        (3, "another worker", hold_the_workspace),
        (4, "the environment", lambda root: (root / "state.sqlite").mkdir()),
    ],
    ids=["ok", "unit", "configuration", "busy", "environment"],
)
def test_each_exit_status_of_the_readme_is_what_its_class_of_failure_returns(
    province: Path, cli: Cli, status: int, name: str, fault: Callable[[Path], Any]
) -> None:
    assert TABLE[status] == name
    held = fault(province)
    try:
        result = run_once(cli, province)
    finally:
        if fault is hold_the_workspace:
            import os

            os.close(held)
    assert result.exit_code == status, result.output
    assert "Traceback" not in result.output


def test_the_readme_lists_every_exit_status_the_cli_has() -> None:
    assert sorted(TABLE) == sorted(Status) == [0, 1, 2, 3, 4]


def test_every_problem_class_carries_its_exit_status() -> None:
    from notifications.smtp import TransportError
    from worker.core.calendars import CalendarError
    from worker.core.cells import CellProblem
    from worker.core.errors import (
        ConfigError,
        EnvironmentProblem,
        Problem,
        SheetError,
        WorkspaceBusy,
    )

    assert {
        cls: cls.status
        for cls in (
            SheetError,
            ConfigError,
            CalendarError,
            WorkspaceBusy,
            EnvironmentProblem,
            TransportError,
            CellProblem,
        )
    } == {
        SheetError: Status.SOME_FAILED,
        ConfigError: Status.BAD_CONFIG,
        CalendarError: Status.BAD_CONFIG,
        WorkspaceBusy: Status.BUSY,
        EnvironmentProblem: Status.ENVIRONMENT,
        TransportError: Status.SOME_FAILED,
        CellProblem: Status.SOME_FAILED,
    }
    problem = Problem("không phải ngày hợp lệ", place="tab Mô hình, ô G7", fix="nhập dd/mm/yyyy")
    assert str(problem) == "tab Mô hình, ô G7: không phải ngày hợp lệ — nhập dd/mm/yyyy"
    assert str(Problem("chỉ có nội dung")) == "chỉ có nội dung"
