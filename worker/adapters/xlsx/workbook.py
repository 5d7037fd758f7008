"""The .xlsx adapter (openpyxl): read tabs as plain rows, write tabs safely and atomically.

Text is always written as text: openpyxl turns a string starting with "=" into a formula unless
the cell is told otherwise, and a unit's text must never become one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from copy import copy
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.chart import BarChart, Reference
from openpyxl.chart.text import RichText
from openpyxl.comments import Comment
from openpyxl.drawing.text import CharacterProperties, Paragraph, ParagraphProperties
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils.indexed_list import IndexedList
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from worker.adapters.files import replacing
from worker.core.layout import TEMPLATE_ROWS, Layout, Tab
from worker.core.results import PERCENT_FORMAT, Grid, Percent, row_heights
from worker.core.tabs import column_letter

# Vietnamese administrative texts are set in Times New Roman (Nghị định 30/2020/NĐ-CP); its
# metrics are everywhere (Liberation Serif is LibreOffice's twin of it), so a tab prints the same
# in Excel and LibreOffice. A column's width is counted in the default font's digits.
FONT = Font(name="Times New Roman", size=11, family=1)
HEADER_FILL = PatternFill("solid", start_color="DDEBF7")
TITLE_FONT = Font(name=FONT.name, family=1, bold=True, size=12)
BOLD = Font(name=FONT.name, family=1, bold=True)
LABEL_SIZE = 1100  # a chart's labels, in hundredths of a point: FONT's 11
WRAPPED = Alignment(wrap_text=True, vertical="top")
YESNO = ("Có", "Không")


def put(cell: Any, value: Any) -> None:
    """Write a value; text stays text even when it starts with '='."""
    if value == "":
        cell.value = None  # an empty cell, not an empty text
    elif isinstance(value, str):
        cell.value = ILLEGAL_CHARACTERS_RE.sub("", value)
        cell.data_type = "s"
    else:
        cell.value = value
        if isinstance(value, date | datetime):
            cell.number_format = "DD/MM/YYYY"


def fill(ws: Worksheet | WriteOnlyWorksheet, grid: Grid) -> None:
    """The grid's values, titles, headers (bold, shaded, wrapped), totals (bold) and widths;
    body text wraps within its column, a Percent is a number formatted PERCENT_FORMAT.

    Rows are appended in order, after the widths, each after its height: a write-only sheet
    (the consolidation's, streamed) writes each row as it comes and keeps none, and writes an
    empty row as an empty <row> element (tests/test_report_stream.py)."""
    sheet: Any = ws  # the stubs lack the dimensions a write-only sheet has (Worksheet._setup)
    streamed = isinstance(ws, WriteOnlyWorksheet)
    if streamed:
        # openpyxl writes a sheet's <dimension> (its cells' rectangle, which readers such as
        # openpyxl's read-only mode go by) only where it can compute it: a streamed sheet
        # cannot before its rows, the grid can.
        sheet.calculate_dimension = lambda: _dimension(grid)
    for c, width in enumerate(grid.widths, start=1):
        sheet.column_dimensions[column_letter(c)].width = width
    heights = row_heights(grid)
    styles = _CellStyles(ws)
    for r, row in enumerate(grid.rows):
        if r in heights:  # a row's height is read as the row is written
            sheet.row_dimensions[r + 1].height = heights[r]
        title, header, total = r in grid.titles, r in grid.headers, r in grid.totals
        cells = []
        for c, value in enumerate(row):
            cell: Any = WriteOnlyCell(ws)
            put(cell, value)
            percent = isinstance(value, Percent)
            styles.give(cell, (title and c == 0, header, total, percent))
            cells.append(cell)
        ws.append(cells)
        if streamed:  # written: its height (some 300 bytes a row) is not needed again
            sheet.row_dimensions.pop(r + 1, None)


def _dimension(grid: Grid) -> str:
    """The rectangle of the cells `fill` makes, as Worksheet.calculate_dimension gives it."""
    filled = [r for r, row in enumerate(grid.rows, start=1) if row]
    if not filled:
        return "A1:A1"
    width = max(len(grid.rows[r - 1]) for r in filled)
    return f"A{filled[0]}:{column_letter(width)}{filled[-1]}"


class _CellStyles:
    """The few styles `fill` gives cells, each made once and copied: openpyxl looks a font or a
    fill up among the workbook's by hashing it whenever one is set on a cell."""

    def __init__(self, ws: Worksheet | WriteOnlyWorksheet) -> None:
        self.ws = ws
        self.made: dict[tuple[bool, bool, bool, bool, str], Any] = {}

    def give(self, cell: Any, kind: tuple[bool, bool, bool, bool]) -> None:
        key = (*kind, cell.number_format)
        if key not in self.made:
            self.made[key] = self._style(cell, *kind)
        cell._style = copy(self.made[key])  # as openpyxl's own WorksheetCopy copies a style

    def _style(self, cell: Any, title: bool, header: bool, total: bool, percent: bool) -> Any:
        model: Any = WriteOnlyCell(self.ws)
        model.number_format = cell.number_format
        if title:
            model.font = TITLE_FONT  # not wrapped: a title runs on over the empty cells
            return model._style
        model.alignment = WRAPPED
        if header:
            model.font, model.fill = BOLD, HEADER_FILL
        elif total:
            model.font = BOLD
        if percent:
            model.number_format = PERCENT_FORMAT
        return model._style


def print_setup(ws: Worksheet, head: int) -> None:
    """A4 landscape, as wide as the page and as many pages down as it takes, numbered, the
    first `head` rows repeated atop each page."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.page_margins = PageMargins(left=0.4, right=0.4, top=0.5, bottom=0.6)
    ws.oddFooter.center.text = "Trang &P/&N"  # type: ignore[union-attr]  # always made
    if head:
        ws.print_title_rows = f"1:{head}"


def write_file(wb: Workbook, path: Path) -> None:
    """The one place a workbook's bytes go to disk (a full disk fails here)."""
    wb.save(path)


def save_atomically(wb: Workbook, path: Path) -> None:
    """Save beside the target, then rename: a crash leaves the old file or the new, never half."""
    with replacing(path) as temp:
        write_file(wb, temp)


def template_tab(ws: Worksheet, tab: Tab, rows: Sequence[Sequence[Any]] = ()) -> None:
    """A tab laid out from `sheet_templates/`: headers with hints, dropdowns, formats, widths;
    printed as the consolidation is, its header row atop every page; text wraps in its column."""
    for c, column in enumerate(tab.columns, start=1):
        cell = ws.cell(1, c)
        put(cell, column.header)
        cell.font = BOLD
        cell.fill = HEADER_FILL
        cell.alignment = WRAPPED
        cell.comment = Comment(column.hint, "mohinh", width=260, height=90)
        letter = column_letter(c)
        ws.column_dimensions[letter].width = column.width
        span = f"{letter}2:{letter}{TEMPLATE_ROWS}"
        options = column.values or (YESNO if column.type == "yesno" else ())
        if options:
            rule = DataValidation(
                type="list",
                formula1='"' + ",".join(options) + '"',
                allow_blank=True,
                showErrorMessage=True,
                errorTitle=column.header,
                error="Chọn một giá trị trong danh sách: " + ", ".join(options),
            )
            rule.add(span)
            ws.add_data_validation(rule)
        number_format = {"date": "DD/MM/YYYY", "id": "@", "text": "@"}.get(column.type)
        if number_format:
            for r in range(2, max(len(rows) + 2, 50)):
                ws.cell(r, c).number_format = number_format
                ws.cell(r, c).alignment = WRAPPED  # Excel grows the row as the unit types
    for r, row in enumerate(rows, start=2):
        for c, value in enumerate(row, start=1):
            put(ws.cell(r, c), value)
    grid = Grid(
        [[c.header for c in tab.columns], *(list(row) for row in rows)],
        widths=tuple(c.width for c in tab.columns),
    )
    for r, height in row_heights(grid).items():
        ws.row_dimensions[r + 1].height = height
    ws.freeze_panes = "A2"
    print_setup(ws, 1)


def new_workbook(write_only: bool = False) -> Workbook:
    """A workbook of no sheet whose default font is FONT: openpyxl keeps it as the first font
    and as the Normal style's, where Excel and LibreOffice look for it (no public setter).
    `write_only`: its sheets stream their rows (openpyxl's write-only mode: a row is written as
    it is appended, and no cell is kept)."""
    wb = openpyxl.Workbook(write_only=write_only)
    if not write_only:
        wb.remove(wb.worksheets[0])
    wb._fonts = IndexedList([FONT])  # type: ignore[attr-defined]
    wb._named_styles["Normal"].font = copy(FONT)  # type: ignore[attr-defined]
    return wb


def bar_chart(
    ws: Worksheet, title: str, rows: range, categories: int, columns: range, at: str
) -> None:
    """A stacked bar chart of `columns` over `rows` (1-based; the series' names in the row just
    above), labelled by the `categories` column, its top left corner at the cell `at`."""
    if not rows:
        return
    chart = BarChart()
    chart.type, chart.grouping, chart.overlap = "bar", "stacked", 100
    # its labels at the tab's size (a chart's own is 10 points): printed at 9 or more as well
    size = CharacterProperties(sz=LABEL_SIZE)
    text = RichText(p=[Paragraph(pPr=ParagraphProperties(defRPr=size), endParaRPr=size)])
    chart.x_axis.txPr, chart.y_axis.txPr = text, text
    if chart.legend is not None:
        chart.legend.txPr = text
    chart.title = title
    chart.height, chart.width = max(7.5, 0.6 * len(rows) + 3), 24
    last = rows.stop - 1
    chart.add_data(
        Reference(
            ws,
            min_col=columns.start,
            max_col=columns.stop - 1,
            min_row=rows.start - 1,
            max_row=last,
        ),
        titles_from_data=True,
    )
    chart.set_categories(Reference(ws, min_col=categories, min_row=rows.start, max_row=last))
    ws.add_chart(chart, at)


def write_workbook(
    path: Path, layout: Layout, rows: Mapping[str, Sequence[Mapping[str, Any]]] | None = None
) -> None:
    """A workbook with every tab of `layout`; `rows` gives, per tab key, rows by column key."""
    wb = new_workbook()
    for tab in layout.tabs:
        ws = wb.create_sheet(tab.name)
        data = (rows or {}).get(tab.key, ())
        template_tab(ws, tab, [[row.get(c.key) for c in tab.columns] for row in data])
    save_atomically(wb, path)


def set_cell(path: Path, tab: str, cell: str, value: str) -> None:
    """Write one cell of one tab, as text, atomically; everything else is kept."""
    set_cells(path, tab, {cell: value})


def set_cells(path: Path, tab: str, values: Mapping[str, Any]) -> None:
    """Write cells of one tab (A1 address -> value, as `put` writes it), atomically, in one save;
    everything else is kept. Cells that already hold their values leave the file untouched."""
    wb = openpyxl.load_workbook(path)
    ws = wb[tab]
    if all(ws[cell].value == _as_held(value) for cell, value in values.items()):
        return
    for cell, value in values.items():
        put(ws[cell], value)
    save_atomically(wb, path)


def _as_held(value: Any) -> Any:
    """A value as openpyxl gives it back once `put`: "" an empty cell, a date a datetime."""
    if value == "":
        return None
    if isinstance(value, date) and not isinstance(value, datetime):
        return datetime.combine(value, time())
    return value
