"""The local backend: a workspace folder of .xlsx workbooks (SPEC §7), no account needed."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path

from worker.adapters.files import remove_leftovers, sync_folders
from worker.adapters.word.report import write_document
from worker.adapters.xlsx.read import read_tabs
from worker.adapters.xlsx.report import report_bytes, write_report
from worker.adapters.xlsx.workbook import set_cell, write_workbook
from worker.adapters.xlsx.write import write_tab
from worker.core.backend import Published, Report
from worker.core.errors import ConfigError, SheetError
from worker.core.evaluate import Unit
from worker.core.layout import load
from worker.core.results import Grid
from worker.core.settings import BACKUPS, LOGS, OUTBOX, REPORTS, STATE, Settings
from worker.core.tabs import Rows

# What releases before the one atomic write left when killed (tempfile.mkstemp's names): a
# workbook's or report's .<stem>-<8 random>.xlsx beside <stem>.xlsx; a report's .<8 random>.docx,
# a message's .<8 random>.eml; a backup's .state-<stamp>.sqlite.tmp.
_OLDER_TEMP = re.compile(
    r"^\.(?:(?P<stem>.+)-[a-z0-9_]{8}\.xlsx|[a-z0-9_]{8}\.(?:docx|eml)|state-[0-9-]+\.sqlite\.tmp)$"
)


def older_temp(path: Path) -> bool:
    found = _OLDER_TEMP.match(path.name)
    if found is None:
        return False
    return found["stem"] is None or path.with_name(f"{found['stem']}.xlsx").is_file()


class LocalBackend:
    """Reads and writes the workbooks of one workspace folder."""

    def __init__(self, settings: Settings) -> None:
        self.root = settings.root
        self.registry_path = self.root / settings.registry
        self.reports = self.root / REPORTS
        self.notices: list[str] = []  # nothing goes wrong beyond one file here
        self.unsynced: set[Path] = set()  # folders of workbooks written, not yet flushed
        # unit ID -> the workbook's version just before and just after this run wrote it
        self._writes: dict[str, tuple[str | None, str | None]] = {}
        self._own_paths: tuple[dict[Path, str], dict[Path, str]] | None = None

    def read_registry(self) -> Mapping[str, Rows]:
        try:
            return read_tabs(self.registry_path)
        except SheetError as exc:
            raise ConfigError(
                f"Không đọc được danh mục đơn vị ([workspace] registry = "
                f"'{self.registry_path.name}'): {exc}"
            ) from None

    def path(self, unit: Unit) -> Path:
        """The unit's workbook; a path that leads outside the workspace (absolute, `..`, a
        symbolic link out) is refused, so that no run reads or writes elsewhere."""
        path = self.root / unit.sheet
        if not path.resolve().is_relative_to(self.root.resolve()):
            where = f"ô {unit.sheet_cell} của " if unit.sheet_cell else ""
            raise SheetError(
                f"đường dẫn '{unit.sheet}' ({where}cột Bảng tính, tab "
                f"{load('registry').tab('units').name}) dẫn ra ngoài thư mục làm việc: chép tệp "
                f"vào thư mục units/ và ghi đường dẫn tương đối, ví dụ "
                f"units/{unit.unit_id.lower()}.xlsx",
                province_side=True,
            )
        return path

    def sheet_identity(self, unit: Unit) -> str:
        """The unit's workbook as its real path (links and `..` resolved): two rows naming one
        file by two paths name one file. Raises SheetError when that file is one of the
        workspace's own: the registry, the state, or a file in reports/, outbox/, logs/ or
        backups/ (a Kết quả tab would be written into it)."""
        real = (self.root / unit.sheet).resolve()
        own, folders = self._own()
        what = own.get(real) or next(
            (w for f, w in folders.items() if real.is_relative_to(f)), None
        )
        if what is not None:
            raise SheetError(
                f"trỏ vào {what}, không phải bảng tính của đơn vị",
                fix=f"ghi đường dẫn tệp của đơn vị, ví dụ units/{unit.unit_id.lower()}.xlsx",
            )
        return str(real)

    def _own(self) -> tuple[dict[Path, str], dict[Path, str]]:
        """The workspace's own files and folders (real paths), and what each is: resolved once
        a run, not once a unit."""
        if self._own_paths is not None:
            return self._own_paths
        root = self.root.resolve()
        own = {
            self.registry_path.resolve(): "danh mục đơn vị",
            root / STATE: "tệp trạng thái của phần mềm",
        }
        folders = {
            root / name: f"thư mục {name}/ của phần mềm"
            for name in (REPORTS, OUTBOX, LOGS, BACKUPS)
        }
        self._own_paths = own, folders
        return self._own_paths

    def remove_leftovers(self) -> list[Path]:
        """Temp files a killed run left beside the workbooks, reports, messages and backups:
        removed at start."""
        folders = {
            self.root,
            self.root / "units",
            self.reports,
            self.root / OUTBOX,
            self.root / BACKUPS,
            self.registry_path.parent,
        }
        return [
            p
            for folder in sorted(folders)
            if folder.is_dir()
            for p in remove_leftovers(folder, older_temp)
        ]

    def read_unit(self, unit: Unit, force: bool = False) -> Mapping[str, Rows]:
        """The unit's tabs (always read: a file costs no quota); raises SheetError. A file not
        found is the province's to find: the unit, which sent it, cannot act on that."""
        path = self.path(unit)
        if not path.is_file():
            cell = unit.sheet_cell or "Bảng tính"
            raise SheetError(
                f"không tìm thấy tệp {unit.sheet} (ô {cell} của cột Bảng tính, tab "
                f"{load('registry').tab('units').name})",
                fix=f"chép tệp của đơn vị vào đường dẫn này hoặc sửa ô {cell}; thư nhắc đơn vị "
                "chờ đến khi đọc được tệp",
                province_side=True,
            )
        return read_tabs(path)

    def sheet_version(self, unit: Unit) -> str | None:
        """The workbook's size, mtime (ns) and inode: a save by any program changes one of them
        (an atomic save makes a new inode even within the same nanosecond)."""
        try:
            # As the path leads (a link followed): whatever it leads to next is another file.
            # A path that leads out of the workspace is never read, so never kept.
            found = (self.root / unit.sheet).stat()
        except OSError:
            return None  # not there: the read says why
        return f"{found.st_size}:{found.st_mtime_ns}:{found.st_ino}"

    def written_version(self, unit: Unit, read: str) -> str | None:
        """The workbook as our write left it, when it was still the file read just before
        that write (an edit between the read and the write is in neither the results nor the
        version: it is read next time)."""
        before, after = self._writes.get(unit.unit_id, (None, None))
        return after if before == read else None

    def write_results(self, unit: Unit, grid: Grid) -> str:
        """Replace the unit's Kết quả tab; raises SheetError when it cannot be written. The
        workbook is on the disk before its rename; its folder is flushed once for the run's
        writes, by `after_writes` (files.py says what that gives up). The file's version is
        taken just before and just after: what the next run compares with."""
        before = self.sheet_version(unit)
        written = write_tab(self.path(unit), load("unit").results_tab or "", grid, False)
        self.unsynced.add(written.parent)
        self._writes[unit.unit_id] = (before, self.sheet_version(unit))
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

    def tab_ids(self, unit: Unit) -> Mapping[str, int]:
        """A file has no tab IDs to link to: the digest names the file."""
        return {}

    def after_writes(self, units: Sequence[Unit]) -> None:
        """The folders of the workbooks written flushed, once each: their renames made durable.
        Nothing else: a file's next read sees what was written."""
        sync_folders(self.unsynced)
        self.unsynced.clear()

    def publish_report(self, report: Report) -> Published:
        """The .xlsx in reports/: on this backend, that file is the report; and the drafted
        annual report (.docx) beside it, when the report has one."""
        document = write_document(self.reports, report.document) if report.document else None
        return Published(write_report(self.reports, report), document=document)

    def workbook(self, report: Report) -> bytes:
        return report_bytes(report)
