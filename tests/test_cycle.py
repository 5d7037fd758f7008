"""The annual cycle through the CLI on a workspace in tmp_path, with a pretend date."""

from __future__ import annotations

import hashlib
import io
import sqlite3
from collections.abc import Callable, Iterator
from datetime import date
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default
from pathlib import Path

import openpyxl
import pytest
from click.testing import Result

from tests.conftest import good_unit
from worker.app.config import load_settings
from worker.core.calendars import load_calendar
from worker.core.layout import load

Cli = Callable[..., Result]
# The same behaviour on both backends: .xlsx files, and Google Sheets through the test server.
both = pytest.mark.parametrize("backend", ["local", "google"])


def outbox(root: Path) -> list[EmailMessage]:
    return [
        message_from_bytes(p.read_bytes(), policy=default)  # type: ignore[misc]
        for p in sorted((root / "outbox").glob("*.eml"))
    ]


def reminders(root: Path) -> list[str]:
    with sqlite3.connect(root / "state.sqlite") as db:
        return sorted(k for (k,) in db.execute("SELECT key FROM reminders"))


@pytest.fixture
def province(workspace: Callable[..., Path]) -> Path:
    return workspace(
        ("U1", good_unit(2), "a@example.gov.vn; b@example.gov.vn"),
        ("U2", good_unit(1), "c@example.gov.vn"),
        ("U3", good_unit(1), ""),
    )


@both
def test_a_week_before_the_cutoff_each_unit_with_coordinators_gets_one_digest(
    province: Path, cli: Cli
) -> None:
    result = cli("run", "--once", "--workspace", province, "--today", "2026-10-29")
    assert result.exit_code == 0, result.output
    messages = outbox(province)
    assert sorted(m["To"] for m in messages) == [
        "a@example.gov.vn, b@example.gov.vn",
        "c@example.gov.vn",
        "tinh@example.gov.vn",
    ]
    unit = next(m for m in messages if m["To"].startswith("a@"))
    assert unit["Subject"] == "[Còn 7 ngày] 1 điển hình dưới 70% — Công an xã U1"
    assert unit["Auto-Submitted"] == "auto-generated"
    assert f"Thư ({province / 'outbox'}): 3 đã ghi ra tệp .eml (chưa gửi đi)" in result.output
    assert "chưa có email đầu mối: U3" in result.output


@both
def test_running_twice_the_same_day_sends_and_writes_nothing_twice(
    province: Path, cli: Cli
) -> None:
    cli("run", "--once", "--workspace", province, "--today", "2026-10-29")
    files = {p: p.read_bytes() for p in province.rglob("*.xlsx")}
    again = cli("run", "--once", "--workspace", province, "--today", "2026-10-29")
    assert len(outbox(province)) == 3
    assert "Thư: không có thư mới" in again.output
    assert "0 cập nhật tab Kết quả, 3 không đổi" in again.output
    assert {p: p.read_bytes() for p in province.rglob("*.xlsx")} == files


@both
def test_missed_reminders_are_superseded_not_sent_in_a_burst(province: Path, cli: Cli) -> None:
    cli("run", "--once", "--workspace", province, "--today", "2026-10-22")
    assert reminders(province) == ["TINH|2026-11-05|14", "U1|2026-11-05|14", "U2|2026-11-05|14"]
    # down from 23/10 to 02/11: the 7-day reminder of 05/11 (29/10) is never sent
    cli("run", "--once", "--workspace", province, "--today", "2026-11-03")
    keys = [k for k in reminders(province) if k.startswith("U1|")]
    assert keys == ["U1|2026-11-05|14", "U1|2026-11-05|3", "U1|2026-11-10|7", "U1|2026-11-15|14"]
    u1 = [m for m in outbox(province) if m["To"].startswith("a@")]
    assert len(u1) == 2  # one digest per run, covering every cutoff ahead


@both
def test_a_reminder_carried_once_is_not_carried_again(province: Path, cli: Cli) -> None:
    cli("run", "--once", "--workspace", province, "--today", "2026-10-29")
    cli("run", "--once", "--workspace", province, "--today", "2026-10-30")
    assert len(outbox(province)) == 3  # 05/11 @ 7 and 10/11 @ 14 still the latest: nothing new


