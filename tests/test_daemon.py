"""The daemon runs with the options it was started with: a dry run writes and sends nothing, and a
pretend date is refused rather than silently replaced by the real one."""

from __future__ import annotations

import hashlib
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from click.testing import CliRunner, Result

from worker.app.cli import main

Cli = Callable[..., Result]


def files_of(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def demo_workspace(tmp_path: Path) -> Path:
    root = tmp_path / "tinh"
    init = CliRunner().invoke(main, ["init", str(root), "--demo", "--today", "2026-10-29"])
    assert init.exit_code == 0
    return root


def run_daemon_until_started(*args: str) -> str:
    """`mohinh run ARGS` until its first cycle is done and it is scheduled, then SIGTERM."""
    daemon = subprocess.Popen(
        [sys.executable, "-m", "worker", "run", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert daemon.stdout is not None
    lines = []
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        line = daemon.stdout.readline()
        lines.append(line)
        if "mohinh chạy nền" in line or not line:
            break
    daemon.send_signal(signal.SIGTERM)
    out, _ = daemon.communicate(timeout=30)
    log = "".join(lines) + out
    assert daemon.returncode == 0, log
    return log


def test_the_daemons_dry_run_leaves_every_file_as_it_was_and_sends_nothing(
    tmp_path: Path,
) -> None:
    root = demo_workspace(tmp_path)
    before = files_of(root)
    log = run_daemon_until_started("--dry-run", "--workspace", str(root))
    assert "chu kỳ" in log and "CHẠY THỬ" in log
    assert files_of(root) == before  # no Kết quả, no report, no state, no lock file
    assert list((root / "outbox").iterdir()) == []


def test_the_daemon_refuses_a_pretend_date_and_says_how_to_use_one(
    tmp_path: Path, cli: Cli
) -> None:
    root = demo_workspace(tmp_path)
    before = files_of(root)
    result = CliRunner().invoke(main, ["run", "--workspace", str(root), "--today", "2026-10-29"])
    assert result.exit_code == 2
    assert (
        "Lỗi: --today chỉ dùng với --once. Chạy nền luôn theo ngày giờ thật; để chạy như thể "
        "hôm nay là 29/10/2026, dùng: mohinh run --once --today 29/10/2026"
    ) in result.output
    assert files_of(root) == before


def catches_sigterm(pid: int) -> bool:
    """Whether the process has a handler for SIGTERM yet (its caught-signals mask)."""
    status = Path(f"/proc/{pid}/status").read_text()
    (mask,) = [line.split()[1] for line in status.splitlines() if line.startswith("SigCgt:")]
    return bool(int(mask, 16) >> (signal.SIGTERM - 1) & 1)


def test_a_daemon_stopped_while_it_starts_exits_0(tmp_path: Path) -> None:
    # From the moment the process has a SIGTERM handler — its entry point's first instruction,
    # before the imports and the opening of the workspace — through the catch-up cycle and the
    # schedule. (Before that the interpreter itself is starting: no program can catch a signal.)
    root = demo_workspace(tmp_path)
    lock = root / ".mohinh.lock"
    for delay in (0, 0, 0.01, 0.03, 0.1, 0.2, 0.4, 0.8, 1.5):
        lock.unlink(missing_ok=True)  # created when the workspace is opened
        daemon = subprocess.Popen(
            [sys.executable, "-m", "worker", "run", "--workspace", str(root)],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        deadline = time.monotonic() + 30
        while not catches_sigterm(daemon.pid):
            assert time.monotonic() < deadline and daemon.poll() is None
        assert not lock.exists(), "SIGTERM is caught only once the workspace is open"
        time.sleep(delay)
        daemon.send_signal(signal.SIGTERM)
        out, _ = daemon.communicate(timeout=60)
        assert daemon.returncode == 0, (delay, out)
        assert "Traceback" not in out, (delay, out)


def test_a_command_other_than_the_daemon_still_ends_by_sigterm(tmp_path: Path) -> None:
    # A signal caught while it started is raised again once the command is known to be one
    # that does not wait for it; one that comes later ends it at once.
    root = demo_workspace(tmp_path)
    for released in (False, True):
        once = subprocess.Popen(
            [sys.executable, "-m", "worker", "run", "--once", "--workspace", str(root)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 30
        while not catches_sigterm(once.pid):
            assert time.monotonic() < deadline and once.poll() is None
        while released and catches_sigterm(once.pid):
            assert time.monotonic() < deadline and once.poll() is None
        once.send_signal(signal.SIGTERM)
        assert once.wait(timeout=60) == -signal.SIGTERM
