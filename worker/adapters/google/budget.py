"""The cells a report may take in a spreadsheet, counted before anything is written.

A spreadsheet holds at most 10 million cells, every tab's grid counted
(workspaceupdates.googleblog.com/2022/03/ten-million-cells-google-sheets.html); past it Google
refuses the whole batchUpdate ("This action would increase the number of cells in the workbook
above the limit of 10000000 cells"). A report is staged beside its previous tabs, so for a while
the spreadsheet holds both; one of the province holds every year's. Room is made in this order:
leftovers of a failed run; the report's previous tabs deleted before staging rather than after
(a failure then leaves none, which is only done when needed); the previews a final report or a
later year supersedes. Past that the report needs a spreadsheet of its own (`NoRoom`), and when
the report alone is over the limit, no spreadsheet can hold it (`NoRoom.alone`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

MAX_CELLS = 10_000_000
STAGING = " (mới)"  # the suffix of tabs being written, before they are swapped in
PREVIEW = re.compile(r" (\d{4}) xem trước$")  # a preview's tabs in the province's spreadsheet


@dataclass(frozen=True)
class Tab:
    """A tab the spreadsheet holds: its title, sheet ID and grid's cells."""

    title: str
    sheet_id: int
    cells: int


@dataclass(frozen=True)
class Plan:
    first: list[int] = field(default_factory=list)  # deleted before the new tabs are staged
    later: list[int] = field(default_factory=list)  # deleted when they are swapped in


class NoRoom(Exception):
    """The report does not fit: `need` cells, `free` left; `alone` when no spreadsheet could
    hold it."""

    def __init__(self, need: int, free: int, alone: bool) -> None:
        super().__init__(f"{need} cells needed, {free} free")
        self.need, self.free, self.alone = need, free, alone


def plan(present: Sequence[Tab], need: int, mine: Callable[[str], bool], year: int) -> Plan:
    """Which tabs go, and when, for a report of `need` cells whose previous tabs are those
    `mine` says; `year` the report's (previews of that year and before are superseded)."""
    if need > MAX_CELLS:
        raise NoRoom(need, MAX_CELLS, alone=True)
    leftovers = [t for t in present if t.title.endswith(STAGING)]
    kept = [t for t in present if t not in leftovers]
    previous = [t for t in kept if mine(t.title)]
    superseded = [t for t in kept if t not in previous and _preview_of(t.title, year)]
    used = sum(t.cells for t in kept)
    if used + need <= MAX_CELLS:
        return Plan(_ids(leftovers), _ids(previous))
    for going in (previous, previous + superseded):
        first = leftovers + going
        if len(first) == len(present) and first:  # a spreadsheet keeps at least one tab
            last = min(going or leftovers, key=lambda t: t.cells)
            first = [t for t in first if t is not last]
        room = MAX_CELLS - (used - sum(t.cells for t in first if t not in leftovers))
        if need <= room:
            return Plan(_ids(first), [t.sheet_id for t in leftovers + going if t not in first])
    raise NoRoom(need, max(0, room), alone=False)


def _preview_of(title: str, year: int) -> bool:
    found = PREVIEW.search(title)
    return found is not None and int(found[1]) <= year


def _ids(tabs: Sequence[Tab]) -> list[int]:
    return [t.sheet_id for t in tabs]


def figure(cells: int) -> str:
    """A number of cells as Vietnamese write it: 10.000.000."""
    return f"{cells:,}".replace(",", ".")
