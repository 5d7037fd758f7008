"""How big a unit's workbook may be: checked from the zip directory and a bounded read of each
sheet, before any parser allocates (a hostile or broken file must cost one unit, not the run).

A unit's real workbook is a few hundred KB: some hundred models, their targets, a few pictures.
The limits leave it two orders of magnitude of room and keep what one workbook adds to the run's
memory near 200 MB: calamine holds about 45 bytes per cell of a sheet's rectangle from A1 (an
empty one) and up to 140 with its Python values (measured with python-calamine 0.9.1), and
validating a row of wrong cells costs as much again: 500,000 cells, all of them errors, took a
run from 116 MB to 302 MB (bench/hostile.py many_errors). The writer holds the file twice.

The compression ratio is Apache POI's zip-bomb check (ZipSecureFile: an entry past a 100 KB grace
that inflates more than 100 times is refused), loosened tenfold: what POI opens, we open.
"""

from __future__ import annotations

from dataclasses import dataclass

MB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    file_bytes: int = 100 * MB  # the .xlsx file on disk
    entries: int = 10_000  # zip members (2,000 sheets take about 4,000)
    part_bytes: int = 100 * MB  # one XML part we or calamine parse, inflated
    parts_bytes: int = 200 * MB  # all of them together
    ratio: int = 1_000  # inflated / compressed, for a part past `ratio_grace`
    ratio_grace: int = 1 * MB
    cells: int = 500_000  # the sheets' rectangles from A1 to their farthest cell, summed


LIMITS = Limits()


class TooBig(Exception):
    """A workbook past a limit: `what` says which (in Vietnamese), `fix` what to do."""

    def __init__(self, what: str, fix: str) -> None:
        super().__init__(what)
        self.what = what
        self.fix = fix


def size_text(count: int) -> str:
    """A byte count as Vietnamese write it: 1,1 GB, 100 MB, 12 KB."""
    for unit, size in (("GB", 1024 * MB), ("MB", MB), ("KB", 1024)):
        if count >= size:
            shown = f"{count / size:.1f}".replace(".", ",").removesuffix(",0")
            return f"{shown} {unit}"
    return f"{count} byte"
