"""The registry of units (SPEC §5): its rows into units, each problem kept with its unit.

A problem withholds only what it concerns. A bad address withholds the unit's mail: the unit is
still read, rated, written back and consolidated. A problem that makes the unit itself
unknowable sets its row aside, naming every row involved: no code, a code two rows share, a
Bảng tính cell that cannot be read, two rows on one sheet, or a sheet that is one of the
worker's own files (the registry, a report, the state). Problems of no row (a missing tab or
column) are kept apart. Every problem is told with the unit of its row (`RegistryProblem`).

Pure: backends hand in rows (and say where a unit's sheet is); nothing here reads or writes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date

from worker.core import addresses
from worker.core.errors import SheetError
from worker.core.layout import load
from worker.core.tabs import CellError, ParseCache, Row, Rows, find_tab, read_tab

# The columns without which a unit cannot be known: its code, and where its sheet is.
IDENTITY = ("unit_id", "sheet")


@dataclass(frozen=True)
class Unit:
    unit_id: str
    name: str
    level: str
    parent: str
    emails: tuple[str, ...]
    sheet: str
    active: bool
    sheet_cell: str = ""  # the A1 address of its Bảng tính cell in the registry
    emails_cell: str = ""  # the A1 address of its Email đầu mối cell
    problems: tuple[CellError, ...] = ()  # its registry row's problems

    @property
    def mail_withheld(self) -> bool:
        """A problem of its Email đầu mối cell: nothing is mailed to it until that is fixed."""
        return bool(self.emails_cell) and any(e.cell == self.emails_cell for e in self.problems)

    @property
    def row(self) -> int:
        """Its row in the registry."""
        return int(self.sheet_cell.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ") or 0)

    @property
    def who(self) -> str:
        """ "U2 Công an xã Hàm Liêm": code and name, as staff name a unit."""
        return f"{self.unit_id} {self.name}".strip()


@dataclass(frozen=True)
class RegistryProblem:
    """One problem of the registry, with the unit of its row (None: a problem of no row)."""

    error: CellError
    unit: Unit | None = None
    read: bool = True  # whether the unit was read all the same

    @property
    def consequence(self) -> str:
        """What the problem withholds, as the summary and the province digest say it."""
        if self.unit is None or not self.unit.active:
            return ""
        if not self.read:
            return "chưa được đọc"
        return "chưa gửi thư cho đơn vị" if self.error.cell == self.unit.emails_cell else ""

    def __str__(self) -> str:
        e = self.error
        if not e.cell:
            return str(e)
        who = f" — {self.unit.who}" if self.unit is not None and self.unit.who else ""
        consequence = f" ({self.consequence})" if self.consequence else ""
        return f"{e.tab}, ô {e.cell}{who}{consequence}: {e.what()}"


@dataclass
class Registry:
    """The registry read: the units to work on, the rows set aside, the problems of no row."""

    units: list[Unit]  # every unit that can be known (some with problems that withhold mail)
    rejected: list[Unit] = field(default_factory=list)  # rows set aside, with their problems
    loose: list[CellError] = field(default_factory=list)  # problems of no row

    @property
    def errors(self) -> list[CellError]:
        """Every problem, in the order staff read the tab."""
        every = [*self.loose, *(e for u in (*self.units, *self.rejected) for e in u.problems)]
        return sorted(dict.fromkeys(every), key=_reading_order)

    def problems(self) -> list[RegistryProblem]:
        """Every problem with the unit of its row, in the order staff read the tab."""
        found = {e: RegistryProblem(e, u) for u in self.units for e in u.problems}
        found.update(
            {e: RegistryProblem(e, u, read=False) for u in self.rejected for e in u.problems}
        )
        return [found.get(e, RegistryProblem(e)) for e in self.errors]


def _reading_order(error: CellError) -> tuple[int, int, str]:
    """Row by row, then column by column: the order in which staff read the tab."""
    letters = error.cell.rstrip("0123456789")
    return int(error.cell[len(letters) :] or 0), len(letters), letters


def load_registry(tabs: Mapping[str, Rows], cache: ParseCache | None = None) -> Registry:
    """Units of the registry (SPEC §5); a row with a problem is kept with it, never dropped.

    `cache`: the run's (`ParseCache`); without one, the registry is read with its own."""
    tab = load("registry").tab("units")
    found = find_tab(tabs, tab.name)
    if found is None:
        present = ", ".join(f"“{title}”" for title in tabs) or "không có tab nào"
        missing = CellError(
            tab.name,
            "",
            "missing_tab",
            "",
            f"không tìm thấy tab “{tab.name}” trong danh mục đơn vị (các tab hiện có: {present})",
            f"đổi tên tab chứa danh sách đơn vị thành “{tab.name}”",
        )
        return Registry([], [], [missing])
    loose: list[CellError] = []
    rows = read_tab(tab, found, date.max, loose, cache)
    codes: dict[str, list[int]] = {}
    for row in rows:
        if row.values["unit_id"]:
            codes.setdefault(row.values["unit_id"], []).append(row.number)
    registry = Registry([], [], [])
    for row in rows:
        unit = _unit(row, (*row.errors, *_duplicate(tab.name, row, codes)))
        identity = {row.cells[key] for key in IDENTITY}
        known = not any(e.cell in identity for e in unit.problems)
        (registry.units if known else registry.rejected).append(unit)
    of_rows = {e for u in (*registry.units, *registry.rejected) for e in u.problems}
    registry.loose = [e for e in loose if e not in of_rows]
    return registry


