"""Message bodies out of state.sqlite (issue 20): kept compressed while the message may still go,
dropped once it is done; a state made before is brought to that form; a run killed while
delivering leaves the body there for the next."""

from __future__ import annotations

import shutil
import sqlite3
import zlib
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import Result

from tests.conftest import MailServer, good_unit, use_smtp
from tests.test_kill import halt_and_kill, start, steps_of
from tests.test_smtp import NOW, deliver_at

Cli = Callable[..., Result]
FIXTURES = Path(__file__).parent / "fixtures"


def bodies(root: Path) -> dict[str, tuple[str, bytes]]:
    """Each message's status and body, as the ledger keeps it (compressed, or b"")."""
    with sqlite3.connect(root / "state.sqlite") as db:
        rows = db.execute("SELECT key, status, message FROM emails").fetchall()
    return {key: (status, message) for key, status, message in rows}


@pytest.fixture
def province(workspace: Callable[..., Path]) -> Path:
    return workspace(("U1", good_unit(1), "a@example.gov.vn"), ("U2", good_unit(1), "c@x.vn"))


def test_a_queued_body_is_kept_compressed_and_dropped_once_delivered(
    province: Path, cli: Cli
) -> None:
    assert cli("remind", "--workspace", province, "--today", "2026-10-29").exit_code == 0
    queued = bodies(province)
    assert len(queued) == 3 and {s for s, _ in queued.values()} == {"pending"}
    messages = {key: zlib.decompress(body) for key, (_, body) in queued.items()}
    # smaller, even the province's with its workbook attached (a zip, in base64)
    assert all(len(queued[k][1]) < len(m) for k, m in messages.items())
    assert cli("deliver", "--workspace", province, "--today", "2026-10-29").exit_code == 0
    assert bodies(province) == {key: ("sent", b"") for key in queued}
    written = sorted(p.read_bytes() for p in (province / "outbox").iterdir())
    assert written == sorted(messages.values())


def test_a_body_stays_while_a_recipient_is_retried(
    workspace: Callable[..., Path], mail_server: MailServer, cli: Cli
) -> None:
    root = workspace(("U1", good_unit(1), "a@example.gov.vn; b@example.gov.vn"))
    use_smtp(root, mail_server)
    assert cli("remind", "--workspace", root, "--today", "2026-10-29").exit_code == 0
    mail_server.handler.defer = {"b@example.gov.vn"}
    assert deliver_at(root, NOW).outcomes == {"sent": 1, "retry": 1}
    retried = next(b for s, b in bodies(root).values() if s == "retry")
    first = next(m for r, m in mail_server.handler.received if r == ("a@example.gov.vn",))
    mail_server.handler.defer = set()
    assert deliver_at(root, NOW + timedelta(minutes=10)).outcomes == {"sent": 1}
    again = next(m for r, m in mail_server.handler.received if r == ("b@example.gov.vn",))
    assert again == first  # the very message, from its kept body
    assert zlib.decompress(retried).replace(b"\n", b"\r\n") == first.rstrip(b"\r\n") + b"\r\n"
    assert {b for _, b in bodies(root).values()} == {b""}


def test_a_run_killed_while_delivering_leaves_the_body_for_the_next_run(
    province: Path, cli: Cli, tmp_path: Path
) -> None:
    whole = tmp_path / "whole"
    shutil.copytree(province, whole)
    steps = steps_of(whole)
    # the consolidation email, its workbook and report attached: the largest body of the year
    at = next(n for n, s in enumerate(steps, start=1) if s.startswith("claimed "))
    killed = tmp_path / "killed"
    shutil.copytree(province, killed)
    assert halt_and_kill(start(killed, at), at).startswith("claimed ")
    (body,) = [zlib.decompress(b) for s, b in bodies(killed).values() if s == "sending"]
    assert list((killed / "outbox").iterdir()) == []  # cut off before it was written
    again = cli("run", "--once", "--today", "2026-11-16", "--workspace", killed)
    assert again.exit_code == 0, again.output
    assert [p.read_bytes() for p in (killed / "outbox").iterdir()] == [body]
    assert {b for _, b in bodies(killed).values()} == {b""}


def test_a_state_made_before_keeps_working_and_sheds_its_bodies(tmp_path: Path, cli: Cli) -> None:
    """tests/fixtures/state-before-i20.sqlite: made by the code before issue 20 (commit
    3f45ea8) on the demo, `run --once` on 29/10 (11 digests sent) then `remind` on 02/11
    (11 pending), every body whole in the ledger."""
    root = tmp_path / "tinh"
    assert cli("init", root, "--demo", "--today", "2026-10-29").exit_code == 0
    shutil.copy(FIXTURES / "state-before-i20.sqlite", root / "state.sqlite")
    with sqlite3.connect(root / "state.sqlite") as db:
        old = dict(db.execute("SELECT key, message FROM emails WHERE status = 'pending'"))
        assert db.execute("PRAGMA user_version").fetchone() == (0,)
    size = (root / "state.sqlite").stat().st_size
    ran = cli("deliver", "--workspace", root, "--today", "2026-11-02")
    assert ran.exit_code == 0, ran.output
    assert "11 đã ghi ra tệp .eml" in ran.output
    delivered = sorted(p.read_bytes() for p in (root / "outbox").iterdir())
    assert delivered == sorted(old.values())  # the bodies queued before, as they were
    assert {s: b for s, b in bodies(root).values()} == {"sent": b""}
    with sqlite3.connect(root / "state.sqlite") as db:
        assert db.execute("PRAGMA user_version").fetchone() == (1,)
    assert (root / "state.sqlite").stat().st_size < size / 2
    again = cli("run", "--once", "--workspace", root, "--today", "2026-11-02")
    assert "Thư: không có thư mới" in again.output  # what was queued before is known


def test_a_backup_of_a_state_made_before_is_brought_to_the_new_form_when_restored(
    tmp_path: Path, cli: Cli
) -> None:
    root = tmp_path / "tinh"
    assert cli("init", root, "--demo", "--today", "2026-10-29").exit_code == 0
    (root / "backups").mkdir()
    shutil.copy(FIXTURES / "state-before-i20.sqlite", root / "backups/state-20261102-070000.sqlite")
    (root / "state.sqlite").write_bytes(b"hong" * 1000)
    ran = cli("deliver", "--workspace", root, "--today", "2026-11-02")
    assert ran.exit_code == 0, ran.output
    assert "Đã khôi phục" in ran.output and "11 đã ghi ra tệp .eml" in ran.output
    assert {s: b for s, b in bodies(root).values()} == {"sent": b""}
