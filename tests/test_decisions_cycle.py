"""Issue 12 end to end, on both backends: the consolidation counts decided ratings, lists the
decisions that differ, compares the years; digests tell missing decisions after 10/11; a model
rated in Y−1 needs document (13) in a fresh workspace (issue 18)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import Result

from tests.conftest import good_unit
from tests.test_cycle import outbox

Cli = Callable[..., Result]
both = pytest.mark.parametrize("backend", ["local", "google"])


def decided(rows: dict, index: int, level: str, **ticks: str) -> None:
    """A decision as the guide has it (III.2.c): between 31/10 and 10/11, by the body that
    established the model (good_unit's models: UBND xã)."""
    rows["assessments"][index].update(
        ticks,
        decided_level=level,
        decided_no=f"{index + 40}/QĐ-UBND",
        decided_date=date(2026, 11, 6),
        decided_by="UBND xã",
    )


@pytest.fixture
def decisions(workspace: Callable[..., Path]) -> Path:
    """U1: MH-001 Khá by the criteria, decided Tốt (above); MH-002 Tốt, decided Tốt (same);
    MH-003 Tốt, no decision. U2: MH-001 Tốt, decided Khá (below)."""
    u1 = good_unit(3)
    decided(u1, 0, "Tốt", socialised="")
    decided(u1, 1, "Tốt")
    u2 = good_unit(1)
    decided(u2, 0, "Khá")
    return workspace(("U1", u1, "a@example.gov.vn"), ("U2", u2, "b@example.gov.vn"))


def sheet(root: Path, year: int, tab: str) -> list[list[object]]:
    """The tab's header row, then its rows (below the title row)."""
    wb = openpyxl.load_workbook(root / "reports" / f"tong-hop-{year}.xlsx")
    return [list(r) for r in wb[tab].iter_rows(min_row=2, values_only=True)]


@both
def test_the_consolidation_counts_decisions_and_lists_exactly_the_disagreements(
    decisions: Path, cli: Cli
) -> None:
    result = cli("run", "--once", "--workspace", decisions, "--today", "2026-11-16")
    assert result.exit_code == 0, result.output
    units = sheet(decisions, 2026, "Tổng hợp đơn vị")
    head = units[0]
    u1, u2, total = (dict(zip(head, row, strict=True)) for row in units[1:])
    assert (u1["Tốt"], u1["Khá"], u1["Có quyết định công nhận"], u1["Công nhận khác đề xuất"]) == (
        3,
        0,
        2,
        1,
    )
    assert (u2["Tốt"], u2["Khá"], u2["Công nhận khác đề xuất"]) == (0, 1, 1)
    assert (total["Tốt"], total["Có quyết định công nhận"], total["Công nhận khác đề xuất"]) == (
        3,
        3,
        2,
    )
    audit = sheet(decisions, 2026, "Đối chiếu xếp loại")
    assert [(r[0], r[2], r[4], r[5]) for r in audit[1:]] == [
        ("U1", "MH-001", "Khá", "Tốt"),
        ("U2", "MH-001", "Tốt", "Khá"),
    ]
    assert audit[1][7] == (
        "Công nhận cao hơn mức tiêu chí: chưa thu hút được các nguồn lực xã hội hóa"
    )
    assert audit[2][7] == "Công nhận thấp hơn đề xuất"
    # Tốt both by decision and by the criteria: MH-001, decided above them, is to be reviewed
    replicate = sheet(decisions, 2026, "Đề xuất nhân rộng")
    basis = {(r[0], r[2]): r[-1] for r in replicate[1:]}
    assert basis == {
        ("U1", "MH-002"): "Quyết định 41/QĐ-UBND ngày 06/11/2026 của UBND xã",
        ("U1", "MH-003"): "Đề xuất (chưa có quyết định công nhận)",
    }
    review = sheet(decisions, 2026, "Cần xem xét")
    assert [(r[0], r[2], r[4], r[5], r[6]) for r in review[1:]] == [
        (
            "U1",
            "MH-001",
            "Khá",
            "Tốt",
            "Xem xét lại trước khi nhân rộng: Công nhận cao hơn mức tiêu chí: chưa thu hút "
            "được các nguồn lực xã hội hóa",
        )
    ]
    fields = sheet(decisions, 2026, "Theo lĩnh vực")
    assert fields[-1] == ["Tổng cộng", 3, 1, 0, 0, 0, 0, 0, 0, 0, 4]


@both
def test_the_years_are_compared_from_the_history_of_decided_ratings(
    workspace: Callable[..., Path], cli: Cli
) -> None:
    rows = good_unit(2)
    for year in (2025,):
        rows["targets"] += [{**t, "year": year} for t in rows["targets"] if t["year"] == 2026]
        rows["assessments"] += [{**a, "year": year} for a in rows["assessments"]]
        rows["criteria"] += [{**c, "year": year} for c in rows["criteria"] if c["year"] == 2026]
    # MH-002 decided Yếu in 2025 and in 2026 (proposed Tốt both years)
    for a in rows["assessments"]:
        if a["model_id"] == "MH-002":
            a.update(decided_level="Yếu", decided_no="9/QĐ", decided_date=date(2025, 10, 30))
    root = workspace(("U1", rows, "a@example.gov.vn"))
    cli("sync", "--workspace", root, "--today", "2025-11-10")
    cli("consolidate", "--workspace", root, "--today", "2026-11-16")
    years = sheet(root, 2026, "So sánh các năm")
    assert years[0] == [
        "Mã đơn vị",
        "Tên đơn vị",
        "Mã mô hình",
        "Tên mô hình",
        "Năm 2024",
        "Năm 2025",
        "Năm 2026",
        "Nhận xét",
    ]
    by_model = {r[2]: r for r in years[1:]}
    assert by_model["MH-001"][4:] == [
        None,
        "Tốt",
        "Tốt",
        "Tốt hai năm liền (2025, 2026): ưu tiên nhân rộng",
    ]
    assert by_model["MH-002"][4:7] == [None, "Yếu", "Yếu"]
    assert by_model["MH-002"][7].startswith("Yếu hai năm liền")


def text_of(message: Any) -> str:
    return str(message.get_body(("plain",)).get_content())


def last_before_15(root: Path, to: str) -> str:
    """The plain text of the digest to `to` that reminds of the 15/11 cutoff."""
    (text,) = [
        text_of(m)
        for m in outbox(root)
        if m["To"] == to and "Hạn: trước ngày 15/11/2026" in text_of(m)
    ]
    return text


@both
def test_missing_decisions_are_told_after_the_decision_day_not_before(
    decisions: Path, cli: Cli
) -> None:
    cli("run", "--once", "--workspace", decisions, "--today", "2026-11-08")  # 05/11 passed
    before = [m for m in outbox(decisions) if m["To"] == "a@example.gov.vn"]
    text = "".join(str(m.get_body(("plain",)).get_content()) for m in before)  # type: ignore[union-attr]
    assert "Chưa có quyết định" not in text
    cli("run", "--once", "--workspace", decisions, "--today", "2026-11-12")  # 3 days before 15/11
    body = last_before_15(decisions, "a@example.gov.vn")
    assert "- Chưa có quyết định (hạn 10/11/2026 đã qua): MH-003 —" in body
    assert "MH-001 Tổ tự quản thôn 1: đề xuất Khá, công nhận Tốt — Công nhận cao hơn" in body
    ptext = last_before_15(decisions, "tinh@example.gov.vn")
    (province,) = [m for m in outbox(decisions) if ptext in text_of(m)]
    assert (
        "CHƯA CÓ QUYẾT ĐỊNH CÔNG NHẬN XẾP LOẠI (1 mô hình; hạn quyết định 10/11/2026 đã qua)\n"
        "- U1 Công an xã U1: MH-003\n"
    ) in ptext
    # the subject leads with the most pressing count; the rest are the first screen's to-do
    assert province["Subject"] == "[Còn 3 ngày] Thử: 1 mô hình chưa có quyết định công nhận, …"
    assert (
        "- đôn đốc quyết định công nhận xếp loại của 1 mô hình\n"
        "- xem xét 1 quyết định công nhận cao hơn mức tiêu chí\n"
    ) in ptext


@both
def test_a_model_rated_the_year_before_needs_document_13_in_a_fresh_workspace(
    workspace: Callable[..., Path], cli: Cli
) -> None:
    rows = good_unit(2)
    for model in rows["models"]:
        model["decision_date"] = date(2023, 5, 1)  # both eligible in 2025
    # MH-001 was rated for 2025: its row of 2025 stands in the tab Đánh giá; MH-002 was not
    rows["assessments"].insert(0, {**rows["assessments"][0], "year": 2025})
    for d in rows["dossiers"]:
        d["doc13"] = ""
    root = workspace(("U1", rows, "a@example.gov.vn"))
    cli("consolidate", "--workspace", root, "--today", "2026-11-16")
    models = sheet(root, 2026, "Danh sách mô hình")
    level = {r[2]: r[8] for r in models[1:]}
    assert level == {"MH-001": "Yếu", "MH-002": "Tốt"}  # an incomplete dossier forces Yếu
    missing = models[0].index("Tài liệu hồ sơ còn thiếu")
    assert {r[2]: r[missing] for r in models[1:]} == {
        "MH-001": "(13) Văn bản công nhận xếp loại hằng năm",
        "MH-002": None,
    }
    # Yếu only for that document: to complete its dossier, not proposed for termination
    terminate = sheet(root, 2026, "Đề xuất kết thúc")
    assert [r for r in terminate[1:] if r[2] == "Đề xuất kết thúc mô hình"] == []
    review = sheet(root, 2026, "Cần xem xét")
    assert [(r[2], r[6]) for r in review[1:]] == [
        (
            "MH-001",
            "Bổ sung hồ sơ, không đề xuất kết thúc (Yếu chỉ do hồ sơ): thiếu (13) Văn bản công "
            "nhận xếp loại hằng năm; đủ hồ sơ thì đạt Tốt",
        )
    ]


@both
def test_the_annual_report_opens_with_the_workbooks_totals_and_is_attached(
    decisions: Path, cli: Cli
) -> None:
    import docx
    from docx.shared import Mm, Pt

    result = cli("run", "--once", "--workspace", decisions, "--today", "2026-11-16")
    path = decisions / "reports" / "bao-cao-2026.docx"
    assert f"dự thảo báo cáo năm (Word): {path}" in result.output
    document = docx.Document(str(path))
    texts = [p.text for p in document.paragraphs]
    cells = [p.text for t in document.tables for r in t.rows for c in r.cells for p in c.paragraphs]
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in cells
    assert "Độc lập - Tự do - Hạnh phúc" in cells
    assert "Số:      /BC-BCĐ" in cells
    assert "Kết quả xây dựng, nhân rộng mô hình, điển hình tiên tiến năm 2026" in texts
    section = document.sections[0]
    # A4 (stored in twentieths of a point: within 0.1 mm)
    assert abs(section.page_width.mm - 210) < 0.1 and abs(section.page_height.mm - 297) < 0.1
    assert Mm(30) <= section.left_margin <= Mm(35)
    assert Mm(15) <= section.right_margin <= Mm(20)
    assert Mm(20) <= section.top_margin <= Mm(25)
    assert Mm(20) <= section.bottom_margin <= Mm(25)
    normal = document.styles["Normal"].font
    assert normal.name == "Times New Roman" and Pt(13) <= normal.size <= Pt(14)
    # the field table holds the workbook's numbers, row for row
    fields = sheet(decisions, 2026, "Theo lĩnh vực")
    table = next(t for t in document.tables if t.rows[0].cells[0].text == "Lĩnh vực")
    in_word = [[c.text for c in row.cells] for row in table.rows]
    assert in_word == [[str(v) for v in row] for row in fields]
    assert (
        "Kết quả xếp loại 4 mô hình năm 2026: Tốt 3 (75%); Khá 1 (25%); Trung bình 0 (0%); "
        "Yếu 0 (0%); Chưa xếp loại 0 (Phụ lục 1)." in texts
    )
    # the decision audit: exactly the two models of the tab Đối chiếu xếp loại, by unit
    audit = next(t for t in document.tables if t.rows[0].cells[-1].text == "Đối chiếu, lưu ý")
    assert [[c.text for c in row.cells][:4] for row in audit.rows[1:]] == [
        ["Công an xã U1"] * 4,
        ["1", "Tổ tự quản thôn 1", "Khá", "Tốt"],
        ["Công an xã U2"] * 4,
        ["2", "Tổ tự quản thôn 1", "Tốt", "Khá"],
    ]
    (sent,) = [m for m in outbox(decisions) if "Bảng tổng hợp" in m["Subject"]]
    attached = {a.get_filename(): a.get_content() for a in sent.iter_attachments()}
    assert attached["bao-cao-2026.docx"] == path.read_bytes()
    assert "tong-hop-2026.xlsx" in attached


@both
def test_a_preview_consolidation_drafts_no_report(decisions: Path, cli: Cli) -> None:
    cli("consolidate", "--workspace", decisions, "--today", "2026-11-01")
    assert not (decisions / "reports" / "bao-cao-2026.docx").exists()
