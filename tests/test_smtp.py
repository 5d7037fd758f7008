"""Delivery by SMTP to a real server on loopback: every outcome lands in the ledger."""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result

from jobs import deliver
from tests.conftest import MailServer, good_unit, use_smtp
from worker.app.wiring import open_workspace

Cli = Callable[..., Result]
NOW = datetime(2026, 10, 29, 6, 30)


def ledger(root: Path) -> dict[str, dict[str, Any]]:
    with sqlite3.connect(root / "state.sqlite") as db:
        db.row_factory = sqlite3.Row
        return {r["key"]: dict(r) for r in db.execute("SELECT * FROM emails")}


@pytest.fixture
def province(workspace: Callable[..., Path], mail_server: MailServer) -> Path:
    root = workspace(
        ("U1", good_unit(1), "a@example.gov.vn; b@example.gov.vn"),
        ("U2", good_unit(1), "c@example.gov.vn"),
    )
    use_smtp(root, mail_server)
    return root


def queue(root: Path, cli: Cli) -> None:
    """Queue the 29/10 digests (two units and the province) without delivering them."""
    assert cli("remind", "--workspace", root, "--today", "2026-10-29").exit_code == 0


def deliver_at(root: Path, now: datetime) -> deliver.DeliverReport:
    with open_workspace(root) as ws:
        return deliver.run(ws, now.date(), now)


def test_digests_go_to_every_coordinator_by_smtp(
    province: Path, mail_server: MailServer, cli: Cli
) -> None:
    result = cli("run", "--once", "--workspace", province, "--today", "2026-10-29")
    assert "Thư (máy chủ 127.0.0.1): 3 đã gửi" in result.output
    assert sorted(r for r, _ in mail_server.handler.received) == [
        ("a@example.gov.vn", "b@example.gov.vn"),
        ("c@example.gov.vn",),
        ("tinh@example.gov.vn",),
    ]
    assert {e["status"] for e in ledger(province).values()} == {"sent"}


def test_a_server_that_is_down_costs_no_attempt_and_is_retried(
    province: Path, mail_server: MailServer, cli: Cli
) -> None:
    queue(province, cli)
    mail_server.stop()
    report = deliver_at(province, NOW)
    assert "không kết nối được máy chủ thư 127.0.0.1" in report.unavailable
    assert report.unavailable.endswith(
        "máy chủ từ chối kết nối (sai cổng, hoặc dịch vụ thư chưa chạy)"
    )
    assert "Errno" not in report.unavailable and "refused" not in report.unavailable
    assert [(e["status"], e["attempts"]) for e in ledger(province).values()] == [("pending", 0)] * 3
    mail_server.start()
    assert deliver_at(province, NOW + timedelta(days=1)).outcomes == {"sent": 3}
    assert len(mail_server.handler.received) == 3


def test_a_4xx_answer_is_retried_after_a_backoff(
    province: Path, mail_server: MailServer, cli: Cli
) -> None:
    queue(province, cli)
    mail_server.handler.data_reply = "451 4.3.0 Thử lại sau"
    assert deliver_at(province, NOW).outcomes == {"retry": 3}
    entry = next(iter(ledger(province).values()))
    assert entry["last_error"] == "sau DATA: 451 4.3.0 Thử lại sau"
    assert entry["next_attempt"] == (NOW + timedelta(minutes=10)).isoformat()
    mail_server.handler.data_reply = None
    assert deliver_at(province, NOW + timedelta(minutes=5)).due == 0  # not yet
    assert deliver_at(province, NOW + timedelta(minutes=10)).outcomes == {"sent": 3}