def test_nothing_is_due_from_a_cutoff_day_on() -> None:
    calendar = load_calendar()
    assert [(c.day, d) for c, d in calendar.due_reminders(2026, date(2026, 11, 14))] == [(15, 1)]
    assert calendar.due_reminders(2026, date(2026, 11, 15)) == []


@both
def test_the_consolidation_is_built_once_from_16_november(province: Path, cli: Cli) -> None:
    early = cli("run", "--once", "--workspace", province, "--today", "2026-11-15")
    assert not (province / "reports" / "tong-hop-2026.xlsx").exists()
    assert "Tổng hợp" not in early.output
    first = cli("run", "--once", "--workspace", province, "--today", "2026-11-16")
    path = province / "reports" / "tong-hop-2026.xlsx"
    assert f"Tổng hợp năm 2026: bảng tổng hợp {path}" in first.output
    built = path.read_bytes()
    cli("run", "--once", "--workspace", province, "--today", "2026-11-20")
    assert path.read_bytes() == built
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == [
        "Tổng hợp đơn vị",
        "Theo lĩnh vực",
        "Danh sách mô hình",
        "Điển hình",
        "Đề xuất kết thúc",
        "Đề xuất nhân rộng",
        "Cần xem xét",
        "Đối chiếu xếp loại",
        "So sánh các năm",
        "Lỗi dữ liệu",
    ]
    assert len(wb["Theo lĩnh vực"]._charts) == 1
    assert len(wb["Tổng hợp đơn vị"]._charts) == 1
    sent = [m for m in outbox(province) if "Bảng tổng hợp" in m["Subject"]]
    assert len(sent) == 1
    attachment = next(sent[0].iter_attachments())
    assert attachment.get_filename() == "tong-hop-2026.xlsx"
    assert attachment.get_content() == built
    text = str(sent[0].get_body(("plain",)).get_content())  # type: ignore[union-attr]
    assert (
        "SỐ LIỆU CHÍNH\n"
        "- 3 đơn vị: 3 đơn vị báo cáo (đọc được bảng tính), 0 không đọc được bảng tính, 0 chưa "
        "đọc do lỗi danh mục; 4 mô hình; xếp loại (0 mô hình theo quyết định công nhận, còn lại "
        "theo đề xuất): Tốt 4, Khá 0, Trung bình 0, Yếu 0, Chưa xếp loại 0.\n"
        "- Đề xuất kết thúc: 0 mô hình Yếu, 3 điển hình dưới 70%.\n"
        "- Đề xuất nhân rộng: 4 mô hình Tốt theo kết quả và theo tiêu chí; cần xem xét: 0 mô "
        "hình (Yếu chỉ do hồ sơ, hoặc công nhận Tốt cao hơn mức tiêu chí).\n"
        "- Đối chiếu xếp loại: 0 quyết định công nhận khác đề xuất, không hợp lệ hoặc có lưu ý "
        "về ngày, cấp quyết định.\n"
        "- Bảng tính: 0 đơn vị không đọc được, 0 đơn vị còn lỗi dữ liệu (0 lỗi), "
        "1 đơn vị chưa có email đầu mối.\n"
    ) in text
    assert (
        "CÁC TAB CỦA BẢNG TỔNG HỢP\n"
        "- Tổng hợp đơn vị, Theo lĩnh vực: số liệu theo đơn vị và theo lĩnh vực; "
        "Danh sách mô hình, Điển hình: từng mô hình, điển hình kèm lý do xếp loại.\n"
        "- Đề xuất kết thúc, Đề xuất nhân rộng: các danh sách cần quyết định; Cần xem xét: mô "
        "hình không đưa vào hai danh sách đó, việc cần làm với từng mô hình; "
        "Lỗi dữ liệu: lỗi còn lại trong bảng tính của đơn vị.\n"
        "- Đối chiếu xếp loại: quyết định công nhận khác đề xuất, không hợp lệ hoặc có lưu ý, "
        "kèm lý do; "
        "So sánh các năm: xếp loại của từng mô hình qua các năm.\n"
    ) in text
    assert "Xếp loại đề xuất tính từ tự đánh giá của các đơn vị" in text


