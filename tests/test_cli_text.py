"""Click's own texts reach the user in Vietnamese: help, usage, metavars and usage errors."""

import re

import pytest
from click.testing import CliRunner

from worker.app.cli import main

ENGLISH = re.compile(
    r"\b(Usage|Options|Commands|Show|Invalid|Missing|Error|Try|default|DIRECTORY|UNIT|"
    r"argument|such|command|for help|exit|does not|format)\b|%Y|%m|%d",
)


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), prog_name="mohinh")
    return result.exit_code, result.output


@pytest.mark.parametrize(
    "args",
    [
        ("--help",),
        ("sync", "--help"),
        ("init", "--help"),
        ("preview", "--help"),
        ("provision", "--help"),
        ("sync", "--today", "2026-13-45"),
        ("khong-co",),
        ("preview",),
        ("sync", "--khong-co"),
        ("sync", "--today"),
        (),
    ],
    ids=" ".join,
)
def test_click_speaks_vietnamese(args: tuple[str, ...]) -> None:
    _, output = run(*args)
    assert output.strip()
    assert not ENGLISH.findall(output), output


def test_help_labels() -> None:
    status, output = run("--help")
    assert status == 0
    assert output.startswith("Cách dùng: mohinh [TÙY_CHỌN] LỆNH [THAM_SỐ]...")
    assert "Tùy chọn:" in output and "Lệnh:" in output
    assert "Hiện hướng dẫn này rồi thoát." in output
    assert "sync" in output and "preview" in output


def test_sync_help_shows_vietnamese_metavars() -> None:
    status, output = run("sync", "--help")
    assert status == 0
    assert "--workspace THƯ_MỤC" in output and "--today NGÀY" in output
    assert "Giả định hôm nay là NGÀY, viết như 05/11/2026" in output
    assert "mặc định: thư mục hiện tại" in output


def test_wrong_day_names_value_and_form() -> None:
    status, output = run("sync", "--today", "2026-13-45")
    assert status == 2
    assert "Cách dùng: mohinh sync [TÙY_CHỌN]" in output
    assert "Xem hướng dẫn: mohinh sync --help" in output
    assert "Lỗi: --today: “2026-13-45” không phải một ngày có thật" in output
    assert "ví dụ 29/10/2026 (hoặc 2026-10-29)" in output


def test_unknown_command_lists_commands() -> None:
    status, output = run("khong-co")
    assert status == 2
    assert "Lỗi: không có lệnh “khong-co”; các lệnh:" in output
    assert "sync" in output.splitlines()[-1]


def test_missing_argument_is_named() -> None:
    status, output = run("preview")
    assert status == 2
    assert "Lỗi: thiếu tham số MÃ_ĐƠN_VỊ" in output


def test_unknown_option_and_missing_value() -> None:
    assert "Lỗi: không có tùy chọn --khong-co" in run("sync", "--khong-co")[1]
    assert "Lỗi: tùy chọn --today cần một giá trị" in run("sync", "--today")[1]


@pytest.mark.parametrize("typed", ["05/11/2026", "5/11/2026", "2026-11-05", " 05/11/2026 "])
def test_a_day_is_taken_as_vietnamese_write_it_or_as_iso(typed: str) -> None:
    from datetime import date

    from worker.app.cli_vi import Day

    assert Day().convert(typed, None, None) == date(2026, 11, 5)


@pytest.mark.parametrize("typed", ["31/02/2026", "11/05/26", "2026/11/05", "05-11-2026"])
def test_a_day_that_is_not_one_is_refused(typed: str) -> None:
    status, output = run("sync", "--today", typed)
    assert status == 2
    assert f"“{typed}” không phải một ngày có thật" in output


def test_the_version_is_told() -> None:
    from importlib.metadata import version

    assert run("--version") == (0, f"mohinh, phiên bản {version('mohinh')}\n")


@pytest.mark.parametrize(
    ("command", "option"),
    [
        ("jobs", "--dry-run"),
        ("jobs", "--force"),
        ("provision", "--today"),
        ("provision", "--force"),
        ("deliver", "--force"),
    ],
)
def test_no_command_offers_an_option_that_does_nothing_there(command: str, option: str) -> None:
    status, output = run(command, "--help")
    assert status == 0 and option not in output
    status, output = run(command, option, *(["2026-11-05"] if option == "--today" else []))
    assert status == 2 and f"không có tùy chọn {option}" in output


@pytest.mark.parametrize(
    "command", ["run", "sync", "remind", "consolidate", "preview", "deliver", "provision"]
)
def test_every_job_command_offers_the_workspace_and_a_dry_run(command: str) -> None:
    status, output = run(command, "--help")
    assert status == 0 and "--workspace" in output and "--dry-run" in output
