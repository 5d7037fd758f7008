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
