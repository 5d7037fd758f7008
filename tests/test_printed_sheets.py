"""Workbooks as printed (issue 19, item 4): a unit's workbook from the template, with its Kết
quả, and the consolidation, printed to PDF by LibreOffice and read back — every page A4
landscape, each table's header row above its rows on every page it goes on to, and no printed
character under 9 points (pdfminer.six gives each one's size)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

import openpyxl
import pytest
from click.testing import Result
from pdfminer.high_level import extract_pages
from pdfminer.layout import LTChar, LTItem

from tests.conftest import good_unit
from tests.rendering import layout_text, needs_office, page_count, to_pdf
from worker.adapters.xlsx.pages import paginate
from worker.core.layout import MAX_PRINT_WIDTH, load
from worker.core.results import Grid

Cli = Callable[..., Result]
A4_LANDSCAPE = (842, 595)  # points, rounded
SMALLEST = 9.0
# A table's rows, and the header line above them: "Mã mô" may wrap before "hình"
TABLES = {
    "models": (re.compile(r"^\s*MH-\d{3}\b"), re.compile(r"\bMã mô\b")),
    "exemplars": (re.compile(r"^\s*ĐH-\d{2}\b"), re.compile(r"\bMã điển\b")),
    "errors": (re.compile(r"^\s*Chỉ tiêu\s+[A-Z]{1,2}\d+\b"), re.compile(r"^\s*Tab\s+Ô\b")),
}


def characters(item: LTItem) -> Iterator[LTChar]:
    if isinstance(item, LTChar):
        yield item
    elif hasattr(item, "__iter__"):
        for child in item:
            yield from characters(child)


def pages_printed(pdf: Path) -> list[tuple[tuple[int, int], float]]:
    """Each page's size (points) and the size of its smallest printed character."""
    return [
        (
            (round(page.width), round(page.height)),
            min(c.size for c in characters(page) if c.get_text().strip()),
        )
        for page in extract_pages(str(pdf))
    ]


def headers_missing(pdf: Path) -> list[str]:
    """Pages where a table's rows come with no header line above them on that page."""
    missing = []
    for number in range(1, page_count(pdf) + 1):
        lines = layout_text(pdf, number).splitlines()
        for table, (row, header) in TABLES.items():
            first = next((n for n, line in enumerate(lines) if row.search(line)), None)
            if first is not None and not any(header.search(line) for line in lines[:first]):
                missing.append(f"trang {number}: {table}")
    return missing


@pytest.fixture
def big_unit(workspace: Callable[..., Path], cli: Cli) -> Path:
    """A unit of 45 models, its Kết quả written, with 40 data errors (a target planned at 0)."""
    rows = good_unit(45)
    for target in rows["targets"][:40]:
        target["planned"] = 0
    root = workspace(("U1", rows, "a@example.gov.vn"))
    assert cli("sync", "--workspace", root, "--today", "2026-10-29").exit_code == 0
    return root / "units" / "u1.xlsx"


def test_every_layout_is_narrow_enough_to_print_at_9_points() -> None:
    unit, consolidated = load("unit"), load("consolidated")
    widths = {tab.name: sum(c.width for c in tab.columns) for tab in unit.tabs}
    widths |= {s.title: sum(s.widths) for s in (*unit.sections, *consolidated.sections)}
    assert {name: w for name, w in widths.items() if w > MAX_PRINT_WIDTH} == {}


def test_the_results_tab_repeats_each_tables_header_on_the_pages_it_goes_on_to(
    big_unit: Path,
) -> None:
    ws = openpyxl.load_workbook(big_unit)["Kết quả"]
    breaks = [b.id for b in ws.row_breaks.brk]
    assert len(breaks) >= 2  # 45 models and 40 errors: three pages at least
    # a page that opens on the blank row before a table opens on its title
    tops = [
        tuple(c.value for c in ws[row + 1 + (ws.cell(row + 1, 1).value is None)])[:3]
        for row in breaks
    ]
    sections = load("unit").sections
    headers = {s.headers[:3] for s in sections}
    titles = re.compile("^(" + "|".join(s.title for s in sections) + r") \(\d+\)$")
    # each page opens on a table's header, or on the title of the table it begins
    assert [t for t in tops if t not in headers and not titles.match(str(t[0]))] == []
    assert tops.count(sections[0].headers[:3]) >= 2  # the models go on over pages
    assert ws.print_title_rows == "$1:$2"


