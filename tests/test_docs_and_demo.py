"""Docs that tests keep true, the demo province, and the daemon starting and stopping."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

import click
import openpyxl
import pytest
from click.testing import Result

from tests.test_local_backend import snapshot
from worker.app.cli import main
from worker.app.scheduler import build
from worker.app.wiring import open_workspace
from worker.demo.province import record_decisions

ROOT = Path(__file__).parent.parent
README = (ROOT / "README.md").read_text("utf-8")
Cli = Callable[..., Result]


def test_every_command_has_help_and_is_in_the_readme() -> None:
    assert isinstance(main, click.Group)
    for name, command in main.commands.items():
        assert command.help, f"{name} has no help"
        assert f"`mohinh {name}" in README, f"{name} is not in the README"


def test_every_job_module_is_in_the_readme() -> None:
    for module in ("sync", "remind", "consolidate", "deliver"):
        assert f"`jobs/{module}.py`" in README
        assert (ROOT / "jobs" / f"{module}.py").exists()


def test_the_readme_first_screen_gives_exactly_two_commands() -> None:
    first_block = re.search(r"```sh\n(.*?)```", README, re.S)
    assert first_block is not None
    commands = [line for line in first_block.group(1).splitlines() if line.strip()]
    assert [c.split("#")[0].strip() for c in commands] == ["make demo", "make test"]
    assert README.index("```sh") < 1200  # on the first screen


def test_python_dash_m_worker_is_the_same_command() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "worker", "--help"], capture_output=True, text=True, check=True
    )
    assert "init" in done.stdout and "consolidate" in done.stdout


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("demo") / "tinh"
    from click.testing import CliRunner

    assert (
        CliRunner().invoke(main, ["init", str(root), "--demo", "--today", "2026-10-29"]).exit_code
        == 0
    )
    return root


def test_the_demo_province_is_large_and_realistic(demo: Path) -> None:
    registry = openpyxl.load_workbook(demo / "registry.xlsx")["Danh mục đơn vị"]
    assert registry.max_row - 1 >= 10
    models = sum(
        openpyxl.load_workbook(p)["Mô hình"].max_row - 1 for p in (demo / "units").glob("*.xlsx")
    )
    assert models >= 100


def test_the_demo_cycle_shows_every_kind_of_output_once(demo: Path, cli: Cli) -> None:
    before = {p.name: snapshot(p) for p in (demo / "units").glob("*.xlsx")}
    first = cli("run", "--once", "--workspace", demo, "--today", "2026-10-29")
    assert first.exit_code == 1  # one unit's workbook was never sent: reported, others done
    assert "! CA-TP Công an xã Tuy Phong: không tìm thấy tệp units/ca-tp.xlsx" in first.output
    for level in ("Tốt", "Khá", "Trung bình", "Yếu", "Chưa xếp loại"):
        count = re.search(rf"{level} (\d+)", first.output)
        assert count and int(count.group(1)) > 0, level
    assert int(re.search(r"Lỗi dữ liệu: (\d+)", first.output).group(1)) >= 5  # type: ignore[union-attr]
    # one digest per unit with coordinators (11 of 12 have them) and whose file the province
    # has (not CA-TP's: the province is told it is missing), and one for the province
    assert len(list((demo / "outbox").glob("*.eml"))) == 11
    for path in (demo / "units").glob("*.xlsx"):
        assert "Kết quả" in openpyxl.load_workbook(path).sheetnames
        assert snapshot(path) == before[path.name]
    again = cli("run", "--once", "--workspace", demo, "--today", "2026-10-29")
    assert "Thư: không có thư mới" in again.output
    assert len(list((demo / "outbox").glob("*.eml"))) == 11
    assert record_decisions(demo, date(2026, 11, 10)) == ["CA-PT", "HPN"]  # as `make demo`
    cli("run", "--once", "--workspace", demo, "--today", "2026-11-16")
    report = openpyxl.load_workbook(demo / "reports" / "tong-hop-2026.xlsx")
    assert len(report["Danh sách mô hình"]["A"]) - 1 >= 100
    assert report["Đề xuất kết thúc"].max_row > 1
    assert report["Lỗi dữ liệu"].max_row > 5


def test_the_scheduler_is_set_up_on_purpose(demo: Path) -> None:
    with open_workspace(demo) as ws:
        scheduler = build(ws, ZoneInfo("Asia/Ho_Chi_Minh"))
        scheduler.start(paused=True)
        cycle, retry = scheduler.get_job("cycle"), scheduler.get_job("deliver")
        scheduler.shutdown()
    for job in (cycle, retry):
        assert (job.coalesce, job.max_instances, job.misfire_grace_time) == (True, 1, 24 * 3600)
        assert str(job.trigger.timezone) == "Asia/Ho_Chi_Minh"
    fields = {f.name: str(f) for f in cycle.trigger.fields}
    assert (fields["hour"], fields["minute"]) == ("6", "30")
    assert retry.trigger.interval.total_seconds() == 3600


def test_the_daemon_catches_up_then_stops_cleanly_on_sigterm(demo: Path) -> None:
    from tests.test_daemon import run_daemon_until_started

    log = run_daemon_until_started("--workspace", str(demo))
    assert "chu kỳ" in log and "mohinh chạy nền: mỗi ngày lúc 06:30" in log
    assert "mohinh đã dừng" in log


def test_preview_prints_a_units_digest_and_writes_its_html(demo: Path, cli: Cli) -> None:
    result = cli("preview", "CA-HL", "--workspace", demo, "--today", "2026-10-20")
    assert result.exit_code == 0
    assert (
        "Tiêu đề: [Còn 16 ngày] 2 lỗi, 3 mô hình Yếu, 1 mô hình thiếu hồ sơ, 1 điển hình dưới "
        "70% — Công an xã Hàm Liêm"
    ) in result.output
    assert "Hạn: trước ngày 05/11/2026 (còn 16 ngày)" in result.output
    assert "Gửi tới: ca.hamliem@example.gov.vn" in result.output
    assert (
        "- tab Mô hình, ô G3 — cột Ngày quyết định thành lập của MH-002: “31/02/2026” không "
        "phải ngày hợp lệ"
    ) in result.output
    html = (demo / "outbox" / "xem-truoc-CA-HL.html").read_text("utf-8")
    assert html.startswith("<!doctype html>") and "Công an xã Hàm Liêm" in html
    unknown = cli("preview", "XYZ", "--workspace", demo, "--today", "2026-10-20")
    assert unknown.exit_code == 2
    assert "Không có đơn vị “XYZ” đang hoạt động trong danh mục; các mã: CA-PT" in unknown.output


def test_preview_takes_a_code_in_any_case_and_refuses_an_unknown_one_before_any_sheet(
    demo: Path, cli: Cli, tmp_path: Path
) -> None:
    import shutil

    lower = cli("preview", "ca-hl", "--workspace", demo, "--today", "20/10/2026")
    assert lower.exit_code == 0, lower.output
    assert "— Công an xã Hàm Liêm" in lower.output
    assert (demo / "outbox" / "xem-truoc-CA-HL.html").is_file()
    # no unit sheet at all: a wrong code is still told at once, from the registry alone
    bare = tmp_path / "khong-co-bang-tinh"
    shutil.copytree(demo, bare, ignore=shutil.ignore_patterns("units"))
    unknown = cli("preview", "XYZ", "--workspace", bare, "--today", "20/10/2026")
    assert unknown.exit_code == 2
    assert "Không có đơn vị “XYZ”" in unknown.output
    assert "không tìm thấy tệp" not in unknown.output


def test_jobs_lists_each_job_with_its_next_run(demo: Path, cli: Cli) -> None:
    result = cli("jobs", "--workspace", demo, "--today", "2026-10-20")
    assert result.exit_code == 0
    # from the pretend day, not the real one: the next daily run is on 20/10 or 21/10/2026
    assert re.search(r"(20|21)/10/2026 06:30  Chu kỳ hằng ngày", result.output), result.output
    assert "Lịch: Hướng dẫn 163/HD-BCĐ" in result.output
    assert re.search(r"\d\d/\d\d/\d{4} 06:30  Chu kỳ hằng ngày: đồng bộ, nhắc hạn", result.output)
    assert "Gửi lại thư chưa gửi được" in result.output
    assert "hạn 05/11/2026: Ban Chỉ đạo mô hình gửi báo cáo" in result.output


@pytest.mark.parametrize(
    ("script", "args", "shows"),
    [
        (
            "cycle.py",
            ["--units", "3", "--models", "100"],
            [
                "first run --once (writes)",
                "second run --once (no-op)",
                "validate + rate (no I/O)",
                "write Kết quả    wall",
                "write Kết quả    CPU",
                "read every tab   wall",
                "read every tab   CPU",
                "models/s",
                "peak memory",
            ],
        ),
        ("xlsx_read.py", ["--units", "3", "--repeat", "1"], ["openpyxl / xlsx_read:"]),
        ("sheets_api.py", ["--units", "3"], ["naive gspread (reads only)"]),
        (
            "scale.py",
            ["--sizes", "1", "2"],
            [
                "| units | models | cold run | quiet run | 10 % changed | consolidation |",
                "| growth 1 → 2 | |",
                "| write ÷ raw copy, CPU (wall) |",
            ],
        ),
    ],
)
def test_the_benchmarks_in_the_readme_run(script: str, args: list[str], shows: list[str]) -> None:
    assert f"bench/{script}" in README
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / script), *args],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    for line in shows:
        assert line in done.stdout
