"""What a spreadsheet backend promises the jobs: the `Backend` protocol and what it publishes.

Jobs and the workspace know a backend only through this protocol; `worker.app.wiring` picks the
implementation (`worker.adapters.local` for .xlsx files, `worker.adapters.google.backend` for
Google Sheets). Every promise here is tested on both by `tests/test_backend_contract.py`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Protocol

from worker.core.evaluate import Unit
from worker.core.results import Grid
from worker.core.tabs import Rows


@dataclass(frozen=True)
class Chart:
    """A stacked bar chart of one tab: columns first..last by the `categories` column."""

    tab: str  # the tab's name
    title: str
    categories: int  # column of the category labels (1-based)
    first: int  # first and last data columns (1-based, headers in row 1)
    last: int


class ToWrite(str):
    """A paragraph the clerk writes before signing (an assessment, a plan): its text says what
    to write, and a document shows it marked so that none is left in by mistake."""

    __slots__ = ()


@dataclass(frozen=True)
class Part:
    """A part of a drafted document: a heading, its paragraphs and an optional table."""

    heading: str
    lines: Sequence[str] = ()  # a ToWrite among them is left for the clerk
    # the header row first; a row of a single cell heads the group of rows under it (a unit)
    table: Sequence[Sequence[object]] = ()
    level: int = 1  # 1: "I. …", 2: "1. …", 3: "a) …"
    widths: Sequence[float] = ()  # the table's columns, in proportion


@dataclass(frozen=True)
class Signature:
    """Who signs: the authority (quyền hạn), the title (chức vụ) and the name; "" is left blank."""

    authority: str = ""
    title: str = ""
    name: str = ""


@dataclass(frozen=True)
class Document:
    """A drafted administrative document (the annual report), laid out by the backend."""

    name: str  # file name without extension: "bao-cao-2026"
    title: str  # the summary (trích yếu): "Kết quả xây dựng, nhân rộng mô hình … năm 2026"
    issuer: str  # the issuing body, "BAN CHỈ ĐẠO TỈNH …"
    place: str  # the place and date line: "Bình Thuận, ngày      tháng      năm 2026"
    parts: Sequence[Part]
    parent: str = ""  # the parent body above the issuing body
    number: str = ""  # "Số:      /BC-BCĐ"
    signature: Signature = Signature()
    recipients: Sequence[str] = ()  # the lines of Nơi nhận, "- Lưu: VT, …." last
    appendix: Sequence[Part] = ()  # after the signature, each part a table of its own
    appendix_note: str = ""  # "(Kèm theo Báo cáo số …)"
    drafted: datetime | None = None  # when it was drafted: the file's own dates


@dataclass(frozen=True)
class Report:
    """The consolidated workbook to publish: its file name (no extension), title and tabs; and
    the annual report drafted beside it, when there is one."""

    name: str
    title: str
    tabs: Sequence[tuple[str, Grid]]
    charts: Sequence[Chart] = ()
    document: Document | None = None


@dataclass(frozen=True)
class Published:
    """Where a report went: the .xlsx attached to the email, and a link where there is one."""

    file: Path
    link: str | None = None
    problem: str = ""  # why it could not be published beyond the file (the file is there)
    document: Path | None = None  # the drafted annual report (.docx), beside the workbook
    document_link: str | None = None  # the .docx on Google Drive, beside the spreadsheet


class Backend(Protocol):
    """The unit sheets, the registry and the report of one workspace."""

    notices: list[str]  # what went wrong beyond one unit in this run (told with the summary)

    def read_registry(self) -> Mapping[str, Rows]:
        """Every tab of the registry; raises ConfigError when it cannot be read."""
        ...

    def read_unit(self, unit: Unit, force: bool = False) -> Mapping[str, Rows]:
        """Every tab of a unit's sheet as rows, the header row first; raises SheetError.

        `force` reads even a sheet the backend knows to be unchanged."""
        ...

    def sheet_version(self, unit: Unit) -> str | None:
        """What changes whenever the unit's sheet changes, told without opening it: a file's
        size, mtime (ns) and inode; on Google, the sheet's version in the run's one Drive
        listing. None when nothing tells (no file, no listing): the sheet is read. Asked before
        the sheet is read, so that an edit made during the read shows as a newer version."""
        ...

    def written_version(self, unit: Unit, read: str) -> str | None:
        """Once `after_writes` is done: the version of the sheet as this run's write of its
        results tab left it, when nothing but that write changed it since it was read at
        version `read`; None when that cannot be told (the sheet is read again next time)."""
        ...

    def sheet_identity(self, unit: Unit) -> str:
        """Where the unit's sheet is, one string per sheet however the registry writes it (a
        file's real path, a spreadsheet's ID): two units with one identity share a sheet. Raises
        SheetError when it is one of the workspace's own (the registry, a report, the state):
        that row is set aside and nothing is written there. Reads no sheet."""
        ...

    def write_results(self, unit: Unit, grid: Grid) -> str:
        """Replace (or add) the unit's protected results tab; returns where. Raises SheetError.

        Nothing but that tab is written; text stays text."""
        ...

    def tab_ids(self, unit: Unit) -> Mapping[str, int]:
        """Each tab's ID in the unit's sheet (tab title -> ID) where a link can open a tab
        (Google: its sheetId, the `gid` of a URL); {} where not (a file, or not known). Costs
        no request: known from this run's read or kept with what was read before."""
        ...

    def after_writes(self, units: Sequence[Unit]) -> None:
        """Bookkeeping once the writes of a run are done (the units written)."""
        ...

    def publish_report(self, report: Report) -> Published:
        """Write the consolidated workbook (always as a local .xlsx) and publish it."""
        ...

    def workbook(self, report: Report) -> bytes:
        """The consolidated workbook as .xlsx bytes, written and published nowhere (the province
        digest attaches it as it stands). Costs no request."""
        ...

    def provision(self, unit: Unit) -> str:
        """A new unit sheet from the template, its address written into the registry."""
        ...