def test_a_results_tab_over_pages_is_not_written_again_when_nothing_changed(
    big_unit: Path, cli: Cli
) -> None:
    before = big_unit.read_bytes()
    again = cli("sync", "--workspace", big_unit.parents[1], "--today", "2026-10-29")
    assert "0 cập nhật tab Kết quả, 1 không đổi" in again.output  # the header copies aside
    assert big_unit.read_bytes() == before


def test_paging_keeps_every_row_in_order_and_a_tables_start_together() -> None:
    rows: list[list[object]] = [["Kết quả"], ["Cập nhật lúc"]]
    titles, headers = {0}, set()
    for table in ("A", "B"):
        rows.append([])
        titles.add(len(rows))
        rows.append([f"Bảng {table}"])
        headers.add(len(rows))
        rows.append([f"Mã {table}", "Tên"])
        rows += [[f"{table}-{n}", "x " * 40] for n in range(60)]
    grid, breaks = paginate(Grid(rows, titles, headers, widths=(10, 20), head=2))
    assert len(breaks) >= 4  # 120 rows of three lines: pages enough to go on from
    assert [row for row in grid.rows if row and row[0] not in ("Mã A", "Mã B")] == [
        row for row in rows if row and row[0] not in ("Mã A", "Mã B")
    ]
    opening = [end for end in breaks if grid.rows[end][:1] in (["Mã A"], ["Mã B"])]
    assert len(grid.headers) == 2 + len(opening)  # the copies: one atop each page going on
    for end in breaks:
        top = end + (not grid.rows[end])  # the blank row before a table: its title next
        assert top in grid.headers or top in grid.titles, grid.rows[top]  # a header opens it
        assert end - 1 not in grid.headers and end - 1 not in grid.titles  # none left alone


@needs_office
def test_a_unit_workbook_prints_landscape_at_9_points_with_headers_on_every_page(
    big_unit: Path, tmp_path: Path
) -> None:
    pdf = to_pdf(big_unit, tmp_path)
    printed = pages_printed(pdf)
    assert {size for size, _ in printed} == {A4_LANDSCAPE}
    assert min(smallest for _, smallest in printed) >= SMALLEST, printed
    assert headers_missing(pdf) == []
    # every tab one page wide: each page shows its first column, or Kết quả's title
    first = re.compile(r"\bMã (mô|điển)|Kết quả đánh giá")
    pages = range(1, len(printed) + 1)
    assert [n for n in pages if not first.search(layout_text(pdf, n))] == []


@needs_office
def test_the_consolidation_prints_at_9_points_its_units_added_up_blank_where_not_read(
    workspace: Callable[..., Path], cli: Cli, tmp_path: Path
) -> None:
    root = workspace(("U1", good_unit(3), "a@example.gov.vn"), ("U2", None, "b@example.gov.vn"))
    cli("run", "--once", "--workspace", root, "--today", "2026-11-16")
    path = root / "reports" / "tong-hop-2026.xlsx"
    units = openpyxl.load_workbook(path)["Tổng hợp đơn vị"]
    header = [c.value for c in units[2]]
    rows = {r[0]: dict(zip(header, r, strict=True)) for r in units.iter_rows(3, values_only=True)}
    assert rows["U1"]["Số mô hình"] == 3 and rows["U1"]["Tốt"] == 3
    assert rows["U2"]["Số mô hình"] is None and rows["U2"]["Tốt"] is None  # blank, not 0
    assert rows["U2"]["Tình trạng bảng tính"] == "Không đọc được"
    assert rows["Tổng cộng"]["Số mô hình"] == 3 and rows["Tổng cộng"]["Tên đơn vị"] == "2 đơn vị"
    printed = pages_printed(to_pdf(path, tmp_path))
    assert {size for size, _ in printed} == {A4_LANDSCAPE}
    assert min(smallest for _, smallest in printed) >= SMALLEST, printed
