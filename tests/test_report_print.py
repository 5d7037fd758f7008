"""The annual report as printed (issue 19, item 1): drafted by a run on the consolidation day,
printed to PDF by LibreOffice, and measured on the page against Nghị định 30/2020/NĐ-CP, Phụ
lục I — the national title on one line, the rules under the motto, the issuing body and the
summary, the first-line indent, page numbers from page 2, the signature block. Times New Roman
prints as Liberation Serif where it is not installed: the same widths, by design."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import docx
import pytest
from click.testing import Result
from docx.enum.text import WD_COLOR_INDEX
from docx.shared import Mm, Pt

from tests.conftest import good_unit
from tests.rendering import Word, gray, layout_text, needs_office, page_count, to_pdf, words
from worker.adapters.word.report import layout

Cli = Callable[..., Result]
NATION = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
REPORT = """
[report]
parent = "UBND TỈNH BÌNH THUẬN"
issuer = "BAN CHỈ ĐẠO PHONG TRÀO TOÀN DÂN BẢO VỆ AN NINH TỔ QUỐC TỈNH"
place = "Bình Thuận"
symbol = "BC-BCĐ"
authority = "TM. BAN CHỈ ĐẠO"
title = "TRƯỞNG BAN"
signer = "Trần Văn Mẫu"
recipients = ["Ban Chỉ đạo Trung ương (Cục V05 - Bộ Công an)", "UBND tỉnh"]
archive = "VT, PV01"
"""


@pytest.fixture
def report(workspace: Callable[..., Path], cli: Cli) -> Path:
    root = workspace(*[(f"U{n}", good_unit(n + 1), f"u{n}@example.gov.vn") for n in (1, 2, 3)])
    config = root / "config.toml"
    config.write_text(config.read_text("utf-8") + REPORT, "utf-8")
    result = cli("run", "--once", "--workspace", root, "--today", "2026-11-16")
    assert result.exit_code == 0, result.output
    return root / "reports" / "bao-cao-2026.docx"


def test_the_report_is_set_as_the_decree_asks_in_its_file(report: Path) -> None:
    document = docx.Document(str(report))
    section = document.sections[0]
    assert section.different_first_page_header_footer
    assert "PAGE" in section.header._element.xml  # the page number atop pages 2, 3, …
    assert not "".join(p.text for p in section.first_page_header.paragraphs)
    properties = document.core_properties
    assert properties.author == "BAN CHỈ ĐẠO PHONG TRÀO TOÀN DÂN BẢO VỆ AN NINH TỔ QUỐC TỈNH"
    assert "python-docx" not in f"{properties.author} {properties.last_modified_by}"
    assert "python-docx" not in properties.comments
    head = document.tables[0]
    sizes = {
        p.text: (run.font.size, bool(run.bold), bool(run.italic))
        for cell in (c for row in head.rows for c in row.cells)
        for p in cell.paragraphs
        for run in p.runs[:1]
    }
    assert sizes[NATION] == (Pt(12), True, False)
    assert sizes[MOTTO] == (Pt(13), True, False)
    assert sizes["UBND TỈNH BÌNH THUẬN"] == (Pt(13), False, False)  # the parent body, not bold
    assert sizes["Số:      /BC-BCĐ"] == (Pt(13), False, False)
    assert sizes["Bình Thuận, ngày      tháng      năm 2026"] == (Pt(14), False, True)
    body = next(p for p in document.paragraphs if p.text.startswith("Ban Chỉ đạo tỉnh báo cáo"))
    fmt = body.paragraph_format
    assert Mm(10) <= fmt.first_line_indent <= Mm(12.7) and fmt.space_after >= Pt(6)
    assert body.alignment == 3  # justified
    # what the staff write is marked, and the body ends with "./."
    to_write = [
        p for p in document.paragraphs if p.text.startswith("[Thường trực Ban Chỉ đạo viết:")
    ]
    assert len(to_write) >= 6
    assert all(
        r.font.highlight_color == WD_COLOR_INDEX.YELLOW for p in to_write for r in p.runs[:1]
    )
    assert to_write[-1].text.endswith("]./.")
    texts = [p.text for t in document.tables for r in t.rows for c in r.cells for p in c.paragraphs]
    assert texts.index("TM. BAN CHỈ ĐẠO") + 1 == texts.index("TRƯỞNG BAN")
    assert "Trần Văn Mẫu" in texts
    recipients = texts[texts.index("Nơi nhận:") + 1 : texts.index("TM. BAN CHỈ ĐẠO")]
    assert recipients == [
        "- Ban Chỉ đạo Trung ương (Cục V05 - Bộ Công an);",
        "- UBND tỉnh;",
        "- Lưu: VT, PV01.",
    ]


def _line(found: list[Word], first: str, last: str) -> tuple[float, float, float]:
    """The left and right edge and the bottom of the printed line from word `first` to `last`."""
    start = next(w for w in found if w.text == first)
    end = next(w for w in found if w.text == last and abs(w.y0 - start.y0) < 2)
    return start.x0, end.x1, max(start.y1, end.y1)


@needs_office
def test_printed_the_national_title_holds_one_line_and_the_rules_are_as_long_as_asked(
    report: Path, tmp_path: Path
) -> None:
    pdf = to_pdf(report, tmp_path)
    first = layout_text(pdf, 1)
    assert any(NATION in line for line in first.splitlines())  # one line, not two
    assert any(MOTTO in line for line in first.splitlines())
    found = words(pdf, 1)
    page = gray(pdf, 1, tmp_path)
    # under the motto, a rule as long as the motto's line (within 3 %)
    left, right, bottom = _line(found, "Độc", "phúc")
    motto_rule = page.longest_rule(left - 20, right + 20, bottom, bottom + 8)
    assert abs(motto_rule - (right - left)) <= 0.03 * (right - left), (motto_rule, right - left)
    # under the issuing body and under the summary, 1/3 to 1/2 of their longest line
    number = next(w for w in found if w.text == "Số:")
    issuer = [w for w in found if w.x1 < left - 10 and w.y1 < number.y0]
    issuer_bottom = max(w.y1 for w in issuer)
    lines: dict[int, list[Word]] = {}
    for w in issuer:
        lines.setdefault(round(w.y0), []).append(w)
    widest = max(max(w.x1 for w in ws) - min(w.x0 for w in ws) for ws in lines.values())
    rule = page.longest_rule(0, left - 5, issuer_bottom, issuer_bottom + 8)
    assert widest / 3 <= rule <= widest / 2, (rule, widest)
    kind = next(w for w in found if w.text == "BÁO")
    summary = [w for w in found if kind.y1 < w.y0 < kind.y1 + 25]
    width = max(w.x1 for w in summary) - min(w.x0 for w in summary)
    summary_bottom = max(w.y1 for w in summary)
    rule = page.longest_rule(0, page.points(page.width) - 1, summary_bottom, summary_bottom + 8)
    assert width / 3 <= rule <= width / 2, (rule, width)


@needs_office
def test_printed_pages_are_numbered_atop_from_the_second_and_the_body_indented(
    report: Path, tmp_path: Path
) -> None:
    pdf = to_pdf(report, tmp_path)
    pages = page_count(pdf)
    assert pages >= 3
    numbers = []
    for page in range(1, pages + 1):
        top = min(words(pdf, page), key=lambda w: w.y0)
        numbers.append(top.text if top.y0 < 72 and top.text.isdigit() else None)
    assert numbers == [None, *(str(n) for n in range(2, pages + 1))]
    found = words(pdf, 2)
    left, right = min(w.x0 for w in found), max(w.x1 for w in found)
    number = min(found, key=lambda w: w.y0)
    assert abs((number.x0 + number.x1) / 2 - (left + right) / 2) < 15  # centred
    # the opening paragraph's first line starts 1–1.27 cm right of its next one
    first_page = words(pdf, 1)
    opening = next(w for w in first_page if w.text == "Ban" and w.x0 > 100)
    below = min((w for w in first_page if w.y0 > opening.y1), key=lambda w: (w.y0, w.x0))
    indent_mm = (opening.x0 - below.x0) * 25.4 / 72
    assert 10 <= indent_mm <= 12.8, indent_mm
    spec = layout()
    assert (spec["page"]["left"], spec["page"]["right"]) == (30, 16)
