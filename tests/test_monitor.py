"""The daemon tells: a rotating log file in the workspace, and a heartbeat an external monitor
(healthchecks.io, Uptime Kuma) watches: …/start, then the URL itself or …/fail."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from logging.handlers import RotatingFileHandler
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from click.testing import Result

from tests.conftest import good_unit
from worker.app import monitor
from worker.app.scheduler import tick
from worker.app.wiring import open_workspace
from worker.run.workspace import RunOptions

Cli = Callable[..., Result]


class Pings:
    """A local HTTP server recording the path of every request, answering 200."""

    def __init__(self) -> None:
        seen: list[str] = []

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                self.rfile.read(length)
                seen.append(self.path)
                self.send_response(200)
                self.end_headers()
                self.wfile.write(b"OK")

            do_GET = do_POST = do_HEAD = _answer

            def log_message(self, *args: object) -> None:
                return None

        self.paths = seen
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/ping/ma-so-theo-doi"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        if self.thread.is_alive():  # once: a second shutdown() would wait forever
            self.server.shutdown()
            self.server.server_close()
            self.thread.join()


@pytest.fixture
def pings() -> Iterator[Pings]:
    server = Pings()
    yield server
    server.stop()


def watch(root: Path, url: str) -> None:
    config = root / "config.toml"
    config.write_text(
        config.read_text("utf-8") + f'\n[monitor]\nheartbeat_url = "{url}"\n', "utf-8"
    )


def test_a_good_run_pings_start_then_success(
    workspace: Callable[..., Path], cli: Cli, pings: Pings
) -> None:
    root = workspace(("U1", good_unit(1), "a@example.gov.vn"))
    watch(root, pings.url)
    assert cli("run", "--once", "--workspace", root, "--today", "2026-10-29").exit_code == 0
    assert pings.paths == ["/ping/ma-so-theo-doi/start", "/ping/ma-so-theo-doi"]


def test_a_run_with_a_failed_unit_pings_fail(
    workspace: Callable[..., Path], cli: Cli, pings: Pings
) -> None:
    root = workspace(("U1", good_unit(1), "a@example.gov.vn"), ("U2", None, "c@example.gov.vn"))
    watch(root, pings.url)
    assert cli("run", "--once", "--workspace", root, "--today", "2026-10-29").exit_code == 1
    assert pings.paths == ["/ping/ma-so-theo-doi/start", "/ping/ma-so-theo-doi/fail"]


def test_the_daemons_cycle_pings_too(workspace: Callable[..., Path], pings: Pings) -> None:
    root = workspace(("U1", good_unit(1), "a@example.gov.vn"))
    watch(root, pings.url)
    with open_workspace(root, RunOptions()) as ws:
        tick(ws, ZoneInfo("Asia/Ho_Chi_Minh"))
    assert pings.paths == ["/ping/ma-so-theo-doi/start", "/ping/ma-so-theo-doi"]


def test_a_monitor_that_cannot_be_reached_never_fails_the_run(
    workspace: Callable[..., Path], cli: Cli, pings: Pings
) -> None:
    root = workspace(("U1", good_unit(1), "a@example.gov.vn"))
    pings.stop()  # nothing listens on its port any more
    watch(root, pings.url)
    result = cli("run", "--once", "--workspace", root, "--today", "2026-10-29")
    assert result.exit_code == 0, result.output
    log = (root / "logs" / "mohinh.log").read_text("utf-8")
    assert "WARNING không báo được cho máy theo dõi" in log


def test_a_heartbeat_url_that_is_not_http_is_refused(
    workspace: Callable[..., Path], cli: Cli
) -> None:
    root = workspace(("U1", good_unit(1), "a@example.gov.vn"))
    watch(root, "hc-ping.com/abc")
    result = cli("run", "--once", "--workspace", root, "--today", "2026-10-29")
    assert result.exit_code == 2
    assert (
        "Cấu hình [monitor] heartbeat_url = 'hc-ping.com/abc' trong "
        f"{root / 'config.toml'} không hợp lệ: nhập địa chỉ bắt đầu bằng https:// (hoặc "
        "http://), ví dụ https://hc-ping.com/<mã-theo-dõi>"
    ) in result.output


def test_run_once_logs_each_failed_unit_with_its_reason_and_one_line_per_cycle(
    workspace: Callable[..., Path], cli: Cli
) -> None:
    root = workspace(("U1", good_unit(1), "a@example.gov.vn"), ("U2", None, "c@example.gov.vn"))
    cli("run", "--once", "--workspace", root, "--today", "2026-10-29")
    lines = (root / "logs" / "mohinh.log").read_text("utf-8").splitlines()
    failed = [line for line in lines if " WARNING " in line]
    assert len(failed) == 1
    assert failed[0].endswith(
        "WARNING đơn vị U2 lỗi — Công an xã U2: không tìm thấy tệp units/u2.xlsx (ô F3 của cột "
        "Bảng tính, tab Danh mục đơn vị) — chép tệp của đơn vị vào đường dẫn này hoặc sửa ô F3; "
        "thư nhắc đơn vị chờ đến khi đọc được tệp"
    )
    cycles = [line for line in lines if " chu kỳ " in line]
    assert len(cycles) == 1
    assert cycles[0].split(" ", 2)[2] == (
        "ERROR chu kỳ 29/10/2026: 2 đơn vị (1 cập nhật, 0 không đổi, 1 lỗi), 0 lỗi danh mục, "
        "2 thư mới, thư: 2 đã gửi — có lỗi"  # U2's file is the province's to find: not mailed
    )


def test_the_log_file_rotates_at_one_megabyte_keeping_five(tmp_path: Path) -> None:
    log = logging.getLogger("mohinh.thu")
    handler = monitor.log_to_file(tmp_path, log)
    try:
        assert isinstance(handler, RotatingFileHandler)
        assert (handler.maxBytes, handler.backupCount) == (1_000_000, 5)
        for n in range(1200):
            log.warning("dòng %d %s", n, "x" * 1000)
        assert sorted(p.name for p in (tmp_path / "logs").iterdir()) == [
            "mohinh.log",
            *(f"mohinh.log.{n}" for n in range(1, 2)),
        ]
    finally:
        monitor.stop_logging(log, handler)