def test_a_5xx_answer_fails_for_good_and_the_province_hears_of_it(
    province: Path, mail_server: MailServer, cli: Cli
) -> None:
    mail_server.handler.refuse = {"c@example.gov.vn"}
    cli("run", "--once", "--workspace", province, "--today", "2026-10-29")
    failed = [e for e in ledger(province).values() if e["status"] == "failed"]
    assert [(e["unit"], e["last_error"]) for e in failed] == [
        ("U2", "mọi người nhận bị từ chối: c@example.gov.vn: 550 5.1.1 Không có hộp thư này")
    ]
    assert deliver_at(province, NOW + timedelta(days=3)).due == 0  # never retried
    cli("run", "--once", "--workspace", province, "--today", "2026-11-02")  # next reminder
    from email import message_from_bytes
    from email.policy import default

    to_province = [m for r, m in mail_server.handler.received if r == ("tinh@example.gov.vn",)]
    province_digest = message_from_bytes(to_province[-1], policy=default)
    text = province_digest.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "THƯ CHƯA ĐẾN ĐƯỢC NGƯỜI NHẬN (1)" in text
    assert (
        "- U2 — [Còn 7 ngày] 1 điển hình dưới 70% — Công an xã U2: không gửi được (mọi "
        "người nhận bị từ chối"
    ) in text


def test_refused_addresses_are_recorded_one_by_one(
    province: Path, mail_server: MailServer, cli: Cli
) -> None:
    mail_server.handler.refuse = {"b@example.gov.vn"}
    cli("run", "--once", "--workspace", province, "--today", "2026-10-29")
    u1 = next(e for e in ledger(province).values() if e["unit"] == "U1")
    assert u1["status"] == "sent"
    assert json.loads(u1["refused"]) == {"b@example.gov.vn": "550 5.1.1 Không có hộp thư này"}
    assert ("a@example.gov.vn",) in [r for r, _ in mail_server.handler.received]


def test_a_timeout_after_the_message_is_uncertain_and_resent_only_once(
    province: Path, mail_server: MailServer, cli: Cli
) -> None:
    queue(province, cli)
    mail_server.handler.delay = 3  # longer than the client's 2 s timeout
    assert deliver_at(province, NOW).outcomes == {"uncertain": 3}
    assert len(mail_server.handler.received) == 3  # the server had them all the same
    assert deliver_at(province, NOW + timedelta(hours=1)).outcomes == {"uncertain": 3}
    assert deliver_at(province, NOW + timedelta(hours=2)).due == 0  # resent once, no more
    ids = mail_server.handler.message_ids()
    assert len(ids) == 6 and len(set(ids)) == 3  # a resend carries the same Message-ID


def test_a_connection_dropped_mid_batch_loses_nothing(
    province: Path, mail_server: MailServer, cli: Cli
) -> None:
    queue(province, cli)
    mail_server.handler.drop_after = 2  # lost after the second message's final "."
    report = deliver_at(province, NOW)
    assert report.outcomes == {"sent": 2, "uncertain": 1}  # the third went on a new connection
    assert deliver_at(province, NOW + timedelta(hours=1)).outcomes == {"sent": 1}
    assert {e["status"] for e in ledger(province).values()} == {"sent"}
    assert len(set(mail_server.handler.message_ids())) == 3


def test_a_run_cut_off_while_sending_leaves_the_message_uncertain(
    province: Path, mail_server: MailServer, cli: Cli
) -> None:
    queue(province, cli)
    with sqlite3.connect(province / "state.sqlite") as db:
        db.execute("UPDATE emails SET status = 'sending' WHERE unit = 'U1'")
    assert deliver_at(province, NOW).outcomes == {"sent": 3}  # uncertain: resent once
    u1 = next(e for e in ledger(province).values() if e["unit"] == "U1")
    assert (u1["status"], u1["resent"]) == ("sent", 1)


def test_two_deliveries_at_once_send_each_message_once(
    province: Path, mail_server: MailServer, cli: Cli
) -> None:
    # The daemon's daily cycle and its hourly retry may deliver at the same moment: the
    # second starts while the first is in the middle of sending a message.
    queue(province, cli)
    mail_server.handler.delay = 0.5

    def worker() -> None:
        with open_workspace(province, lock=False) as ws:
            deliver.run(ws, NOW.date(), NOW)

    first = threading.Thread(target=worker)
    first.start()
    while not mail_server.handler.received:  # the first message is on the wire
        threading.Event().wait(0.01)
    second = threading.Thread(target=worker)
    second.start()
    first.join()
    second.join()
    ids = mail_server.handler.message_ids()
    assert sorted(ids) == sorted(e["message_id"] for e in ledger(province).values())


