"""`mohinh kiem-tra`: everything a run will need, read and nothing written, as a checklist.

On either backend: the registry and each active unit's sheet (it opens, its tabs are there; on
Google also shared as an editor, and in a locale that reads dates day first), the mail server
(a login, no message) and the heartbeat's host. On Google also the key (a token), and the
folders of the settings (in a shared drive, the account a Content manager there).

The heartbeat's URL is not requested: to healthchecks.io any HEAD, GET or POST to a ping URL is
a ping (its API's `methods`: "allow HEAD, GET, and POST requests"), and Uptime Kuma's push route
takes every method (`router.all("/api/push/:pushToken")`): a check would tell the monitor the
worker ran. Its host is resolved and connected to, and over https the TLS handshake is made
with the certificate verified; no HTTP request is sent.
"""

from __future__ import annotations

import socket
import ssl
from collections.abc import Generator, Iterator
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from worker.app.monitor import PING_TIMEOUT
from worker.core.checks import Check, failed, from_problem, passed
from worker.core.errors import Problem, Status
from worker.core.layout import load
from worker.core.registry import Unit
from worker.core.tabs import find_tab
from worker.run.workspace import Workspace

if TYPE_CHECKING:
    from worker.adapters.google.checkup import Checkup

UNIT = Status.SOME_FAILED


def checklist(ws: Workspace) -> Iterator[Check]:
    """Each item as it is checked (a province's sheets take minutes on Google's quota)."""
    settings = ws.settings
    yield passed(f"Cấu hình {settings.path.name}: đọc được (lưu trữ: {settings.backend})")
    google = _google(ws)
    token = google.token() if google is not None else None
    if token is not None:
        yield token
    if token is None or token.ok:
        yield from _sheets(ws, google)
    else:
        what = "Danh mục và bảng tính các đơn vị: chưa kiểm tra"
        yield failed(what, "sửa mục trên trước", token.status)
    yield _mail(ws)
    yield heartbeat(settings.heartbeat_url)


def _sheets(ws: Workspace, google: Checkup | None) -> Iterator[Check]:
    """The registry, the folders (Google) and each active unit's sheet."""
    units = yield from _registry(ws)
    if google is not None and ws.settings.google is not None:
        for setting in ("folder", "reports_folder"):
            if getattr(ws.settings.google, setting):
                yield google.folder(setting)
    editable = google.editable(units) if google is not None else {}
    for unit in ws.options.progress(units):
        yield _unit(ws, unit, editable.get(unit.unit_id, True))


def _google(ws: Workspace) -> Checkup | None:
    if ws.settings.google is None:
        return None
    from worker.adapters.google.backend import GoogleBackend
    from worker.adapters.google.checkup import Checkup

    assert isinstance(ws.backend, GoogleBackend)
    return Checkup(ws.backend.account)


def _registry(ws: Workspace) -> Generator[Check, None, list[Unit]]:
    """The registry's items; returns its active units."""
    where = ws.settings.google.registry if ws.settings.google else ws.settings.registry
    what = f"Danh mục đơn vị ({where})"
    try:
        registry = ws.registry()  # checked as a run checks it: shared sheets, addresses
    except Problem as problem:
        yield from_problem(what, problem)
        return []
    active = [u for u in registry.units if u.active]
    yield passed(f"{what}: {len(registry.units)} đơn vị, {len(active)} đang hoạt động")
    for told in registry.problems():  # each with its unit and what it withholds
        yield failed(str(told), "", UNIT)
    return active


def _unit(ws: Workspace, unit: Unit, editable: bool) -> Check:
    what = f"Bảng tính đơn vị {unit.unit_id} ({unit.name})"
    if not unit.sheet:
        return failed(f"{what}: chưa có bảng tính", f"chạy mohinh provision {unit.unit_id}", UNIT)
    try:
        tabs = ws.backend.read_unit(unit, force=True)  # what the sheet holds now, not the cache
    except Problem as problem:
        return from_problem(what, problem)
    missing = [t.name for t in load("unit").tabs if find_tab(tabs, t.name) is None]
    if missing:
        named = ", ".join(f"“{name}”" for name in missing)
        return failed(f"{what}: thiếu tab {named}", "thêm lại các tab này theo mẫu", UNIT)
    if not editable:
        return failed(
            f"{what}: tài khoản dịch vụ chỉ được xem",
            "chia sẻ bảng tính cho tài khoản dịch vụ với quyền Người chỉnh sửa",
            UNIT,
        )
    return passed(f"{what}: đọc được, đủ {len(load('unit').tabs)} tab")


def _mail(ws: Workspace) -> Check:
    """A login to the mail server, then QUIT: no message is sent."""
    smtp = ws.settings.smtp
    if smtp is None:
        return passed("Máy chủ thư: chưa cấu hình smtp_host — thư được ghi thành tệp .eml")
    from notifications.smtp import Session, TransportError

    what = f"Máy chủ thư {smtp.host}:{smtp.port} ({smtp.security})"
    try:
        with Session(smtp) as session:
            session.open()
    except TransportError as exc:
        # a refused login is the settings' (user name, password); the rest, the network's
        refused = "từ chối đăng nhập" in str(exc)
        fix = (
            "kiểm tra username và mật khẩu (password_file hoặc MOHINH_SMTP_PASSWORD)"
            if refused
            else "kiểm tra smtp_host, smtp_port, security và tường lửa"
        )
        return failed(f"{what}: {exc}", fix, Status.BAD_CONFIG if refused else Status.ENVIRONMENT)
    login = f"đăng nhập được bằng {smtp.username}" if smtp.username else "kết nối được"
    return passed(f"{what}: {login}, không gửi thư nào")


def heartbeat(url: str, context: ssl.SSLContext | None = None) -> Check:
    """The heartbeat's host resolved and answering (a TLS handshake over https); no request is
    sent to the URL, which would count as a ping (module docstring)."""
    if not url:
        return passed("Máy theo dõi: chưa cấu hình [monitor] heartbeat_url (không bắt buộc)")
    parts = urlsplit(url)
    host, tls = parts.hostname or "", parts.scheme == "https"
    port = parts.port or (443 if tls else 80)
    what = f"Máy theo dõi {host}"  # the host only: the rest of a ping URL is its secret
    try:
        socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        return failed(
            f"{what}: không tìm thấy tên máy này",
            "kiểm tra [monitor] heartbeat_url (hoặc DNS của máy)",
            Status.BAD_CONFIG,
        )
    try:
        with socket.create_connection((host, port), timeout=PING_TIMEOUT) as raw:
            if tls:
                wrap = context or ssl.create_default_context()
                with wrap.wrap_socket(raw, server_hostname=host):
                    pass  # the handshake is the check: a certificate the machine trusts
    except ssl.SSLError as exc:
        fix = "kiểm tra ngày giờ của máy và proxy chặn HTTPS"
        return failed(f"{what}: chứng chỉ TLS không hợp lệ ({exc.reason})", fix, Status.ENVIRONMENT)
    except OSError as exc:
        fix = "kiểm tra kết nối mạng, tường lửa hoặc proxy"
        return failed(f"{what}: không kết nối được ({exc.__class__.__name__})", fix, ENV)
    shown = "bắt tay TLS được" if tls else "kết nối được"
    return passed(f"{what}: {shown} (không gửi tín hiệu nào)")


ENV = Status.ENVIRONMENT