@both
def test_the_province_digest_stacks_the_units_to_chase_and_attaches_every_units_row(
    province: Path, cli: Cli
) -> None:
    cli("run", "--once", "--workspace", province, "--today", "2026-10-29")
    digest = next(m for m in outbox(province) if m["To"] == "tinh@example.gov.vn")
    assert digest["Subject"] == "[Còn 7 ngày] Thử: 1 đơn vị chưa có đầu mối"
    text = str(digest.get_body(("plain",)).get_content())  # type: ignore[union-attr]
    assert (
        "Việc cần làm trước ngày 05/11/2026:\n"
        "- bổ sung email đầu mối của 1 đơn vị vào danh mục\n\n"
        "ĐƠN VỊ CẦN CHÚ Ý (3), việc gấp trước:\n"
        "- U3 Công an xã U3: chưa có email đầu mối, 1 điển hình dưới 70%\n"
        "- U1 Công an xã U1: 1 điển hình dưới 70%\n"
        "- U2 Công an xã U2: 1 điển hình dưới 70%\n"
        "Số liệu của từng đơn vị: tệp đính kèm tong-hop-2026-xem-truoc.xlsx, tab Tổng hợp đơn vị.\n"
    ) in text
    assert "Email đầu mối: 1" not in text  # no count where a name is wanted
    html = str(digest.get_body(("html",)).get_content())  # type: ignore[union-attr]
    assert "<table" not in html  # nothing wider than a phone: every table is in the workbook
    (attached,) = list(digest.iter_attachments())
    assert attached.get_filename() == "tong-hop-2026-xem-truoc.xlsx"
    book = openpyxl.load_workbook(io.BytesIO(attached.get_content()))
    units = [row[:2] for row in book["Tổng hợp đơn vị"].iter_rows(min_row=3, values_only=True)]
    assert units == [
        ("U1", "Công an xã U1"),
        ("U2", "Công an xã U2"),
        ("U3", "Công an xã U3"),
        ("Tổng cộng", "3 đơn vị"),
    ]
    assert not (province / "reports" / "tong-hop-2026-xem-truoc.xlsx").exists()  # sent only
    assert (
        "ĐƠN VỊ CHƯA CÓ EMAIL ĐẦU MỐI (1) — bổ sung trong danh mục đơn vị\n- U3 Công an xã U3\n"
        in text
    )
    assert (
        "ĐỀ XUẤT NHÂN RỘNG (4)\n- U1 Công an xã U1 — MH-001 Tổ tự quản thôn 1 (100% chỉ tiêu; "
        "theo đề xuất, chưa có quyết định)" in text
    )
    assert "ĐỀ XUẤT KẾT THÚC (3)\n- U1 Công an xã U1 — ĐH-01 Tổ tự quản thôn 1 (điển hình)" in text
    assert "- Kinh tế: Tốt 0, Khá 0, Trung bình 0, Yếu 0, Chưa xếp loại 0," in text


@both
def test_a_consolidation_built_without_its_email_gets_it_at_the_next_run(
    province: Path, cli: Cli
) -> None:
    cli("run", "--once", "--workspace", province, "--today", "2026-11-16")
    (sent,) = [p for p in (province / "outbox").glob("*.eml") if p.name.startswith("TINH-")]
    with sqlite3.connect(province / "state.sqlite") as db:  # as a run killed before queuing it
        db.execute("DELETE FROM emails WHERE cutoff = 'tong-hop-2026'")
    sent.unlink()
    again = cli("run", "--once", "--workspace", province, "--today", "2026-11-17")
    assert again.exit_code == 0, again.output
    resent = [m for m in outbox(province) if "Bảng tổng hợp" in m["Subject"]]
    assert len(resent) == 1
    assert [a.get_filename() for a in resent[0].iter_attachments()] == [
        "tong-hop-2026.xlsx",
        "bao-cao-2026.docx",
    ]
    cli("run", "--once", "--workspace", province, "--today", "2026-11-18")
    assert len([m for m in outbox(province) if "Bảng tổng hợp" in m["Subject"]]) == 1


def test_a_consolidated_workbook_gone_is_built_again_and_not_mailed_twice(
    province: Path, cli: Cli
) -> None:
    cli("run", "--once", "--workspace", province, "--today", "2026-11-16")
    (province / "reports" / "tong-hop-2026.xlsx").unlink()
    again = cli("run", "--once", "--workspace", province, "--today", "2026-11-17")
    assert "Tổng hợp năm 2026: bảng tổng hợp" in again.output
    assert (province / "reports" / "tong-hop-2026.xlsx").is_file()
    assert len([m for m in outbox(province) if "Bảng tổng hợp" in m["Subject"]]) == 1


