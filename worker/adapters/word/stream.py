"""Long tables written into the .docx as it is saved, one row at a time.

python-docx keeps the whole document as one lxml tree and serializes it in one piece: a report's
appendix of thousands of rows held about 0.4 MB a unit in memory (1 GB for the November run at
2,000 units). Here a table is built in the tree without its rows, with a mark where they go (a
processing instruction, which no text a unit writes can make: python-docx escapes "<"); the
document is saved so, small; then its main part is copied into the file being written, each
mark replaced by its table's rows, each row built in the tree, serialized and removed before
the next one."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from lxml import etree

MARK = "mohinh-rows"
_MARKS = re.compile(rb"<\?" + MARK.encode() + rb" (\d+)\?>")
# A row serialized alone carries the namespace declarations of all its ancestors (lxml copies
# them onto it). Written back where it was built, the same ones are in scope: they go.
_DECLARATIONS = re.compile(rb'\A<w:tr(?: xmlns(?::[\w.-]+)?="[^"]*")+')
CHUNK = 1 << 16  # bytes of rows handed to the compressor at once

# Builds row `index` of values `values` in the table; returns the row (python-docx's _Row)
Fill = Callable[[int, Sequence[object]], Any]


@dataclass
class _Table:
    grid: Any  # python-docx's Table, in the document, without rows
    rows: Sequence[Sequence[object]]
    fill: Fill


@dataclass
class Later:
    """The rows of the document's tables, to write as it is saved."""

    tables: list[_Table] = field(default_factory=list)

    def rows(self, grid: Any, rows: Sequence[Sequence[object]], fill: Fill) -> None:
        """`rows` go into `grid` (a table of the document, empty) when it is saved."""
        grid._tbl.append(etree.ProcessingInstruction(MARK, str(len(self.tables))))
        self.tables.append(_Table(grid, rows, fill))

    def _write(self, number: int, sink: IO[bytes]) -> None:
        table = self.tables[number]
        tbl, chunk = table.grid._tbl, bytearray()
        for index, values in enumerate(table.rows):
            tr = table.fill(index, values)._tr
            chunk += _DECLARATIONS.sub(
                b"<w:tr", etree.tostring(tr, encoding="UTF-8", xml_declaration=False), count=1
            )
            tbl.remove(tr)
            if len(chunk) > CHUNK:
                sink.write(chunk)
                chunk.clear()
        sink.write(chunk)


def save(doc: Any, later: Later, target: Path) -> None:
    """`doc` saved at `target` with the rows `later` holds in their tables: every part as
    python-docx writes it, in its order, the main part streamed."""
    skeleton = io.BytesIO()
    doc.save(skeleton)
    main = doc.part.partname.membername
    with zipfile.ZipFile(skeleton) as source, zipfile.ZipFile(target, "w") as out:
        for info in source.infolist():
            if info.filename != main:
                out.writestr(info, source.read(info))
                continue
            copy = zipfile.ZipInfo(info.filename, info.date_time)
            copy.compress_type = info.compress_type
            pieces = _MARKS.split(source.read(info))
            with out.open(copy, "w") as sink:
                sink.write(pieces[0])
                for number, text in zip(pieces[1::2], pieces[2::2], strict=True):
                    later._write(int(number), sink)
                    sink.write(text)
