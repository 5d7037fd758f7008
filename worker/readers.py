"""A fast reader for each column of a tab, answering the common cells without the general path.

A unit's tab holds few distinct values per column (Có, blank, the year, the same few numbers
and dates), and most of its text is plain. So each column gets a reader that answers those at
once and hands every other value to the general path `read` (the validator's: check, blank,
parse), the one place where the rules of a cell live. A reader gives exactly what `read` gives,
errors included (tests/test_readers.py).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from worker import cells
from worker.layout import Column

Reader = Callable[[Any], Any]
_MISSING = object()
# Immutable, hashable values that, keyed with their type, equal only themselves (1, 1.0 and
# True are equal in Python): what `read` made of one can be given again for the next.
_REMEMBERED = frozenset({type(None), str, int, float, bool, date, datetime})
# Distinct values a column's reader keeps at most (a province's decision dates fit), so that a
# daemon reading for months, or a column of all-different values, does not grow without end.
REMEMBER_AT_MOST = 4096


def reader(column: Column, read: Reader) -> Reader:
    """The reader of one column; `read` reads any value of it the general way."""
    if column.type in ("text", "id"):
        return _text(read)
    return _remembering(read)


def _text(read: Reader) -> Reader:
    """Text and IDs: names, titles and codes are mostly distinct, so read plain text directly.

    Text with no '#' cannot be a formula error, and for ASCII `clean_text` is `strip`.
    """

    def read_text(value: Any) -> Any:
        if value.__class__ is str and "#" not in value and len(value) <= cells.MAX_CELL_CHARS:
            text = value.strip() if value.isascii() else cells.clean_text(value)
            if text:  # blank: the general path says whether the column may be empty
                return text
        return read(value)

    return read_text


def _remembering(read: Reader) -> Reader:
    """Yes/no, lists, dates, numbers, years: each distinct value read once (errors every time,
    so that each cell gets its own). `read` must be a pure function of the value."""
    known: dict[tuple[type, Any], Any] = {}

    def read_remembered(value: Any) -> Any:
        kind = value.__class__
        if kind not in _REMEMBERED:
            return read(value)
        found = known.get((kind, value), _MISSING)
        if found is _MISSING:
            found = read(value)
            if len(known) >= REMEMBER_AT_MOST:
                known.clear()
            known[kind, value] = found
        return found

    return read_remembered
