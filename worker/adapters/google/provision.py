"""A new unit's spreadsheet: made in the units' folder, laid out from sheet_templates/, shared
with the unit's coordinators, its address written into the registry."""

from __future__ import annotations

from gspread.http_client import HTTPClient

from worker.adapters.google import bodies, drive
from worker.adapters.google.auth import Account
from worker.adapters.google.errors import FAILURES
from worker.adapters.google.read import SHEET_URL, Reader, sheet_key
from worker.core.errors import ConfigError
from worker.core.evaluate import Unit
from worker.core.layout import load


class Provisioner:
    def __init__(self, account: Account, reader: Reader) -> None:
        self.account = account
        self.reader = reader

    def provision(self, unit: Unit) -> str:
        """A new unit spreadsheet laid out from sheet_templates/, shared with the coordinators,
        its address written into the registry. Five requests and one per coordinator."""
        settings = self.account.settings
        if not settings.folder:
            raise ConfigError(
                "Cần cấu hình [google] folder (thư mục Drive của bảng tính các đơn "
                "vị) để tạo bảng tính mới"
            )
        registry = sheet_key(settings.registry)
        http = self.account.creating()
        key = self._unit_sheet(http, unit)
        try:
            for email in unit.emails:
                drive.share(http, key, email, notify=True)
        except FAILURES as exc:
            raise self.account.fail(exc, key, f"bảng tính mới của đơn vị {unit.unit_id}") from None
        url = SHEET_URL + key
        if registry not in self.reader.meta:
            self.reader.read(registry)
        try:
            # the same cell written twice holds the same: nothing to read back before resending
            self.account.retries.settle(lambda: self._register(registry, unit, url), lambda: None)
        except FAILURES as exc:
            named = f"danh mục đơn vị ([google] registry = '{settings.registry}')"
            raise self.account.fail(exc, registry, named) from None
        return url

    def _register(self, registry: str, unit: Unit, url: str) -> None:
        """`url` written in the unit's cell of the registry (its column Bảng tính)."""
        tab = load("registry").tab("units").name
        row, col = bodies.a1_index(unit.sheet_cell)
        start = {
            "sheetId": self.reader.meta[registry].ids[tab],
            "rowIndex": row,
            "columnIndex": col,
        }
        self.account.http.batch_update(
            registry,
            {
                "requests": [
                    {
                        "updateCells": {
                            "start": start,
                            "rows": [{"values": bodies.cells([url])}],
                            "fields": "userEnteredValue",
                        }
                    }
                ]
            },
        )

    def _unit_sheet(self, http: HTTPClient, unit: Unit) -> str:
        """The unit's new spreadsheet, laid out: found again by the property set when it was
        created (a provisioning that failed half way is resumed, never duplicated)."""
        tag = {"mohinh_unit": unit.unit_id}
        name = f"Mô hình, điển hình — {unit.name}"
        key = drive.tagged_file(self.account, http, "folder", tag, name)
        title = load("unit").results_tab or ""
        self.reader.read(key, grid=False)

        def lay_out() -> None:
            if title not in self.reader.meta[key].ids:  # not laid out yet (one batch)
                layout = bodies.unit_sheet_layout(self.account.email)
                http.batch_update(key, {"requests": layout})

        try:
            self.account.retries.settle(lay_out, lambda: self.reader.read(key, grid=False))
        except FAILURES as exc:
            raise self.account.fail(exc, key, f"bảng tính mới của đơn vị {unit.unit_id}") from None
        return key
