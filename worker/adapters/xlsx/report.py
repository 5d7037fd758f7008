"""The consolidated workbook as an .xlsx file (openpyxl: the right tool to build a new workbook)."""

from __future__ import annotations

import io
from pathlib import Path

from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.pagebreak import Break

from worker.adapters.xlsx.workbook import (
    bar_chart,
    fill,
    new_workbook,
    print_setup,
    save_atomically,
)
from worker.core.backend import Report
from worker.core.tabs import column_letter

# A table of at most this many rows and its chart share a printed page
ROWS_BESIDE_CHART = 8


def write_report(folder: Path, report: Report) -> Path:
    """A new workbook `<folder>/<name>.xlsx`, written atomically; returns its path."""
    path = folder / f"{report.name}.xlsx"
    save_atomically(_workbook(report), path)
    return path


def report_bytes(report: Report) -> bytes:
    """The same workbook as bytes, written nowhere (a digest attaches it)."""
    out = io.BytesIO()
    _workbook(report).save(out)
    return out.getvalue()


def _workbook(report: Report) -> Workbook:
    """Each tab prints on A4 landscape, its title and header rows atop every page; a chart sits
    below its table (covering no data) and leaves the total row out."""
    wb = new_workbook(write_only=True)  # streamed: thousands of units' rows, none kept
    wb.properties.title = report.title
    grids = dict(report.tabs)
    for tab_name, grid in report.tabs:
        ws = wb.create_sheet(tab_name)
        # what a streamed sheet writes before its rows is set before them
        ws.freeze_panes = f"A{grid.head + 1}"
        print_setup(ws, grid.head)
        fill(ws, grid)
        table, width = grid.table(), max((len(r) for r in grid.rows), default=0)
        if grid.headers and width:
            # the filter (and a sort through it) spans the header and data rows: not the title,
            # nor a total row, which would be sorted among the units
            ws.auto_filter.ref = (
                f"A{max(grid.headers) + 1}:{column_letter(width)}{max(table.stop, 1)}"
            )
    for chart in report.charts:
        grid = grids[chart.tab]
        table = grid.table()
        if len(table) > ROWS_BESIDE_CHART:  # the chart starts a page rather than split on two
            wb[chart.tab].row_breaks.append(Break(id=len(grid.rows) + 1))
        bar_chart(
            wb[chart.tab],
            chart.title,
            range(table.start + 1, table.stop + 1),
            chart.categories,
            range(chart.first, chart.last + 1),
            f"A{len(grid.rows) + 2}",
        )
    return wb
