"""The Google backend: unit spreadsheets in Google Sheets, read and written through gspread.

Cost is counted in API requests (60 a minute per service account): a unit costs one request to
read (`spreadsheets.get` with its grid data, locale-free values), none when Drive says it has not
changed since the last good read, and one `batchUpdate` to write its protected Kết quả tab. A
sheet Drive lists at the version its results were kept at is not even evaluated again.

`GoogleBackend` keeps the `Backend` promises by handing each to the collaborator that does it:
`auth` (the key, the clients, the quota; its sessions given by the wiring), `read` and `changes`
(reading, and the read cache Drive's listing keeps true), `write` (the Kết quả tab), `publish`
and `upload` (the report and its .docx), `provision` (new unit sheets). Request bodies are built
by the pure `bodies`; Google's errors are said as the worker's by `errors`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from worker.adapters.google.auth import Account, SessionFactory
from worker.adapters.google.changes import Changes
from worker.adapters.google.memory import Memory
from worker.adapters.google.provision import Provisioner
from worker.adapters.google.publish import Publisher
from worker.adapters.google.read import Reader, sheet_key
from worker.adapters.google.retries import Pace
from worker.adapters.google.write import Writer
from worker.core.backend import Published, Report
from worker.core.errors import SheetError
from worker.core.evaluate import Unit
from worker.core.results import Grid
from worker.core.settings import GoogleSettings
from worker.core.tabs import Rows


class GoogleBackend:
    def __init__(
        self,
        settings: GoogleSettings,
        cache: Memory,
        staff: Sequence[str],
        local_copy: Callable[[Report], Published],
        local_workbook: Callable[[Report], bytes],
        sessions: SessionFactory,
        pace: Pace | None = None,
    ) -> None:
        """`local_copy` writes the report's .xlsx (attached to the email) and its drafted
        annual report (.docx) in reports/, and says where; `local_workbook` makes the .xlsx's
        bytes, written nowhere (as the local backend does); `sessions` opens the HTTP sessions
        of the service account's clients (google-auth's in production); `pace` is the clock
        its quota and retries keep (real time unless a test shares one with its server)."""
        account = Account(settings, sessions, pace)
        reader = Reader(account)
        self.account = account
        self.changes = Changes(account, reader, cache)
        self.writer = Writer(account, reader, cache)
        self.publisher = Publisher(account, cache, staff, local_copy)
        self.provisioner = Provisioner(account, reader)
        self.reader = reader
        self.notices = self.changes.notices  # what went wrong beyond one unit, told after the run
        self.quota = account.quota
        self.client = account.client  # gspread's client, as the backend holds it
        self.local_workbook = local_workbook

    def read_registry(self) -> Mapping[str, Rows]:
        return self.reader.registry()

    def read_unit(self, unit: Unit, force: bool = False) -> Mapping[str, Rows]:
        return self.changes.read_unit(unit, force)

    def sheet_identity(self, unit: Unit) -> str:
        """The spreadsheet's ID (a reference that is none is the read's to report); the
        registry's own is refused."""
        try:
            key = sheet_key(unit.sheet)
        except SheetError:
            return unit.sheet.strip()
        if key == sheet_key(self.account.settings.registry):
            raise SheetError(
                "là bảng tính danh mục đơn vị, không phải bảng tính của đơn vị",
                fix="ghi đường dẫn bảng tính Google Sheets của đơn vị",
            )
        return key

    def sheet_version(self, unit: Unit) -> str | None:
        """The sheet's version in the run's one Drive listing (no other request)."""
        try:
            key = sheet_key(unit.sheet)
        except SheetError:
            return None
        listed = self.changes.listed().get(key)
        return None if listed is None else listed.version

    def written_version(self, unit: Unit, read: str) -> str | None:
        """Never told: a unit's edit made between our read and our write is in the version our
        write leaves. The next run evaluates the sheet again from the copy our write's answer
        gave (`Changes.after_writes`): no request, and the result is kept then."""
        return None

    def write_results(self, unit: Unit, grid: Grid) -> str:
        return self.writer.write_results(unit, grid)

    def tab_ids(self, unit: Unit) -> Mapping[str, int]:
        return self.changes.tab_ids(unit)

    def after_writes(self, units: Sequence[Unit]) -> None:
        self.changes.after_writes(units, self.writer.written)

    def publish_report(self, report: Report) -> Published:
        return self.publisher.publish_report(report)

    def workbook(self, report: Report) -> bytes:
        """The .xlsx as the local backend makes it: nothing on Google to read or write."""
        return self.local_workbook(report)

    def provision(self, unit: Unit) -> str:
        return self.provisioner.provision(unit)