@both
def test_the_consolidated_workbook_counts_every_unit(province: Path, cli: Cli) -> None:
    cli("run", "--once", "--workspace", province, "--today", "2026-11-16")
    wb = openpyxl.load_workbook(province / "reports" / "tong-hop-2026.xlsx")
    # row 1 is the tab's title, row 2 its headers
    head, *units = ([c.value for c in row] for row in wb["Tổng hợp đơn vị"].iter_rows(min_row=2))
    status = head.index("Tình trạng bảng tính")
    assert [(u[0], u[3], u[4], u[5], u[status]) for u in units] == [
        ("U1", 2, 2, 2, "Không có lỗi"),
        ("U2", 1, 1, 1, "Không có lỗi"),
        ("U3", 1, 1, 1, "Không có lỗi"),
        ("Tổng cộng", 4, 4, 4, "3 đọc được; 0 không đọc được; 0 lỗi danh mục"),
    ]
    fields = [[c.value for c in row] for row in wb["Theo lĩnh vực"].iter_rows(min_row=3)]
    assert fields[2] == ["Quốc phòng - an ninh", 4, 0, 0, 0, 0, 0, 0, 0, 0, 4]
    assert fields[-1] == ["Tổng cộng", 4, 0, 0, 0, 0, 0, 0, 0, 0, 4]
    replicate = list(wb["Đề xuất nhân rộng"].iter_rows(min_row=3, values_only=True))
    assert len(replicate) == 4


@both
def test_before_16_november_consolidate_builds_a_marked_preview(province: Path, cli: Cli) -> None:
    result = cli("consolidate", "--workspace", province, "--today", "2026-11-01")
    preview = province / "reports" / "tong-hop-2026-xem-truoc.xlsx"
    assert f"bản xem trước {preview}" in result.output
    assert openpyxl.load_workbook(preview).properties.title.endswith("(BẢN XEM TRƯỚC)")
    assert not (province / "reports" / "tong-hop-2026.xlsx").exists()
    assert outbox(province) == []


def test_unit_text_reaches_the_consolidated_workbook_as_text(
    workspace: Callable[..., Path], cli: Cli
) -> None:
    rows = good_unit(1)
    rows["models"][0]["name"] = '=IMPORTXML("http://x.invalid","//a")'
    root = workspace(("U1", rows, "a@example.gov.vn"))
    cli("run", "--once", "--workspace", root, "--today", "2026-11-16")
    wb = openpyxl.load_workbook(root / "reports" / "tong-hop-2026.xlsx")
    cell = wb["Danh sách mô hình"]["D3"]  # under the title and header rows
    assert (cell.value, cell.data_type) == ('=IMPORTXML("http://x.invalid","//a")', "s")


@both
def test_a_dry_run_writes_and_sends_nothing(province: Path, cli: Cli) -> None:
    def files() -> dict[str, str]:
        return {
            str(p): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in province.rglob("*")
            if p.is_file()
        }

    before = files()
    result = cli("run", "--once", "--workspace", province, "--today", "2026-10-29", "--dry-run")
    assert result.exit_code == 0
    assert "CHẠY THỬ" in result.output
    assert "3 cần cập nhật (chạy thử: không ghi)" in result.output
    assert "3 thư chờ gửi (chạy thử: không gửi)" in result.output
    result = cli("run", "--once", "--workspace", province, "--today", "2026-11-16", "--dry-run")
    assert "Tổng hợp năm 2026: bảng tổng hợp (chạy thử: không ghi)" in result.output
    assert files() == before


def test_an_unreadable_unit_is_reported_and_the_others_are_done(
    workspace: Callable[..., Path], cli: Cli
) -> None:
    root = workspace(("U1", good_unit(1), "a@example.gov.vn"), ("U2", None, "c@example.gov.vn"))
    result = cli("run", "--once", "--workspace", root, "--today", "2026-10-29")
    assert result.exit_code == 1
    assert "! U2 Công an xã U2: không tìm thấy tệp units/u2.xlsx" in result.output
    assert "Kết quả" in openpyxl.load_workbook(root / "units" / "u1.xlsx").sheetnames
    # a file the province cannot find is the province's to find: U2 is not mailed about it
    assert [m["To"] for m in outbox(root) if m["To"] == "c@example.gov.vn"] == []
    province = next(m for m in outbox(root) if m["To"] == "tinh@example.gov.vn")
    assert "- U2 Công an xã U2: không tìm thấy tệp units/u2.xlsx" in (
        province.get_body(("plain",)).get_content()
    )


