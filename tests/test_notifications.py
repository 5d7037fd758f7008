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
from worker.core.calendars import load_calendar
from worker.core.evaluate import Unit, evaluate_unit, unreadable
from worker.run.workspace import Evaluation

NOW = datetime(2026, 10, 29, 6, 30, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
DUE = load_calendar().due_reminders(2026, TODAY)
SENDER = compose.Letterhead("Tỉnh Thử", "mohinh@example.gov.vn")


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
    return parsed(compose.unit_digest("U1|2026-11-05|7", SENDER, result, DUE, TODAY, NOW))


def body(msg: EmailMessage, kind: str = "plain") -> str:
    part = msg.get_body((kind,))
    assert isinstance(part, EmailMessage)
    return str(part.get_content())


def test_a_digest_is_multipart_text_and_html_in_utf8() -> None:
    msg = digest()
    assert msg.get_content_type() == "multipart/alternative"
    assert msg["Subject"] == "[Còn 7 ngày] 1 điển hình dưới 70% — Công an xã Hàm Liêm"
    assert msg["To"] == "a@example.gov.vn, b@example.gov.vn"
    assert msg["Date"] == "Thu, 29 Oct 2026 06:30:00 +0700"


def test_a_digest_opens_with_the_cutoff_and_names_the_later_ones() -> None:
    text = body(digest())
    assert text.startswith(
        "Kính gửi cán bộ đầu mối của Công an xã Hàm Liêm,\n\n"
        "Hạn: trước ngày 05/11/2026 (còn 7 ngày) — Ban Chỉ đạo mô hình gửi báo cáo kết quả"
    )
    assert "Các mốc sau: 10/11/2026 (còn 12 ngày) — Cấp có thẩm quyền xét duyệt" in text


def test_a_digest_lists_every_error_in_words_with_its_column_and_model() -> None:
    rows = good_unit(3)
    rows["models"][2]["field"] = "Kinh te"
    rows["targets"][2]["achieved"] = "#REF!"
    text = body(digest(rows))
    assert "1. LỖI DỮ LIỆU CẦN SỬA (2)" in text
    assert (
        "- tab Mô hình, ô D4 — cột Lĩnh vực của MH-003: “Kinh te” không có trong danh sách"
    ) in text
    assert "- tab Chỉ tiêu, ô F4 — cột Thực hiện của MH-002: “#REF!” ô có lỗi công thức" in text
    assert "Sửa trong bảng tính: tệp u1.xlsx" in text


def test_models_come_in_order_of_urgency_each_with_what_would_raise_it() -> None:
    rows = good_unit(6)
    rows["dossiers"][5]["doc11"] = ""  # MH-006: Yếu only for (11); Khá with it, Tốt with a tick
    rows["assessments"][5]["socialised"] = ""
    rows["assessments"][4]["disciplined"] = "Có"  # MH-005: Yếu by a fact of the year
    rows["targets"][6]["achieved"] = 6  # MH-004: 80 %, Khá, cannot reach Tốt
    rows["assessments"][1]["socialised"] = ""  # MH-002: Khá, Tốt with a tick
    rows["models"].append(
        {**rows["models"][0], "model_id": "MH-007", "decision_date": date(2026, 3, 1)}
    )
    text = body(digest(rows))
    models = text[text.index("1. MÔ HÌNH CẦN LÀM (3)") : text.index("2. CÁC MÔ HÌNH KHÁC")]
    assert [line[:8] for line in models.splitlines()[1:4]] == ["- MH-006", "- MH-005", "- MH-002"]
    assert (
        "- MH-006 Tổ tự quản thôn 6 — Yếu chỉ do hồ sơ chưa đầy đủ, 100% chỉ tiêu: "
        "bổ sung tài liệu (11) → Khá; "
        "tích “Thu hút nguồn lực xã hội hóa” → Tốt\n"
    ) in models
    assert (
        "- MH-005 Tổ tự quản thôn 5 — Yếu vì có thành viên bị kỷ luật, vi phạm "
        "pháp luật; năm nay không nâng được xếp loại\n"
    ) in models
    assert "Tài liệu: (11) Tài liệu chứng minh hiệu quả." in models
    others = text[text.index("2. CÁC MÔ HÌNH KHÁC") : text.index("3. ĐIỂN HÌNH")]
    assert others.splitlines()[1:] == [
        "- Chưa đủ 10 tháng hoạt động, xếp loại từ năm sau: MH-007",
        "- Khá (1), chưa lên Tốt được vì hoàn thành dưới 90% chỉ tiêu: MH-004",
        "- Tốt (2): MH-001, MH-003",
        "",
    ]
    box = text[text.index("Việc cần làm:") : text.index("Sửa trong bảng tính")]
    # each model once: MH-006 (Yếu only for its dossier) among those it can raise, not again
    # for its dossier; ĐH-01, below 70 % and due, told once, as below 70 %
    assert box.splitlines()[1:] == [
        "- 1 mô hình Yếu — sẽ bị đề xuất kết thúc",
        "- 2 mô hình nâng được xếp loại: xem dưới",
        "- 1 điển hình dưới 70% — sẽ bị đề xuất kết thúc xây dựng",
    ]


def test_sections_are_numbered_without_gaps() -> None:
    rows = good_unit(2)
    rows["criteria"] = [{**c, "met": "Có"} for c in rows["criteria"]]
    rows["exemplars"][0]["plan_date"] = date(2026, 6, 1)  # not yet due, not below 70 %
    rows["models"][0]["field"] = "Kinh te"
    text = body(digest(rows))
    headings = [line for line in text.splitlines() if line[:2] in ("1.", "2.", "3.", "4.")]
    assert headings == ["1. LỖI DỮ LIỆU CẦN SỬA (1)", "2. CÁC MÔ HÌNH KHÁC"]


def test_a_google_sheet_error_links_to_its_cell_when_the_tab_id_is_known() -> None:
    sheet = "https://docs.google.com/spreadsheets/d/abcdefghijklmnopqrstuvwxyz012/edit#gid=0"
    rows = good_unit(1)
    rows["models"][0]["field"] = "Kinh te"
    result = evaluate_unit(
        Unit("U1", "Công an xã Hàm Liêm", "Xã", "", ("a@example.gov.vn",), sheet, True),
        as_tabs(rows),
        2026,
        TODAY,
        date(2026, 10, 31),
        set(),
        "mean_ratio",
    )
    base = "https://docs.google.com/spreadsheets/d/abcdefghijklmnopqrstuvwxyz012/edit"
    linked = parsed(compose.unit_digest("k", SENDER, result, DUE, TODAY, NOW, {"Mô hình": 42}))
    assert f'<a href="{base}#gid=42&amp;range=D2">tab Mô hình, ô D2</a>' in body(linked, "html")
    plain = parsed(compose.unit_digest("k", SENDER, result, DUE, TODAY, NOW))
    assert f'<a href="{base}">tab Mô hình, ô D2</a>' in body(plain, "html")
    assert f"Sửa trong bảng tính: {base}" in body(plain)


def test_unit_text_is_escaped_in_html() -> None:
    rows = good_unit(1)
    rows["models"][0]["name"] = "<script>alert('x')</script> & <b>"
    rows["assessments"][0]["socialised"] = ""  # Khá: listed by name, with what would raise it
    html = body(digest(rows), "html")
    assert "<script>" not in html
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &lt;b&gt;" in html


def test_a_unit_name_with_a_line_break_cannot_add_a_header() -> None:
    msg = digest(name="Công an xã\r\nBcc: attacker@example.com")
    assert msg["Bcc"] is None
    assert msg["Subject"].endswith("— Công an xã Bcc: attacker@example.com")
    assert "\n" not in msg["Subject"]


def test_the_same_key_always_gets_the_same_message_id() -> None:
    first, second = digest(), digest()
    assert first["Message-ID"] == second["Message-ID"]
    assert first["Message-ID"].endswith("@example.gov.vn>")
    assert compose.message_id("U2|x|7", SENDER.address) != first["Message-ID"]


def test_a_digest_for_an_unreadable_sheet_says_so() -> None:
    result = unreadable(unit(), 2026, "không tìm thấy tệp u1.xlsx")
    msg = parsed(compose.unit_digest("k", SENDER, result, DUE, TODAY, NOW))
    assert msg["Subject"] == "[Còn 7 ngày] Không đọc được bảng tính — Công an xã Hàm Liêm"
    assert (
        "Việc cần làm:\n- cho phần mềm đọc được bảng tính: không tìm thấy tệp u1.xlsx\n"
    ) in body(msg)


def test_every_template_renders_in_both_forms() -> None:
    folder = Path(compose.__file__).parent / "templates"
    assert sorted(p.name for p in folder.iterdir()) == [
        "consolidation.html",
        "consolidation.txt",
        "footer.html",
        "footer.txt",
        "province_digest.html",
        "province_digest.txt",
        "unit_digest.html",
        "unit_digest.txt",
    ]
    empty = Evaluation(2026, date(2026, 10, 31), [])
    province = parsed(
        compose.province_digest(
            "k", SENDER, ["t@example.gov.vn"], empty, DUE, (["Lĩnh vực"], []), TODAY, NOW
        )
    )
    assert (
        "Năm đánh giá 2026: 0 đơn vị: 0 đơn vị báo cáo (đọc được bảng tính), 0 không đọc được "
        "bảng tính, 0 chưa đọc do lỗi danh mục.\n0 mô hình"
    ) in body(province)
    assert ">Xếp loại theo lĩnh vực (theo quyết định công nhận nếu có)</h3>" in body(
        province, "html"
    )
    sent = parsed(
        compose.consolidation_email(
            "k", SENDER, ["t@example.gov.vn"], empty, "tong-hop-2026.xlsx", b"xlsx", NOW
        )
    )
    assert sent["Subject"] == "Bảng tổng hợp mô hình, điển hình năm 2026 — Tỉnh Thử"
    assert "tệp tong-hop-2026.xlsx" in body(sent)
