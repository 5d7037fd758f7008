"""Digest wording (issue 19, item 6): what is said follows the calendar, each model and exemplar
once, the to-do counts each model once, error texts that read right, automatic replies
suppressed, and one word for a tab in every user-facing text."""

from __future__ import annotations

import ast
import re
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from notifications import compose
from tests.conftest import as_tabs, good_unit
from tests.test_notifications import SENDER, body, parsed, unit
from worker.core.calendars import load_calendar
from worker.core.evaluate import UnitResult, evaluate_unit
from worker.run.workspace import Evaluation

ROOT = Path(__file__).resolve().parent.parent
CALENDAR = load_calendar()
PROPOSALS = date(2026, 11, 5)  # the first cutoff: the proposals go


def evaluated(rows: dict[str, Any], today: date) -> UnitResult:
    return evaluate_unit(
        unit(), as_tabs(rows), 2026, today, date(2026, 10, 31), set(), "mean_ratio"
    )


def unit_text(rows: dict[str, Any], today: date) -> str:
    now = datetime.combine(today, datetime.min.time(), ZoneInfo("Asia/Ho_Chi_Minh"))
    draft = compose.unit_digest(
        "k",
        SENDER,
        evaluated(rows, today),
        CALENDAR.due_reminders(2026, today),
        today,
        now,
        decision_day=CALENDAR.decision_day(2026),
        proposal_day=PROPOSALS,
    )
    return body(parsed(draft))


def weak_unit() -> dict[str, Any]:
    """MH-001 Yếu for a member disciplined; ĐH-01 at 66,66 % and a year old (due as well)."""
    rows = good_unit(3)
    rows["assessments"][0]["disciplined"] = "Có"
    return rows


def test_before_the_proposals_cutoff_the_digest_says_what_will_be_proposed() -> None:
    text = unit_text(weak_unit(), date(2026, 10, 29))
    assert "- 1 mô hình Yếu — sẽ bị đề xuất kết thúc\n" in text
    assert "— sẽ bị đề xuất kết thúc xây dựng điển hình" in text


def test_after_the_proposals_cutoff_nothing_is_promised_for_it() -> None:
    text = unit_text(weak_unit(), date(2026, 11, 14))  # 05/11 and 10/11 have passed
    assert "Hạn: trước ngày 15/11/2026" in text
    assert "sẽ bị" not in text
    assert "- 1 mô hình Yếu — thuộc diện đề xuất kết thúc\n" in text
    assert "— thuộc diện đề xuất kết thúc xây dựng điển hình" in text


def test_an_exemplar_below_70_percent_and_due_for_evaluation_is_listed_once() -> None:
    text = unit_text(weak_unit(), date(2026, 10, 29))
    assert text.count("ĐH-01 Tổ tự quản thôn 1") == 1


def test_the_to_do_counts_each_model_once_where_it_asks_the_most() -> None:
    rows = good_unit(3)
    rows["assessments"][0]["disciplined"] = "Có"  # MH-001 Yếu
    rows["dossiers"][0]["doc8"] = ""  # … and lacking a document
    rows["assessments"][1]["socialised"] = ""  # MH-002 Khá, a tick from Tốt, lacking one too
    rows["dossiers"][1]["doc8"] = ""
    rows["dossiers"][2]["doc12"] = ""  # optional: MH-003 stays Tốt
    text = unit_text(rows, date(2026, 10, 29))
    todo = text[text.index("Việc cần làm") : text.index("\n\n", text.index("Việc cần làm"))]
    assert "- 1 mô hình Yếu — sẽ bị đề xuất kết thúc" in todo
    assert "- 1 mô hình nâng được xếp loại: xem dưới" in todo
    assert "bổ sung hồ sơ" not in todo  # both lacking models are counted above already


def test_error_texts_read_right() -> None:
    rows = good_unit(2)
    rows["targets"][0]["planned"] = 0
    rows["targets"][1]["model_id"] = "MH-099"
    text = unit_text(rows, date(2026, 10, 29))
    assert (
        "cột Kế hoạch của MH-001: Kế hoạch phải lớn hơn 0; nhập số kế hoạch đặt ra cho chỉ "
        "tiêu, ví dụ 10" in text
    )
    assert "cột Mã mô hình: mã “MH-099” không có trong tab Mô hình; sửa mã cho khớp" in text
    rows = weak_unit()
    assert "MH-001 Tổ tự quản thôn 1 — Yếu vì có thành viên bị kỷ luật" in unit_text(
        rows, date(2026, 10, 29)
    )


def test_every_message_asks_for_no_automatic_reply() -> None:
    now = datetime(2026, 10, 29, 6, 30, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
    today = date(2026, 10, 29)
    due = CALENDAR.due_reminders(2026, today)
    result = evaluated(good_unit(1), today)
    empty = Evaluation(2026, date(2026, 10, 31), [result])
    drafts = [
        compose.unit_digest("a", SENDER, result, due, today, now),
        compose.province_digest(
            "b", SENDER, ["t@x.vn"], empty, due, (["Lĩnh vực"], []), today, now
        ),
        compose.consolidation_email("c", SENDER, ["t@x.vn"], empty, "t.xlsx", b"x", now),
    ]
    for draft in drafts:
        message = parsed(draft)
        assert message["X-Auto-Response-Suppress"] == "All"
        assert message["Auto-Submitted"] == "auto-generated"


def user_texts() -> dict[str, str]:
    """Every text a user may read: the templates and layouts whole, and the string literals of
    the code that makes messages, sheets and the command line's output."""
    texts = {
        str(p.relative_to(ROOT)): p.read_text("utf-8")
        for folder in ("notifications/templates", "sheet_templates", "jobs")
        for p in (ROOT / folder).rglob("*")
        if p.suffix in (".html", ".txt", ".toml")
    }
    for folder in ("worker", "jobs", "notifications"):
        for path in (ROOT / folder).rglob("*.py"):
            tree = ast.parse(path.read_text("utf-8"))
            strings = [
                n.value
                for n in ast.walk(tree)
                if isinstance(n, ast.Constant) and isinstance(n.value, str)
            ]
            texts[str(path.relative_to(ROOT))] = "\n".join(strings)
    return texts


def test_a_tab_is_called_a_tab_in_every_user_facing_text() -> None:
    # "Google Trang tính" is the product's Vietnamese name, not a tab's
    other = re.compile(r"(?<!Google )\btrang tính\b", re.IGNORECASE)
    assert {
        name: other.findall(text) for name, text in user_texts().items() if other.search(text)
    } == {}
    assert sum(len(re.findall(r"\btab\b", text)) for text in user_texts().values()) > 50