def test_document_13_is_required_once_a_model_was_rated_in_an_earlier_year(
    workspace: Callable[..., Path], cli: Cli
) -> None:
    rows = good_unit(1)
    rows["dossiers"][0]["doc13"] = ""
    rows["targets"] += [{**t, "year": 2025} for t in rows["targets"]]
    rows["assessments"] += [{**a, "year": 2025} for a in rows["assessments"]]
    rows["criteria"] += [{**c, "year": 2025} for c in rows["criteria"]]
    root = workspace(("U1", rows, "a@example.gov.vn"))
    cli("sync", "--workspace", root, "--today", "2025-11-10")  # year 2025: first rating, Tốt
    result = cli("sync", "--workspace", root, "--today", "2026-10-29")
    assert "Tốt 0 · Khá 0 · Trung bình 0 · Yếu 1" in result.output
    kq = openpyxl.load_workbook(root / "units" / "u1.xlsx")["Kết quả"]
    row = next(r for r in kq.iter_rows(values_only=True) if r[0] == "MH-001")
    documents = load("unit").section("models").headers.index("Tài liệu hồ sơ còn thiếu")
    assert row[documents] == "(13) Văn bản công nhận xếp loại hằng năm"


def test_bad_configuration_exits_2_naming_the_setting_and_the_file(
    province: Path, cli: Cli
) -> None:
    config = province / "config.toml"
    config.write_text(config.read_text("utf-8").replace('"mean_ratio"', '"median"'), "utf-8")
    result = cli("sync", "--workspace", province, "--today", "2026-10-29")
    assert result.exit_code == 2
    assert (
        f"Lỗi cấu hình: Cấu hình [rules] completion_method = 'median' trong {config} (dòng 13) "
        "không hợp lệ: dùng 'mean_ratio' hoặc 'share_met'"
    ) in result.output


def test_a_folder_without_a_workspace_exits_2(tmp_path: Path, cli: Cli) -> None:
    result = cli("run", "--once", "--workspace", tmp_path, "--today", "2026-10-29")
    assert result.exit_code == 2
    assert f"Không tìm thấy tệp cấu hình {tmp_path / 'config.toml'}" in result.output


def test_init_never_overwrites_an_existing_folder(province: Path, cli: Cli) -> None:
    before = (province / "registry.xlsx").read_bytes()
    result = cli("init", province)
    assert result.exit_code == 2
    assert "đã có dữ liệu" in result.output
    assert (province / "registry.xlsx").read_bytes() == before


def test_the_evaluation_year_rolls_over_on_1_december(province: Path) -> None:
    settings = load_settings(province)
    assert settings.year(date(2026, 11, 30)) == 2026
    assert settings.year(date(2026, 12, 1)) == 2027


def test_only_a_rating_of_the_year_before_counts_as_a_rated_year(tmp_path: Path) -> None:
    from worker.adapters.store.state import State

    state = State(tmp_path / "state.sqlite")
    state.save_ratings("U1", 2024, {"MH-004": "Khá"})  # two years before: not Y−1
    state.save_ratings("U1", 2025, {"MH-001": "Chưa xếp loại", "MH-002": "Khá"})
    state.save_ratings("U1", 2026, {"MH-003": "Tốt"})
    assert state.rated_before("U1", 2026) == {"MH-002"}
    assert state.rated_before("U2", 2026) == set()


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (
            "31/02",
            "Cấu hình [rules] rollover_date = '31/02' trong {} (dòng 15) không hợp lệ: nhập "
            "ngày/tháng dạng dd/mm, ví dụ 31/10",
        ),
        (
            "15/01",
            "Cấu hình [rules] rollover_date = '15/01' trong {} (dòng 15) không hợp lệ: chọn một "
            "ngày từ 01/11 đến 31/12 (sau khi kỳ đánh giá kết thúc ngày 31/10)",
        ),
    ],
    ids=["impossible", "before_the_period_ends"],
)
def test_a_bad_rollover_date_is_refused(province: Path, cli: Cli, value: str, message: str) -> None:
    config = province / "config.toml"
    config.write_text(config.read_text("utf-8").replace('"01/12"', f'"{value}"'), "utf-8")
    result = cli("sync", "--workspace", province)
    assert result.exit_code == 2
    assert message.format(config) in result.output


