"""A reader for each column of a tab: each distinct value read once, not once per cell.

A unit's tab holds few distinct values per column (Có, blank, the year, the same few numbers,
dates, names and codes), so a column's reader remembers what the general path `read` (the
validator's: check, blank, parse) made of each value and gives it again for the next cell that
holds the same. `read` stays the one place where the rules of a cell live; a reader gives
exactly what it gives (tests/test_readers.py).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

Reader = Callable[[Any], Any]
_MISSING = object()
# Immutable, hashable values, each equal only to itself within its type (but for the two kept
# out below): what `read` made of one can be given again for the next.
_REMEMBERED = frozenset({type(None), str, int, float, bool, date, datetime})
# Distinct values a column's reader keeps at most (a province's decision dates fit); then it
# starts afresh, so that a column of all-different values does not grow without end.
REMEMBER_AT_MOST = 4096


def reader(read: Reader) -> Reader:
    """`read`, remembering its results; `read` must be a pure function of the value.

    Errors are not remembered: each erroneous cell is read again and gets its own.
    """
    # One table per type, so that 1, 1.0 and True (equal in Python) are told apart.
    known: dict[type, dict[Any, Any]] = {kind: {} for kind in _REMEMBERED}
    datetimes, floats = known[datetime], known[float]
    size = 0

    def read_remembered(value: Any) -> Any:
        nonlocal size
        table = known.get(value.__class__)
        if (
            table is None
            or (table is datetimes and value.tzinfo is not None)
            or (table is floats and not value)
        ):
            return read(value)  # equal but told apart: instants in two zones, 0.0 and -0.0
        found = table.get(value, _MISSING)
        if found is _MISSING:
            found = read(value)
            if size >= REMEMBER_AT_MOST:
                for other in known.values():
                    other.clear()
                size = 0
            table[value] = found
            size += 1
        return found

    return read_remembered
