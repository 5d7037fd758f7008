"""The consolidated workbook as an .xlsx file (openpyxl: the right tool to build a new workbook)."""

from __future__ import annotations

from pathlib import Path

from worker.backend import Report
from worker.xlsx import bar_chart, fill, new_workbook, save_atomically


def write_report(folder: Path, report: Report) -> Path:
    """A new workbook `<folder>/<name>.xlsx`, written atomically; returns its path."""
    wb = new_workbook()
    wb.properties.title = report.title
    for tab_name, grid in report.tabs:
        ws = wb.create_sheet(tab_name)
        fill(ws, grid)
        ws.freeze_panes = "A2"
        if grid.rows and grid.rows[0]:
            ws.auto_filter.ref = ws.dimensions
    for chart in report.charts:
        ws = wb[chart.tab]
        anchor = f"{chr(ord('A') + min(chart.last + 1, 25))}2"
        bar_chart(
            ws, chart.title, ws.max_row - 1, chart.categories, chart.first, chart.last, anchor
        )
    path = folder / f"{report.name}.xlsx"
    save_atomically(wb, path)
    return path
