"""The province digest read on a phone (issue 19, item 3): headless Chromium lays it out 390 px
wide, and what comes before its details — the deadline, the headline numbers, what the staff
do and by when, the units to chase — fits two screens of a mail app, nothing runs off the
right edge, and the subject says what matters and the province within about 60 characters."""

from __future__ import annotations

from datetime import date, datetime
from email.message import EmailMessage
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner

from notifications import compose
from tests.rendering import needs_chromium, on_phone
from tests.test_cycle import outbox
from worker.app.cli import main
from worker.core.calendars import load_calendar
from worker.core.evaluate import Unit, unreadable
from worker.run.workspace import Evaluation

# A 390 × 844 phone's mail app shows about 700 CSS px of a message: 33 lines of 15 px text
# (bench/digest_size.py), the app's bars taking the rest.
SCREEN = 700
PHONE = 390
TODAY = date(2026, 10, 29)


def html_of(message: EmailMessage) -> str:
    return str(message.get_body(("html",)).get_content())  # type: ignore[union-attr]


@pytest.fixture(scope="module")
def demo_digest(tmp_path_factory: pytest.TempPathFactory) -> EmailMessage:
    """The province digest of the demo a week before 05/11, as `make demo` sends it."""
    root = tmp_path_factory.mktemp("phone") / "tinh"
    run = CliRunner()
    assert run.invoke(main, ["init", str(root), "--demo", "--today", "2026-10-29"]).exit_code == 0
    ran = run.invoke(main, ["run", "--once", "--workspace", str(root), "--today", "2026-10-29"])
    assert ran.exit_code == 1, ran.output  # CA-TP's workbook is missing, on purpose
    return next(m for m in outbox(root) if m["To"].startswith("thuongtruc"))


def test_the_subject_leads_with_the_days_left_the_province_and_what_to_chase(
    demo_digest: EmailMessage,
) -> None:
    subject = str(demo_digest["Subject"])
    assert subject.startswith("[Còn 7 ngày] Bình Thuận: 1 đơn vị không đọc được")
    assert len(subject) <= 72


@needs_chromium
def test_on_a_phone_the_demo_digest_needs_two_screens_before_its_details(
    demo_digest: EmailMessage, tmp_path: Path
) -> None:
    html = html_of(demo_digest)
    before = on_phone(html, tmp_path, until="chi-tiet")
    whole = on_phone(html, tmp_path)
    assert before.height <= 2 * SCREEN, before
    assert whole.height > before.height  # the details follow, below the fold
    assert whole.width <= PHONE, whole  # nothing runs off the right edge


@needs_chromium
def test_forty_units_unread_still_fit_two_screens_the_rest_counted(tmp_path: Path) -> None:
    units = [
        unreadable(
            Unit(f"CA-{n:02d}", f"Công an xã Số {n}", "Xã", "", (), f"ca-{n:02d}.xlsx", True),
            2026,
            f"không tìm thấy tệp ca-{n:02d}.xlsx",
        )
        for n in range(1, 41)
    ]
    draft = compose.province_digest(
        "k",
        compose.Letterhead("Tỉnh Thử", "mohinh@example.gov.vn", place="Thử"),
        ["tinh@example.gov.vn"],
        Evaluation(2026, date(2026, 10, 31), units),
        load_calendar().due_reminders(2026, TODAY),
        (["Lĩnh vực"], []),
        TODAY,
        datetime(2026, 10, 29, 6, 30, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh")),
    )
    html = html_of(draft.message)
    assert "và 28 đơn vị khác (tệp đính kèm)" in html
    assert on_phone(html, tmp_path, until="chi-tiet").height <= 2 * SCREEN