def test_a_stop_request_finishes_the_unit_under_way_and_goes_no_further(
    workspace: Callable[..., Path],
) -> None:
    from datetime import datetime

    from jobs import cycle
    from worker.app.wiring import open_workspace
    from worker.core.evaluate import Unit
    from worker.run.workspace import RunOptions, Workspace

    root = workspace(*[(f"U{n}", good_unit(1), f"u{n}@example.gov.vn") for n in range(1, 4)])
    holder: list[Workspace] = []

    def stop_after_first(units: list[Unit]) -> Iterator[Unit]:
        for unit in units:
            yield unit
            holder[0].stop.set()  # SIGTERM arrives while the first unit is being read

    with open_workspace(root, RunOptions(progress=stop_after_first)) as ws:
        holder.append(ws)
        report = cycle.run_once(ws, date(2026, 10, 29), datetime(2026, 10, 29, 6, 30))
    assert list(report.sync.outcomes) == ["U1"]
    assert report.deliver.outcomes == {}
    assert "Kết quả" in openpyxl.load_workbook(root / "units" / "u1.xlsx").sheetnames
    assert "Kết quả" not in openpyxl.load_workbook(root / "units" / "u2.xlsx").sheetnames


def test_the_province_hears_of_this_years_undelivered_mail_only(tmp_path: Path) -> None:
    from datetime import datetime

    from worker.adapters.store.ledger import FAILED
    from worker.adapters.store.state import State

    state = State(tmp_path / "state.sqlite")
    for key, cutoff in (("old", "2025-11-05"), ("new", "2026-11-05"), ("sheet", "tong-hop-2026")):
        message = EmailMessage()
        message["Subject"], message["Message-ID"] = "s", f"<{key}@x>"
        state.ledger.add_email(key, "U1", cutoff, "7", ("a@example.gov.vn",), message)
        state.ledger.claim(key)
        state.ledger.settle(key, FAILED, datetime(2026, 11, 1), error="550")
    assert sorted(e.key for e in state.ledger.delivery_problems(2026)) == ["new", "sheet"]


def test_a_bad_address_in_the_config_names_its_setting(province: Path, cli: Cli) -> None:
    config = province / "config.toml"
    config.write_text(
        config.read_text("utf-8").replace(
            'sender = "mohinh@example.gov.vn"', 'sender = "mohinh at example"'
        ),
        "utf-8",
    )
    result = cli("sync", "--workspace", province)
    assert result.exit_code == 2
    assert (
        f"Cấu hình [mail] sender trong {config} (dòng 18): “mohinh at example” không phải địa chỉ "
        "email hợp lệ — nhập địa chỉ dạng ten@donvi.gov.vn"
    ) in result.output


@pytest.mark.parametrize("job", ["sync", "remind"])
def test_a_job_commits_its_state_once_not_once_per_unit(province: Path, job: str) -> None:
    from datetime import datetime

    from jobs import remind, sync
    from worker.app.wiring import open_workspace

    with open_workspace(province) as ws:
        ws.evaluate(date(2026, 10, 29))  # reading is not this test's business
        statements: list[tuple[str, bool]] = []
        ws.state.db.set_trace_callback(
            lambda sql: statements.append((sql, ws.state.db.in_transaction))
        )
        module = {"sync": sync, "remind": remind}[job]
        module.run(ws, date(2026, 10, 29), datetime(2026, 10, 29, 6, 30))
    writes = [s for s, _ in statements if s.split()[0] in ("INSERT", "UPDATE", "DELETE")]
    assert len(writes) > 5  # several units' worth of writes…
    assert [s for s, _ in statements if s in ("BEGIN IMMEDIATE", "COMMIT")] == [
        "BEGIN IMMEDIATE",
        "COMMIT",
    ]  # …in one transaction
    assert not [s for s, inside in statements if s in writes and not inside]
