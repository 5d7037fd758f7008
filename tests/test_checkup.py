"""`mohinh kiem-tra`: a checklist of everything a run needs, read and nothing written, on both
backends; one line per item with ✓ or ✗ and the fix; the exit status by the gravest class."""

from __future__ import annotations

import socket
import ssl
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result

from tests.conftest import ACCOUNT, FOLDER, REPORTS, good_unit
from tests.test_google_strict import configure, unit_keys
from worker.app.checkup import heartbeat
from worker.core.errors import Status

Cli = Callable[..., Result]
on_google = pytest.mark.parametrize("backend", ["google"])
WRITES = {"spreadsheets.batchUpdate", "spreadsheets.values.update", "files.create"}


def kiem_tra(cli: Cli, root: Path) -> Result:
    return cli("kiem-tra", "--workspace", root)


def tree(root: Path) -> dict[str, tuple[int, int]]:
    """Every file of the workspace with its size and modification time."""
    return {
        str(p.relative_to(root)): (p.stat().st_size, p.stat().st_mtime_ns)
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def test_the_demo_is_checked_and_nothing_is_written(tmp_path: Path, cli: Cli) -> None:
    root = tmp_path / "demo"
    assert cli("init", root, "--demo", "--today", "2026-10-29").exit_code == 0
    before = tree(root)
    result = kiem_tra(cli, root)
    assert tree(root) == before  # no lock, no state, no log, no backup
    lines = result.output.splitlines()
    assert "✓ Cấu hình config.toml: đọc được (lưu trữ: local)" in lines
    assert "✓ Danh mục đơn vị (registry.xlsx): 12 đơn vị, 12 đang hoạt động" in lines
    assert "✓ Bảng tính đơn vị CA-PT (Công an phường Phan Thiết): đọc được, đủ 6 tab" in lines
    assert [line for line in lines if line.startswith("✗")] == [
        "✗ Bảng tính đơn vị CA-TP (Công an xã Tuy Phong): không tìm thấy tệp units/ca-tp.xlsx "
        "(ô F7 của cột Bảng tính, tab Danh mục đơn vị) — chép tệp của đơn vị vào đường dẫn này "
        "hoặc sửa ô F7; thư nhắc đơn vị chờ đến khi đọc được tệp"
    ]  # the demo's unit whose workbook was never sent
    assert lines[-1] == "Kết quả: 15 mục đạt, 1 mục cần sửa"
    assert result.exit_code == Status.SOME_FAILED


def test_a_unit_sheet_missing_tabs_is_told_with_the_tabs(
    workspace: Callable[..., Path], cli: Cli
) -> None:
    rows = good_unit(1)
    del rows["criteria"]  # the writer leaves every tab; drop one below
    root = workspace(("U1", rows, "a@example.gov.vn"))
    from openpyxl import load_workbook

    book = load_workbook(root / "units" / "u1.xlsx")
    del book["Tiêu chí điển hình"]
    book.save(root / "units" / "u1.xlsx")
    result = kiem_tra(cli, root)
    assert (
        "✗ Bảng tính đơn vị U1 (Công an xã U1): thiếu tab “Tiêu chí điển hình” — thêm lại các "
        "tab này theo mẫu"
    ) in result.output, result.output
    assert result.exit_code == Status.SOME_FAILED


def test_a_broken_configuration_is_the_first_item_and_status_2(
    workspace: Callable[..., Path], cli: Cli
) -> None:
    root = workspace(("U1", good_unit(1), "a@example.gov.vn"))
    configure(root, "[rule]\nx = 1")
    result = kiem_tra(cli, root)
    assert result.output.startswith("✗ Lỗi cấu hình: "), result.output
    assert result.exit_code == Status.BAD_CONFIG


@on_google
def test_a_google_province_in_order_reads_and_writes_nothing(
    workspace: Callable[..., Path], cli: Cli, fake_google: Any
) -> None:
    root = workspace(("U1", good_unit(1), "a@example.gov.vn"), ("U2", good_unit(1), "b@x.vn"))
    configure(root, f'reports_folder = "{REPORTS}"')
    before = tree(root)
    result = kiem_tra(cli, root)
    assert result.exit_code == 0, result.output
    assert [line for line in result.output.splitlines() if line.startswith(("✓", "✗"))] == [
        "✓ Cấu hình config.toml: đọc được (lưu trữ: google)",
        f"✓ Khóa tài khoản dịch vụ {ACCOUNT}: Google cấp quyền truy cập",
        f"✓ Danh mục đơn vị ({_registry(fake_google)}): 2 đơn vị, 2 đang hoạt động",
        f"✓ Thư mục [google] folder = '{FOLDER}' (Bảng tính các đơn vị): trong Bộ nhớ dùng "
        "chung, tài khoản là Người quản lý nội dung",
        f"✓ Thư mục [google] reports_folder = '{REPORTS}' (Báo cáo tổng hợp): trong Bộ nhớ "
        "dùng chung, tài khoản là Người quản lý nội dung",
        "✓ Bảng tính đơn vị U1 (Công an xã U1): đọc được, đủ 6 tab",
        "✓ Bảng tính đơn vị U2 (Công an xã U2): đọc được, đủ 6 tab",
        "✓ Máy chủ thư: chưa cấu hình smtp_host — thư được ghi thành tệp .eml",
        "✓ Máy theo dõi: chưa cấu hình [monitor] heartbeat_url (không bắt buộc)",
    ]
    assert not WRITES & set(fake_google.calls)
    assert fake_google.calls["spreadsheets.get"] == 1 + 2  # the registry; each unit, read anew
    assert tree(root) == before


def _registry(fake: Any) -> str:
    return next(k for k, f in fake.files.items() if f.title == "Danh mục đơn vị")


@on_google
def test_every_google_problem_gets_its_line_and_the_gravest_class_its_status(
    workspace: Callable[..., Path], cli: Cli, fake_google: Any
) -> None:
    root = workspace(*[(f"U{n}", good_unit(1), f"u{n}@x.vn") for n in range(1, 5)])
    configure(root, f'reports_folder = "{REPORTS}"')
    u1, u2, u3, u4 = unit_keys(fake_google)
    fake_google.files[u1].unshared = True
    fake_google.files[u2].role = "reader"  # shared as Người xem
    fake_google.files[u3].locale = "en_US"
    fake_google.files[u4].sheets.pop()  # a tab deleted by the unit
    fake_google.folders[REPORTS].role = "writer"  # Người đóng góp: cannot move or trash
    result = kiem_tra(cli, root)
    failures = [line for line in result.output.splitlines() if line.startswith("✗")]
    assert failures == [
        f"✗ Thư mục [google] reports_folder = '{REPORTS}' (Báo cáo tổng hợp): tài khoản chưa đủ "
        f"quyền — thêm {ACCOUNT} làm Người quản lý nội dung của Bộ nhớ dùng chung chứa thư mục",
        f"✗ Bảng tính đơn vị U1 (Công an xã U1): tài khoản {ACCOUNT} chưa được chia sẻ bảng "
        f"tính Google {u1}: chia sẻ quyền Người chỉnh sửa cho địa chỉ này",
        "✗ Bảng tính đơn vị U2 (Công an xã U2): tài khoản dịch vụ chỉ được xem — chia sẻ bảng "
        "tính cho tài khoản dịch vụ với quyền Người chỉnh sửa",
        "✗ Bảng tính đơn vị U3 (Công an xã U3): bảng tính đặt Ngôn ngữ/Vùng (locale) en_US: "
        "ngày gõ 05/07/2025 được hiểu là ngày 7 tháng 5 — vào Tệp > Cài đặt, chọn Vùng "
        "'Việt Nam', rồi kiểm tra lại các ngày đã nhập",
        "✗ Bảng tính đơn vị U4 (Công an xã U4): thiếu tab “Tiêu chí điển hình” — thêm lại các "
        "tab này theo mẫu",
    ]
    assert result.exit_code == Status.BAD_CONFIG  # a folder's role outranks the units' trouble
    assert not WRITES & set(fake_google.calls)


@on_google
def test_a_revoked_key_stops_the_google_checks_with_status_2(
    workspace: Callable[..., Path], cli: Cli, fake_google: Any
) -> None:
    root = workspace(("U1", good_unit(1), "a@example.gov.vn"))
    fake_google.revoked.add(ACCOUNT)
    result = kiem_tra(cli, root)
    assert (
        f"✗ Khóa tài khoản dịch vụ {ACCOUNT}: Không lấy được quyền truy cập Google bằng khóa "
        "[google] key_file = 'khoa.json'"
    ) in result.output, result.output
    assert "✗ Danh mục và bảng tính các đơn vị: chưa kiểm tra — sửa mục trên trước" in (
        result.output
    )
    assert result.exit_code == Status.BAD_CONFIG
    assert sum(fake_google.calls.values()) == 0


@on_google
def test_a_reports_folder_outside_a_shared_drive_is_told_with_the_fix(
    workspace: Callable[..., Path], cli: Cli, fake_google: Any
) -> None:
    root = workspace(("U1", good_unit(1), "a@example.gov.vn"))
    configure(root, 'reports_folder = "thuMucCuaMotNguoiAbCdEfGhIj"')
    fake_google.add_folder("thuMucCuaMotNguoiAbCdEfGhIj", "Báo cáo (Drive của tôi)")
    result = kiem_tra(cli, root)
    assert (
        "✗ Thư mục [google] reports_folder = 'thuMucCuaMotNguoiAbCdEfGhIj' (Báo cáo (Drive của "
        "tôi)): không nằm trong một Bộ nhớ dùng chung — tài khoản dịch vụ không có dung lượng "
        "riêng — chuyển thư mục vào một Bộ nhớ dùng chung và thêm"
    ) in result.output, result.output
    assert result.exit_code == Status.BAD_CONFIG


# The mail server: a login, no message (aiosmtpd with AUTH on loopback).


@pytest.fixture
def mail_with_login() -> Iterator[int]:
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult, LoginPassword

    def authenticate(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> Any:
        given = [v.decode() if isinstance(v, bytes) else v for v in (data.login, data.password)]
        good = isinstance(data, LoginPassword) and given == ["mohinh@tinh.gov.vn", "dung-mat-khau"]
        return AuthResult(success=good, handled=False)  # the server answers 235 or 535

    class Handler:
        def __init__(self) -> None:
            self.received: list[Any] = []

        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            self.received.append(envelope)
            return "250 OK"

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    handler = Handler()
    controller = Controller(
        handler,
        hostname="127.0.0.1",
        port=port,
        authenticator=authenticate,
        auth_require_tls=False,
    )
    controller.start()
    yield port
    controller.stop()
    assert handler.received == []  # the check never sends


def use_mail(root: Path, port: int, password: str) -> None:
    (root / "mat-khau.txt").write_text(password, "utf-8")
    config = root / "config.toml"
    config.write_text(
        config.read_text("utf-8").replace(
            "[mail]\n",
            f'[mail]\nsmtp_host = "127.0.0.1"\nsmtp_port = {port}\nsecurity = "none"\n'
            'username = "mohinh@tinh.gov.vn"\npassword_file = "mat-khau.txt"\ntimeout = 2\n',
        ),
        "utf-8",
    )


@pytest.mark.parametrize(
    ("password", "line", "status"),
    [
        ("dung-mat-khau", "✓ Máy chủ thư 127.0.0.1:{port} (none): đăng nhập được bằng "
         "mohinh@tinh.gov.vn, không gửi thư nào", Status.OK),
        ("sai-mat-khau", "✗ Máy chủ thư 127.0.0.1:{port} (none): máy chủ thư từ chối đăng nhập "
         "(535) — kiểm tra username và mật khẩu", Status.BAD_CONFIG),
    ],
    ids=["right_password", "wrong_password"],
)  # fmt: skip
def test_the_mail_server_is_logged_into_without_sending(
    workspace: Callable[..., Path],
    cli: Cli,
    mail_with_login: int,
    password: str,
    line: str,
    status: Status,
) -> None:
    root = workspace(("U1", good_unit(1), "a@example.gov.vn"))
    use_mail(root, mail_with_login, password)
    result = kiem_tra(cli, root)
    assert line.format(port=mail_with_login) in result.output, result.output
    assert result.exit_code == status


def test_a_mail_server_out_of_reach_is_the_environments(
    workspace: Callable[..., Path], cli: Cli
) -> None:
    root = workspace(("U1", good_unit(1), "a@example.gov.vn"))
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    use_mail(root, port, "x")
    result = kiem_tra(cli, root)
    assert f"✗ Máy chủ thư 127.0.0.1:{port} (none): không kết nối được máy chủ thư" in (
        result.output
    )
    assert result.exit_code == Status.ENVIRONMENT


# The heartbeat: its host answers; the ping URL itself is never requested.


@pytest.fixture
def listener() -> Iterator[tuple[int, list[bytes]]]:
    """A TCP server on loopback recording every byte a client sends."""
    server = socket.create_server(("127.0.0.1", 0))
    got: list[bytes] = []

    def serve() -> None:
        while True:
            try:
                conn, _ = server.accept()
            except OSError:
                return
            with conn:
                conn.settimeout(1)
                try:
                    while data := conn.recv(1024):
                        got.append(data)
                except OSError:
                    pass

    threading.Thread(target=serve, daemon=True).start()
    yield server.getsockname()[1], got
    server.close()


def test_the_heartbeat_host_is_reached_and_no_ping_is_sent(
    listener: tuple[int, list[bytes]],
) -> None:
    port, got = listener
    check = heartbeat(f"http://127.0.0.1:{port}/ping/bi-mat-cua-tinh")
    assert check.line() == "✓ Máy theo dõi 127.0.0.1: kết nối được (không gửi tín hiệu nào)"
    assert got == []  # not a byte: a HEAD or GET would have counted as a ping


def test_the_heartbeat_tls_handshake_is_verified(tmp_path: Path) -> None:
    import trustme

    ca = trustme.CA()
    server_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ca.issue_cert("localhost").configure_cert(server_context)
    server = socket.create_server(("127.0.0.1", 0))

    def serve() -> None:
        conn, _ = server.accept()
        try:
            with server_context.wrap_socket(conn, server_side=True) as tls:
                tls.recv(1)
        except (OSError, ssl.SSLError):
            pass

    threading.Thread(target=serve, daemon=True).start()
    trusted = ssl.create_default_context()
    ca.configure_trust(trusted)
    url = f"https://localhost:{server.getsockname()[1]}/ping/x"
    assert heartbeat(url, trusted).line() == (
        "✓ Máy theo dõi localhost: bắt tay TLS được (không gửi tín hiệu nào)"
    )
    threading.Thread(target=serve, daemon=True).start()
    untrusted = heartbeat(url, ssl.create_default_context())  # the system's CAs only
    assert untrusted.status == Status.ENVIRONMENT
    assert "chứng chỉ TLS không hợp lệ" in untrusted.line()
    server.close()


def test_a_heartbeat_host_that_does_not_exist_is_the_settings() -> None:
    check = heartbeat("https://hc-ping.invalid/abc")
    assert check.line() == (
        "✗ Máy theo dõi hc-ping.invalid: không tìm thấy tên máy này — kiểm tra [monitor] "
        "heartbeat_url (hoặc DNS của máy)"
    )
    assert check.status == Status.BAD_CONFIG


# The README shows the checklist on the demo and on the Google test server: as it runs.

README = Path(__file__).resolve().parent.parent / "README.md"
ITEMS = ("✓", "✗", "Kết quả:")


def shown(name: str) -> list[str]:
    """The checklist lines of the README's block after the marker `<!-- kiem-tra: name -->`."""
    text = README.read_text("utf-8")
    block = text.split(f"<!-- kiem-tra: {name} -->", 1)[1].split("```", 2)[1]
    return [line for line in block.splitlines() if line.startswith(ITEMS)]


def checklist_lines(result: Result) -> list[str]:
    return [line for line in result.output.splitlines() if line.startswith(ITEMS)]


def test_the_readme_shows_the_checklist_of_the_demo(tmp_path: Path, cli: Cli) -> None:
    root = tmp_path / "demo-workspace"
    cli("init", root, "--demo", "--today", "2026-10-29")
    assert checklist_lines(kiem_tra(cli, root)) == shown("demo")


@on_google
def test_the_readme_shows_the_checklist_on_the_google_test_server(
    workspace: Callable[..., Path], cli: Cli, fake_google: Any
) -> None:
    root = workspace(*[(f"U{n}", good_unit(1), f"u{n}@x.vn") for n in range(1, 4)])
    configure(root, f'reports_folder = "{REPORTS}"')
    _, u2, u3 = unit_keys(fake_google)
    fake_google.files[u2].role = "reader"
    fake_google.files[u3].locale = "en_US"
    fake_google.folders[REPORTS].role = "writer"
    result = kiem_tra(cli, root)
    assert checklist_lines(result) == shown("google"), result.output
    assert result.exit_code == Status.BAD_CONFIG
