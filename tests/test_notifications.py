"""Digests: built apart from sending, escaped, one-line headers, the same Message-ID on resend."""

from __future__ import annotations

from datetime import date, datetime
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from notifications import compose
from tests.conftest import TODAY, as_tabs, good_unit
from worker.calendars import load_calendar
from worker.evaluate import Unit, evaluate_unit, unreadable
from worker.workspace import Evaluation

NOW = datetime(2026, 10, 29, 6, 30, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
DUE = load_calendar().due_reminders(2026, TODAY)
SENDER = "mohinh@example.gov.vn"


def unit(name: str = "Công an xã Hàm Liêm") -> Unit:
    return Unit("U1", name, "Xã", "", ("a@example.gov.vn", "b@example.gov.vn"), "u1.xlsx", True)


def parsed(draft: compose.Draft) -> EmailMessage:
    msg = message_from_bytes(draft.message.as_bytes(), policy=default)
    assert isinstance(msg, EmailMessage)
    return msg


def digest(rows: dict[str, Any] | None = None, name: str = "Công an xã Hàm Liêm") -> EmailMessage:
    result = evaluate_unit(
        unit(name),
        as_tabs(rows or good_unit(2)),
        2026,
        TODAY,
        date(2026, 10, 31),
        set(),
        "mean_ratio",
    )
    return parsed(
        compose.unit_digest("U1|2026-11-05|7", SENDER, "Tỉnh Thử", result, DUE, TODAY, NOW)
    )


def body(msg: EmailMessage, kind: str = "plain") -> str:
    part = msg.get_body((kind,))
    assert isinstance(part, EmailMessage)
    return str(part.get_content())


def test_a_digest_is_multipart_text_and_html_in_utf8() -> None:
    msg = digest()
    assert msg.get_content_type() == "multipart/alternative"
    assert msg["Subject"] == (
        "Nhắc hạn 05/11/2026: Công an xã Hàm Liêm — còn 7 ngày (mô hình, điển hình năm 2026)"
    )
    assert msg["To"] == "a@example.gov.vn, b@example.gov.vn"
    assert msg["Date"] == "Thu, 29 Oct 2026 06:30:00 +0700"


def test_a_digest_names_the_cutoffs_and_the_days_left() -> None:
    text = body(digest())
    assert "- Còn 7 ngày đến hạn 05/11/2026: Ban Chỉ đạo mô hình gửi báo cáo kết quả" in text
    assert "- Còn 12 ngày đến hạn 10/11/2026: Cấp có thẩm quyền xét duyệt" in text


def test_a_digest_lists_every_error_with_tab_cell_value_and_fix() -> None:
    rows = good_unit(2)
    rows["models"][0]["decision_date"] = "31/02/2026"
    rows["targets"][2]["achieved"] = "#REF!"
    text = body(digest(rows))
    assert "1. LỖI DỮ LIỆU CẦN SỬA (2)" in text
    assert (
        "- Mô hình!G2: '31/02/2026' không phải ngày hợp lệ — nhập theo dạng dd/mm/yyyy, "
        "ví dụ 05/07/2025"
    ) in text
    assert "- Chỉ tiêu!F4: '#REF!' ô chứa lỗi công thức #REF!" in text


def test_a_digest_gives_each_rating_what_it_lacks_missing_documents_and_exemplars() -> None:
    rows = good_unit(2)
    rows["assessments"][0]["socialised"] = ""
    rows["dossiers"][1]["doc15"] = ""
    rows["models"].append(
        {**rows["models"][0], "model_id": "MH-003", "decision_date": date(2026, 3, 1)}
    )
    text = body(digest(rows))
    assert (
        "- MH-001 Tổ tự quản thôn 1: Khá (100% chỉ tiêu). Chưa đạt Tốt: chưa thu hút nguồn "
        "lực xã hội hóa"
    ) in text
    assert "- MH-002 Tổ tự quản thôn 2: (15) Kế hoạch, báo cáo sơ kết, tổng kết mô hình" in text
    assert (
        "- MH-003 Tổ tự quản thôn 1: Chưa đủ điều kiện xếp loại: mới hoạt động 7 tháng tính "
        "đến 31/10/2026"
    ) in text
    assert (
        "- ĐH-01 Tổ tự quản thôn 1: đạt 66,67% tiêu chí (dưới 70%) — đề xuất kết thúc xây "
        "dựng điển hình."
    ) in text


def test_unit_text_is_escaped_in_html() -> None:
    rows = good_unit(1)
    rows["models"][0]["name"] = "<script>alert('x')</script> & <b>"
    html = body(digest(rows), "html")
    assert "<script>" not in html
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &lt;b&gt;" in html


def test_a_unit_name_with_a_line_break_cannot_add_a_header() -> None:
    msg = digest(name="Công an xã\r\nBcc: attacker@example.com")
    assert msg["Bcc"] is None
    assert msg["Subject"].startswith("Nhắc hạn 05/11/2026: Công an xã Bcc: attacker@example.com")
    assert "\n" not in msg["Subject"]


def test_the_same_key_always_gets_the_same_message_id() -> None:
    first, second = digest(), digest()
    assert first["Message-ID"] == second["Message-ID"]
    assert first["Message-ID"].endswith("@example.gov.vn>")
    assert compose.message_id("U2|x|7", SENDER) != first["Message-ID"]


def test_a_digest_for_an_unreadable_sheet_says_so() -> None:
    result = unreadable(unit(), 2026, "không tìm thấy tệp u1.xlsx")
    msg = parsed(compose.unit_digest("k", SENDER, "Tỉnh Thử", result, DUE, TODAY, NOW))
    assert "KHÔNG ĐỌC ĐƯỢC BẢNG TÍNH CỦA ĐƠN VỊ\nkhông tìm thấy tệp u1.xlsx" in body(msg)


def test_every_template_renders_in_both_forms() -> None:
    folder = Path(compose.__file__).parent / "templates"
    assert sorted(p.name for p in folder.iterdir()) == [
        "consolidation.html",
        "consolidation.txt",
        "province_digest.html",
        "province_digest.txt",
        "unit_digest.html",
        "unit_digest.txt",
    ]
    empty = Evaluation(2026, date(2026, 10, 31), [])
    province = parsed(
        compose.province_digest(
            "k", SENDER, "Tỉnh Thử", ["t@example.gov.vn"], empty, DUE, [], TODAY, NOW
        )
    )
    assert "Năm đánh giá 2026: 0 đơn vị được theo dõi." in body(province)
    assert "<h3>Xếp loại dự kiến theo lĩnh vực</h3>" in body(province, "html")
    sent = parsed(
        compose.consolidation_email(
            "k", SENDER, "Tỉnh Thử", ["t@example.gov.vn"], empty, "tong-hop-2026.xlsx", b"xlsx", NOW
        )
    )
    assert sent["Subject"] == "Bảng tổng hợp mô hình, điển hình năm 2026 — Tỉnh Thử"
    assert "tệp tong-hop-2026.xlsx" in body(sent)