def _unit(row: Row, problems: tuple[CellError, ...]) -> Unit:
    v, cells = row.values, row.cells
    return Unit(
        v["unit_id"] or "",
        v["name"] or "",
        v["level"] or "",
        v["parent"] or "",
        v["emails"] or (),
        v["sheet"] or "",
        v["active"] is not False,  # unreadable: counted as active, so that it is shown
        cells["sheet"],
        cells["emails"],
        problems,
    )


def _duplicate(tab: str, row: Row, codes: Mapping[str, list[int]]) -> tuple[CellError, ...]:
    """A code on two rows makes both unknowable: which one is the unit's is not known."""
    code = row.values["unit_id"]
    others = [str(n) for n in codes.get(code or "", []) if n != row.number]
    if not others:
        return ()
    return (
        CellError(
            tab,
            row.cells["unit_id"],
            "duplicate_id",
            code,
            f"mã đơn vị trùng với dòng {', '.join(others)}: chưa biết dòng nào là của đơn vị",
            "mỗi đơn vị dùng một mã riêng; đổi mã hoặc xóa dòng trùng",
        ),
    )


def read_registry(tabs: Mapping[str, Rows]) -> tuple[list[Unit], list[CellError]]:
    """Units of the registry (SPEC §5) with every problem of its rows."""
    registry = load_registry(tabs)
    return registry.units, registry.errors


def refuse_shared_sheets(registry: Registry, place: Callable[[Unit], str]) -> Registry:
    """The active units whose sheet is shared with another row, or is a place the backend
    refuses (`place` raises SheetError), set aside: nothing is written to that sheet.

    `place(unit)`: where the unit's sheet is, as the backend identifies it (a local file's real
    path, a spreadsheet's ID); two units with one place share a sheet."""
    tab = load("registry").tab("units").name
    refused: dict[Unit, CellError] = {}
    by_place: dict[str, list[Unit]] = {}
    for unit in (u for u in registry.units if u.active and u.sheet):
        try:
            by_place.setdefault(place(unit), []).append(unit)
        except SheetError as exc:
            refused[unit] = _sheet_error(tab, unit, "reserved_sheet", exc.message, exc.fix)
    for sharing in (units for units in by_place.values() if len(units) > 1):
        for unit in sharing:
            others = [u for u in sharing if u is not unit]
            rows = ", ".join(f"{u.row} ({u.who})" for u in others)
            refused[unit] = _sheet_error(
                tab,
                unit,
                "shared_sheet",
                f"dòng {rows} cũng ghi bảng tính này: kết quả của đơn vị này sẽ ghi đè kết quả "
                "của đơn vị kia, nên các dòng này đều chưa được đọc",
                "mỗi đơn vị một bảng tính riêng: sửa cột Bảng tính của các dòng này",
            )
    return Registry(
        [u for u in registry.units if u not in refused],
        [*registry.rejected, *(replace(u, problems=(*u.problems, e)) for u, e in refused.items())],
        registry.loose,
    )


def _sheet_error(tab: str, unit: Unit, code: str, message: str, fix: str) -> CellError:
    return CellError(tab, unit.sheet_cell, code, unit.sheet, message, fix)


def refuse_international(registry: Registry, reason: str) -> Registry:
    """Every internationalised address (RFC 6531) made a problem of its unit's Email đầu mối
    cell, which withholds its mail: the mail server does not take them (`reason` says which)."""
    tab = load("registry").tab("units").name
    units = []
    for unit in registry.units:
        found = [a for a in unit.emails if addresses.international(a)]
        if found:
            error = CellError(
                tab,
                unit.emails_cell,
                "email_needs_smtputf8",
                "; ".join(found),
                f"{reason}: không gửi được thư tới địa chỉ có chữ có dấu",
                "dùng địa chỉ không dấu cho đơn vị (ví dụ hoiphunu@…), hoặc máy chủ thư hỗ trợ "
                "SMTPUTF8",
            )
            unit = replace(unit, problems=(*unit.problems, error))
        units.append(unit)
    return Registry(units, registry.rejected, registry.loose)
