"""The local backend: a workspace folder of .xlsx workbooks (SPEC §7), no account needed."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from worker.backend import Chart, SheetError
from worker.config import ConfigError, Settings
from worker.evaluate import Unit
from worker.layout import load
from worker.results import Grid
from worker.validation import Rows
from worker.xlsx import (
    bar_chart,
    fill,
    new_workbook,
    read_tabs,
    replace_tab,
    save_atomically,
    set_cell,
    write_workbook,
)


class LocalBackend:
    """Reads and writes the workbooks of one workspace folder."""

    def __init__(self, settings: Settings) -> None:
        self.root = settings.root
        self.registry_path = self.root / settings.registry

    def read_registry(self) -> Mapping[str, Rows]:
        try:
            return read_tabs(self.registry_path)
        except SheetError as exc:
            raise ConfigError(
                f"Không đọc được danh mục đơn vị ([workspace] registry = "
                f"'{self.registry_path.name}'): {exc}"
            ) from None

    def path(self, unit: Unit) -> Path:
        return self.root / unit.sheet

    def read_unit(self, unit: Unit, force: bool = False) -> Mapping[str, Rows]:
        """The unit's tabs (always read: a file costs no quota); raises SheetError."""
        return read_tabs(self.path(unit))

    def write_results(self, unit: Unit, grid: Grid) -> str:
        """Replace the unit's Kết quả tab; raises SheetError when it cannot be written."""
        replace_tab(self.path(unit), load("unit").results_tab or "", grid)
        return str(self.path(unit))

    def provision(self, unit: Unit) -> str:
        """A new workbook units/<ID>.xlsx from the template, its path written into the registry."""
        relative = f"units/{unit.unit_id.lower()}.xlsx"
        path = self.root / relative
        if path.exists():
            raise SheetError(f"tệp {relative} đã có: không ghi đè")
        write_workbook(path, load("unit"))
        set_cell(self.registry_path, load("registry").tab("units").name, unit.sheet_cell, relative)
        return relative

    def after_writes(self, units: Sequence[Unit]) -> None:
        """Files need no bookkeeping after a write: their next read sees what was written."""
        return None

    def publish_report(
        self, name: str, tabs: Sequence[tuple[str, Grid]], charts: Sequence[Chart], title: str
    ) -> str | None:
        """Nothing beyond the .xlsx in reports/: that file is the local report."""
        return None


def write_report(
    folder: Path, name: str, tabs: Sequence[tuple[str, Grid]], charts: Sequence[Chart], title: str
) -> str:
    """A new workbook `<folder>/<name>.xlsx`, written atomically; returns its path."""
    wb = new_workbook()
    wb.properties.title = title
    for tab_name, grid in tabs:
        ws = wb.create_sheet(tab_name)
        fill(ws, grid)
        ws.freeze_panes = "A2"
        if grid.rows and grid.rows[0]:
            ws.auto_filter.ref = ws.dimensions
    for chart in charts:
        ws = wb[chart.tab]
        anchor = f"{chr(ord('A') + min(chart.last + 1, 25))}2"
        bar_chart(
            ws, chart.title, ws.max_row - 1, chart.categories, chart.first, chart.last, anchor
        )
    path = folder / f"{name}.xlsx"
    save_atomically(wb, path)
    return str(path)
