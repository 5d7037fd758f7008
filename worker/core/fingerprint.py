"""What a Kết quả tab says, as one hash: the sync writes the tab only when it would say
something else, and a unit's result keeps the hash of its tab as read, not the rows."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence

from worker.core import cells
from worker.core.layout import load


def _cell_text(value: object) -> str:
    """A cell as text, alike whichever backend read it: 31, 31.0 and "31" are the same."""
    if value is None:
        return ""
    if isinstance(value, cells.Percent):  # a reader's mark for a cell formatted as a percentage
        value = value.value
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def fingerprint(rows: Sequence[Sequence[object]]) -> str:
    """What a Kết quả tab says, less its time stamp row, trailing blanks, and the copies of a
    table's header row atop the printed pages it goes on to (an .xlsx has them)."""
    layout = load("unit")
    headers = {tuple(s.headers) for s in layout.sections}
    seen: set[tuple[str, ...]] = set()
    body = []
    for cells_ in rows:
        row = [_cell_text(v) for v in cells_]
        while row and row[-1] == "":
            row.pop()
        key = tuple(row)
        if (row and row[0] == layout.stamp_label) or (key in headers and key in seen):
            continue
        seen.add(key)
        body.append(row)
    while body and not body[-1]:
        body.pop()
    return hashlib.sha256(json.dumps(body, ensure_ascii=False).encode()).hexdigest()
