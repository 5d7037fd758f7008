"""The calendar is data: the default, the other provinces' ones, and errors naming the line."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from click.testing import Result

from tests.conftest import good_unit
from worker.core.calendars import CalendarError, load_calendar, parse_calendar, shipped

Cli = Callable[..., Result]


def test_the_default_calendar_is_guide_163() -> None:
    calendar = load_calendar()
    assert [(c.day, c.month) for c in calendar.cutoffs] == [(5, 11), (10, 11), (15, 11)]
    assert calendar.reminder_days == (14, 7, 3, 1)
    assert calendar.consolidation_day(2026) == date(2026, 11, 16)


def test_the_other_guides_calendars_are_shipped() -> None:
    assert shipped() == ["dan-van-kheo", "diem-sang-dan-van"]
    kheo = load_calendar("dan-van-kheo")
    assert [c.on(2026) for c in kheo.cutoffs] == [date(2026, 10, 1), date(2026, 10, 31)]
    diem = load_calendar("diem-sang-dan-van")
    assert [c.on(2026) for c in diem.cutoffs] == [date(2026, 3, 30), date(2026, 11, 30)]
    assert [(c.month, d) for c, d in diem.due_reminders(2026, date(2026, 3, 23))] == [(3, 7)]


@pytest.mark.parametrize(
    ("name", "today", "cutoff"),
    [
        ("dan-van-kheo", "2026-09-24", "Hạn: trước ngày 01/10/2026 (còn 7 ngày)"),
        ("diem-sang-dan-van", "2026-03-16", "Hạn: trước ngày 30/03/2026 (còn 14 ngày)"),
    ],
    ids=["report_before_1_october", "registration_before_30_march"],
)
def test_a_shipped_calendar_works_from_the_config_alone(
    workspace: Callable[..., Path], cli: Cli, name: str, today: str, cutoff: str
) -> None:
    root = workspace(("U1", good_unit(1), "a@example.gov.vn"))
    config = root / "config.toml"
    config.write_text(
        config.read_text("utf-8").replace('# calendar = "lich.toml"', f'calendar = "{name}"'),
        "utf-8",
    )
    result = cli("run", "--once", "--workspace", root, "--today", today)
    assert result.exit_code == 0, result.output
    bodies = [_text(p) for p in (root / "outbox").glob("*.eml")]
    unit = next(b for b in bodies if "Công an xã U1," in b)
    assert unit.splitlines()[2].startswith(cutoff), unit


def _text(path: Path) -> str:
    from email import message_from_bytes
    from email.policy import default

    message = message_from_bytes(path.read_bytes(), policy=default)
    return str(message.get_body(("plain",)).get_content())  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            '[[cutoffs]]\ndate = "05/11"\n[[cutoffs]]\ndate = "31/02"\nwhat = "x"\n',
            "Lịch lich.toml, dòng 4: date = '31/02' không phải ngày hợp lệ — nhập dạng dd/mm, "
            "ví dụ 05/11",
        ),
        (
            'reminder_days = [14, "7"]\n[[cutoffs]]\ndate = "05/11"\n',
            "Lịch lich.toml, dòng 1: reminder_days = [14, '7'] không hợp lệ — nhập danh sách "
            "số ngày, ví dụ [14, 7, 3, 1]",
        ),
        (
            'run_at = "6h30"\n[[cutoffs]]\ndate = "05/11"\n',
            "Lịch lich.toml, dòng 1: run_at = '6h30' không hợp lệ — nhập giờ dạng HH:MM, "
            "ví dụ 06:30",
        ),
        ('name = "x"\n', "Lịch lich.toml: chưa có mốc nào — thêm ít nhất một mục [[cutoffs]]"),
        ("[[cutoffs]\n", "Lịch lich.toml: sai cú pháp ở dòng 1, cột 10: kiểm tra dấu ="),
    ],
    ids=["impossible_date", "bad_reminders", "bad_time", "no_cutoff", "syntax"],
)
def test_a_bad_calendar_names_the_line(text: str, message: str) -> None:
    with pytest.raises(CalendarError) as caught:
        parse_calendar(text, "lich.toml")
    assert str(caught.value).startswith(message)


def test_a_bad_calendar_file_in_the_config_exits_2(
    workspace: Callable[..., Path], cli: Cli
) -> None:
    root = workspace(("U1", good_unit(1), "a@example.gov.vn"))
    (root / "lich.toml").write_text('[[cutoffs]]\ndate = "32/10"\n', "utf-8")
    config = root / "config.toml"
    config.write_text(
        config.read_text("utf-8").replace('# calendar = "lich.toml"', 'calendar = "lich.toml"'),
        "utf-8",
    )
    result = cli("sync", "--workspace", root)
    assert result.exit_code == 2
    assert f"Lịch {root / 'lich.toml'}, dòng 2: date = '32/10' không phải ngày hợp lệ" in (
        result.output
    )


@pytest.mark.parametrize(
    ("typo", "said"),
    [
        ("reminder_day = [7, 1]", "dòng 2: reminder_day không có — có phải là reminder_days?"),
        (
            '[[cutoffs]]\ndate = "05/11"\nwat = "Báo cáo"',
            "[[cutoffs]] wat không có — có phải là what?",
        ),
    ],
    ids=["top", "cutoff"],
)
def test_a_misspelt_key_in_a_calendar_is_refused_not_ignored(typo: str, said: str) -> None:
    text = f'name = "Lịch thử"\n{typo}\n[[cutoffs]]\ndate = "10/11"\nwhat = "Quyết định"\n'
    with pytest.raises(CalendarError, match=re.escape(said)):
        parse_calendar(text, "lich.toml")


def test_a_calendar_file_with_a_byte_order_mark_is_read(tmp_path: Path) -> None:
    (tmp_path / "lich.toml").write_bytes(
        b'\xef\xbb\xbfname = "L"\n[[cutoffs]]\ndate = "05/11"\nwhat = "B\xc3\xa1o c\xc3\xa1o"\n'
    )
    calendar = load_calendar("lich.toml", tmp_path)
    assert [(c.month, c.day, c.what) for c in calendar.cutoffs] == [(11, 5, "Báo cáo")]


def test_a_key_written_twice_in_a_calendar_is_named() -> None:
    with pytest.raises(CalendarError) as caught:
        parse_calendar('run_at = "06:30"\nrun_at = "07:00"\n[[cutoffs]]\ndate = "05/11"\n', "l")
    assert str(caught.value) == (
        "Lịch l: cấu hình run_at được ghi hai lần (dòng 2) — giữ một dòng run_at, xóa dòng 2"
    )
