"""Internationalised addresses (RFC 6531): sent with SMTPUTF8 when the server offers it; with a
server that does not, refused one by one while every other message and recipient is served,
then refused at the registry check with the fix."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from email import message_from_bytes
from email.policy import default
from pathlib import Path

import pytest
from click.testing import Result

from tests.conftest import MailServer, good_unit, use_smtp

Cli = Callable[..., Result]
VIETNAMESE = "hộiphụnữ@example.gov.vn"


@pytest.fixture
def ascii_server() -> Iterator[MailServer]:
    """A server whose EHLO does not offer SMTPUTF8."""
    server = MailServer(smtputf8=False)
    server.start()
    yield server
    server.stop()


def statuses(root: Path) -> dict[str, tuple[str, str]]:
    with sqlite3.connect(root / "state.sqlite") as db:
        return {u: (s, r) for u, s, r in db.execute("SELECT unit, status, refused FROM emails")}


def test_an_international_address_goes_with_smtputf8_when_the_server_offers_it(
    workspace: Callable[..., Path], mail_server: MailServer, cli: Cli
) -> None:
    root = workspace(("U1", good_unit(1), f"{VIETNAMESE}; a@example.gov.vn"))
    use_smtp(root, mail_server)
    result = cli("run", "--once", "--workspace", root, "--today", "2026-10-29")
    assert result.exit_code == 0, result.output
    received = dict(zip(mail_server.handler.received, mail_server.handler.smtputf8, strict=True))
    ((to_unit, utf8),) = [(m, u) for m, u in received.items() if VIETNAMESE in m[0]]
    assert to_unit[0] == (VIETNAMESE, "a@example.gov.vn")
    assert utf8 is True
    assert message_from_bytes(to_unit[1], policy=default)["To"] == f"{VIETNAMESE}, a@example.gov.vn"
    assert [u for (r, _), u in received.items() if r == ("tinh@example.gov.vn",)] == [False]


def test_an_international_address_without_smtputf8_fails_alone_and_every_other_message_goes(
    workspace: Callable[..., Path], ascii_server: MailServer, cli: Cli
) -> None:
    root = workspace(
        ("U1", good_unit(1), f"{VIETNAMESE}; a@example.gov.vn"),
        ("U2", good_unit(1), VIETNAMESE),
        ("U3", good_unit(1), "c@example.gov.vn"),
    )
    use_smtp(root, ascii_server)
    result = cli("run", "--once", "--workspace", root, "--today", "2026-10-29")
    assert result.exit_code == 1, result.output
    assert sorted(r for r, _ in ascii_server.handler.received) == [
        ("a@example.gov.vn",),
        ("c@example.gov.vn",),
        ("tinh@example.gov.vn",),
    ]
    (to_a,) = [m for r, m in ascii_server.handler.received if r == ("a@example.gov.vn",)]
    assert to_a.split(b"\n\n")[0].isascii()  # no UTF-8 header to a server without SMTPUTF8
    assert message_from_bytes(to_a, policy=default)["To"] == "a@example.gov.vn"
    ledger = statuses(root)
    refusal = "5.6.7 máy chủ thư không hỗ trợ SMTPUTF8: không gửi được tới địa chỉ có chữ có dấu"
    assert ledger["U1"] == ("sent", f'{{"{VIETNAMESE}": "{refusal}"}}')
    assert ledger["U2"][0] == "failed"
    assert (ledger["U3"][0], ledger["TINH"][0]) == ("sent", "sent")
    # Known now: the registry check refuses the address, with the fix
    again = cli("run", "--once", "--workspace", root, "--today", "2026-11-02")
    assert (
        f"  ! Danh mục đơn vị, ô E2 — U1 Công an xã U1 (chưa gửi thư cho đơn vị): “{VIETNAMESE}” "
        "máy chủ thư 127.0.0.1 không hỗ trợ SMTPUTF8: không gửi được thư tới địa chỉ có chữ có "
        "dấu — dùng địa chỉ không dấu cho đơn vị (ví dụ hoiphunu@…), hoặc máy chủ thư hỗ trợ "
        "SMTPUTF8"
    ) in again.output
    assert again.exit_code == 1
    assert "chưa gửi vì email trong danh mục có lỗi: U1, U2" in again.output
