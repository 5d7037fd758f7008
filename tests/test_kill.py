"""A November run killed at every step boundary, then run again: every output is there once.

The worker marks each step boundary (`worker.core.steps`); `MOHINH_HALT_AT=N` (`worker.app.halt`,
read by the command line for this test only) stops the real command, in a process of its own,
at the Nth (SIGSTOP), where the test kills it (SIGKILL). The next run must leave the report, the
drafted .docx and the consolidation email each present exactly once, and no temporary file.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from email import message_from_bytes
from email.policy import default
from pathlib import Path

import docx
import openpyxl
from click.testing import Result

from tests.conftest import good_unit

Cli = Callable[..., Result]
NOVEMBER = ("run", "--once", "--today", "2026-11-16")


def start(root: Path, halt_at: int) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "worker", *NOVEMBER, "--workspace", str(root)],
        env={**os.environ, "MOHINH_HALT_AT": str(halt_at)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def steps_of(root: Path) -> list[str]:
    """Every step boundary of a whole run (halting at none)."""
    process = start(root, 0)
    _, err = process.communicate(timeout=120)
    assert process.returncode == 0, err
    return [line.split(": ", 1)[1] for line in err.splitlines() if line.startswith("bước ")]


def halt_and_kill(process: subprocess.Popen[str], at: int) -> str:
    """Wait for the process to stop at step `at`, then kill it; returns that step."""
    assert process.stderr is not None
    for line in process.stderr:
        if line.startswith(f"bước {at}: "):
            break
    else:
        raise AssertionError(f"never reached step {at}")
    deadline = time.monotonic() + 30
    while Path(f"/proc/{process.pid}/stat").read_text().split(") ")[1][0] != "T":
        assert time.monotonic() < deadline
        time.sleep(0.01)  # stopping itself: a few instructions away
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    return line.split(": ", 1)[1].strip()


def outputs_once(root: Path) -> None:
    assert sorted(p.name for p in (root / "reports").iterdir()) == [
        "bao-cao-2026.docx",
        "tong-hop-2026.xlsx",
    ]
    openpyxl.load_workbook(root / "reports" / "tong-hop-2026.xlsx")  # whole, not half
    docx.Document(str(root / "reports" / "bao-cao-2026.docx"))
    emls = list((root / "outbox").iterdir())
    assert len(emls) == 1, emls
    eml = emls[0]
    message = message_from_bytes(eml.read_bytes(), policy=default)
    assert str(message["Subject"]).startswith("Bảng tổng hợp mô hình, điển hình năm 2026")
    attached = sorted(str(part.get_filename()) for part in message.iter_attachments())
    assert attached == ["bao-cao-2026.docx", "tong-hop-2026.xlsx"]
    with sqlite3.connect(root / "state.sqlite") as db:
        rows = db.execute("SELECT status FROM emails WHERE cutoff = 'tong-hop-2026'").fetchall()
    assert rows == [("sent",)]
    assert [p for p in root.rglob(".~mohinh-*")] == []
    for unit in ("u1", "u2"):
        assert "Kết quả" in openpyxl.load_workbook(root / "units" / f"{unit}.xlsx").sheetnames


def test_a_november_run_killed_at_any_step_leaves_every_output_once_after_the_next_run(
    workspace: Callable[..., Path], cli: Cli, tmp_path: Path
) -> None:
    template = workspace(("U1", good_unit(2), "a@x.vn"), ("U2", good_unit(1), "b@x.vn"))
    whole = tmp_path / "whole"
    shutil.copytree(template, whole)
    steps = steps_of(whole)
    outputs_once(whole)
    assert {"replaced reports/tong-hop-2026.xlsx", "consolidated 2026"} <= set(steps), steps
    copies = [tmp_path / f"killed-{n}" for n in range(1, len(steps) + 1)]
    for copy in copies:
        shutil.copytree(template, copy)
    running = [start(copy, n) for n, copy in enumerate(copies, start=1)]
    killed_at = [halt_and_kill(process, n) for n, process in enumerate(running, start=1)]
    stamp = re.compile(r"\d{8}-\d{6}")  # a backup's name is the time it was taken
    assert [stamp.sub("…", s) for s in killed_at] == [stamp.sub("…", s) for s in steps]
    for copy, step in zip(copies, killed_at, strict=True):
        again = cli(*NOVEMBER, "--workspace", copy)
        assert again.exit_code == 0, (step, again.output)
        try:
            outputs_once(copy)
        except AssertionError as exc:
            raise AssertionError(f"killed after “{step}”: {exc}") from exc