def test_a_second_worker_exits_with_a_clear_message_and_sends_nothing(
    province: Path, mail_server: MailServer, cli: Cli
) -> None:
    queue(province, cli)
    with open_workspace(province):
        result = cli("run", "--once", "--workspace", province, "--today", "2026-10-29")
    assert result.exit_code == 3
    assert "đang được một tiến trình mohinh khác sử dụng" in result.output
    assert mail_server.handler.received == []


def test_the_password_comes_from_the_environment_and_is_never_printed(
    workspace: Callable[..., Path], cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult, LoginPassword

    from tests.conftest import MailHandler

    def check(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
        ok = isinstance(data, LoginPassword) and data.password == b"bi-mat-123"
        return AuthResult(success=ok, handled=False)  # handled=True would mean "I replied"

    server = MailServer()
    handler = MailHandler()
    controller = Controller(
        handler, hostname="127.0.0.1", port=server.port, authenticator=check, auth_require_tls=False
    )
    controller.start()
    try:
        root = workspace(("U1", good_unit(1), "a@example.gov.vn"))
        use_smtp(root, server)
        config = root / "config.toml"
        config.write_text(
            config.read_text("utf-8").replace(
                'security = "none"', 'security = "none"\nusername = "mohinh"'
            ),
            "utf-8",
        )
        monkeypatch.setenv("MOHINH_SMTP_PASSWORD", "bi-mat-123")
        result = cli("run", "--once", "--workspace", root, "--today", "2026-10-29")
        assert len(handler.received) == 2
        monkeypatch.setenv("MOHINH_SMTP_PASSWORD", "sai-mat-khau")
        cli("remind", "--workspace", root, "--today", "2026-11-02")
        wrong = cli("deliver", "--workspace", root, "--today", "2026-11-02")
        assert "máy chủ thư từ chối đăng nhập (535)" in wrong.output
        for text in (
            result.output,
            wrong.output,
            (root / "state.sqlite").read_bytes().decode("utf-8", "replace"),
        ):
            assert "bi-mat-123" not in text and "sai-mat-khau" not in text
    finally:
        controller.stop()


@pytest.mark.parametrize("security", ["starttls", "ssl"])
def test_tls_is_used_and_the_certificate_verified(
    workspace: Callable[..., Path], cli: Cli, security: str
) -> None:
    import ssl

    import trustme
    from aiosmtpd.controller import Controller

    from tests.conftest import MailHandler

    ca = trustme.CA()
    server_tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(server_tls)
    handler, port = MailHandler(), MailServer().port
    options: dict[str, Any] = (
        {"tls_context": server_tls, "require_starttls": True}
        if security == "starttls"
        else {"ssl_context": server_tls}
    )
    controller = Controller(handler, hostname="127.0.0.1", port=port, **options)
    controller.start()
    try:
        root = workspace(("U1", good_unit(1), "a@example.gov.vn"))
        config = root / "config.toml"
        settings = (
            f'smtp_host = "127.0.0.1"\nsmtp_port = {port}\nsecurity = "{security}"\ntimeout = 5\n'
        )
        config.write_text(
            config.read_text("utf-8").replace("[mail]\n", "[mail]\n" + settings), "utf-8"
        )
        untrusted = cli("run", "--once", "--workspace", root, "--today", "2026-10-29")
        assert (
            "chứng chỉ của máy chủ không được tin cậy" in untrusted.output
        )  # never sent unchecked
        assert "CERTIFICATE_VERIFY_FAILED" not in untrusted.output
        assert handler.received == []
        ca.cert_pem.write_to_path(str(root / "ca.pem"))
        config.write_text(
            config.read_text("utf-8").replace("timeout = 5\n", 'timeout = 5\nca_file = "ca.pem"\n'),
            "utf-8",
        )
        trusted = cli("deliver", "--workspace", root, "--today", "2026-10-29")
        assert "2 đã gửi" in trusted.output
        assert len(handler.received) == 2
    finally:
        controller.stop()


def test_two_workers_started_together_send_each_message_once(
    province: Path, mail_server: MailServer
) -> None:
    import subprocess
    import sys

    command = [
        sys.executable,
        "-m",
        "worker",
        "run",
        "--once",
        "--workspace",
        str(province),
        "--today",
        "2026-10-29",
    ]
    workers = [
        subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        for _ in range(2)
    ]
    outputs = [w.communicate(timeout=120)[0] for w in workers]
    codes = sorted(w.returncode for w in workers)
    assert codes in ([0, 3], [0, 0]), outputs  # the second waits for none: it stops at once
    if codes == [0, 3]:
        assert any("đang được một tiến trình mohinh khác sử dụng" in o for o in outputs)
    ids = mail_server.handler.message_ids()
    assert len(ids) == 3 and len(set(ids)) == 3


def test_a_4xx_for_one_recipient_is_retried_for_that_recipient_only_with_the_same_message_id(
    province: Path, mail_server: MailServer, cli: Cli
) -> None:
    queue(province, cli)
    mail_server.handler.defer = {"b@example.gov.vn"}
    assert deliver_at(province, NOW).outcomes == {"sent": 2, "retry": 1}
    u1 = next(e for e in ledger(province).values() if e["unit"] == "U1")
    assert (u1["status"], u1["next_attempt"]) == (
        "retry",
        (NOW + timedelta(minutes=10)).isoformat(),
    )
    assert json.loads(u1["refused"]) == {
        "b@example.gov.vn": "450 4.2.1 Hộp thư tạm thời không nhận thư"
    }
    mail_server.handler.defer = set()
    assert deliver_at(province, NOW + timedelta(minutes=10)).outcomes == {"sent": 1}
    u1 = next(e for e in ledger(province).values() if e["unit"] == "U1")
    assert (u1["status"], json.loads(u1["refused"])) == ("sent", {})
    to_u1 = [(r, m) for r, m in mail_server.handler.received if "a@example.gov.vn" in str(m)]
    assert [r for r, _ in to_u1] == [("a@example.gov.vn",), ("b@example.gov.vn",)]
    ids = {mail_server.handler.message_ids()[mail_server.handler.received.index(x)] for x in to_u1}
    assert ids == {u1["message_id"]}
    assert deliver_at(province, NOW + timedelta(days=1)).due == 0


def test_a_5xx_refusal_stays_recorded_while_a_4xx_beside_it_is_retried(
    province: Path, mail_server: MailServer, cli: Cli
) -> None:
    queue(province, cli)
    mail_server.handler.defer = {"a@example.gov.vn"}
    mail_server.handler.refuse = {"b@example.gov.vn"}
    assert deliver_at(province, NOW).outcomes == {"sent": 2, "retry": 1}
    mail_server.handler.defer = set()
    assert deliver_at(province, NOW + timedelta(minutes=10)).outcomes == {"sent": 1}
    u1 = next(e for e in ledger(province).values() if e["unit"] == "U1")
    assert u1["status"] == "sent"
    assert json.loads(u1["refused"]) == {"b@example.gov.vn": "550 5.1.1 Không có hộp thư này"}
    assert ("a@example.gov.vn",) in [r for r, _ in mail_server.handler.received]
    assert ("b@example.gov.vn",) not in [r for r, _ in mail_server.handler.received]


@pytest.mark.parametrize("command", [("deliver",), ("run", "--once")], ids=["deliver", "run_once"])
def test_messages_due_while_the_server_is_down_exit_1_and_say_how_many_wait(
    province: Path, mail_server: MailServer, cli: Cli, command: tuple[str, ...]
) -> None:
    queue(province, cli)
    mail_server.stop()
    result = cli(*command, "--workspace", province, "--today", "2026-10-29")
    assert result.exit_code == 1, result.output
    assert "3 thư chưa gửi được, sẽ thử lại" in result.output
    assert "không kết nối được máy chủ thư 127.0.0.1" in result.output


def test_every_message_refused_with_5xx_exits_1_and_each_is_named_with_the_answer(
    province: Path, mail_server: MailServer, cli: Cli
) -> None:
    mail_server.handler.refuse = {
        "a@example.gov.vn",
        "b@example.gov.vn",
        "c@example.gov.vn",
        "tinh@example.gov.vn",
    }
    result = cli("run", "--once", "--workspace", province, "--today", "2026-10-29")
    assert result.exit_code == 1, result.output
    assert "Thư (máy chủ 127.0.0.1): 3 lỗi, không gửi được" in result.output
    refused = "550 5.1.1 Không có hộp thư này"
    assert (
        f"  ! thư gửi U1 (a@example.gov.vn, b@example.gov.vn): mọi người nhận bị từ chối: "
        f"a@example.gov.vn: {refused}; b@example.gov.vn: {refused} — không gửi lại (sửa cột "
        "Email đầu mối trong Danh mục đơn vị)"
    ) in result.output
    assert (
        f"  ! thư gửi tỉnh (tinh@example.gov.vn): mọi người nhận bị từ chối: "
        f"tinh@example.gov.vn: {refused} — không gửi lại (sửa staff_emails trong config.toml)"
    ) in result.output


def test_a_recipient_refused_with_5xx_is_named_and_the_run_exits_1(
    province: Path, mail_server: MailServer, cli: Cli
) -> None:
    mail_server.handler.refuse = {"b@example.gov.vn"}
    result = cli("run", "--once", "--workspace", province, "--today", "2026-10-29")
    assert result.exit_code == 1, result.output
    assert "Thư (máy chủ 127.0.0.1): 3 đã gửi" in result.output
    assert (
        "  ! thư gửi U1 (b@example.gov.vn): 550 5.1.1 Không có hộp thư này — không gửi lại tới "
        "địa chỉ này (sửa cột Email đầu mối trong Danh mục đơn vị)"
    ) in result.output
    # told once: the next run, which sends nothing, has nothing to tell
    assert cli("deliver", "--workspace", province, "--today", "2026-10-29").exit_code == 0


def test_a_server_slower_than_the_timeout_exits_1_and_says_when_it_is_tried_again(
    province: Path, mail_server: MailServer, cli: Cli
) -> None:
    queue(province, cli)
    mail_server.handler.rcpt_delay = 3  # longer than the client's 2 s timeout
    result = cli("deliver", "--workspace", province, "--today", "2026-10-29")
    assert result.exit_code == 1, result.output
    assert "sẽ thử lại" in result.output
    waiting = [line for line in result.output.splitlines() if line.startswith("  ! thư gửi")]
    assert len(waiting) == 3
    assert all(
        "mất kết nối trước khi gửi nội dung thư" in line and " — sẽ thử lại lúc " in line
        for line in waiting
    ), waiting
    # a delivery before the retry is due still tells the message waits, and exits 1
    mail_server.handler.rcpt_delay = 0
    again = cli("deliver", "--workspace", province, "--today", "2026-10-29")
    assert again.exit_code == 1, again.output
    assert len([line for line in again.output.splitlines() if "sẽ thử lại lúc" in line]) == 3


def test_a_message_whose_answer_was_lost_is_named_and_the_run_exits_1(
    province: Path, mail_server: MailServer, cli: Cli
) -> None:
    queue(province, cli)
    mail_server.handler.delay = 3  # the answer to the final "." comes after the timeout
    result = cli("deliver", "--workspace", province, "--today", "2026-10-29")
    assert result.exit_code == 1, result.output
    assert "3 chưa chắc đã đến" in result.output
    (to_u2,) = [line for line in result.output.splitlines() if "thư gửi U2" in line]
    assert to_u2.startswith("  ! thư gửi U2 (c@example.gov.vn): mất kết nối sau khi gửi nội dung")
    assert to_u2.endswith("có thể thư đã đến — gửi lại một lần ở lần chạy sau")
