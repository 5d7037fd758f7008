"""Long tables written into the .docx as it is saved (worker/adapters/word/stream.py): the file is
the one python-docx would have saved with every row in its tree, and the tree never holds more
than the row being written (issue 20: the appendix held 0.4 MB a unit, 1 GB at 2,000 units)."""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

import docx
from lxml import etree

from worker.adapters.word import stream
from worker.adapters.word.stream import Later

# unit text that looks like the mark, or like markup; Vietnamese; long enough to flush in chunks
ROWS = [["Tên", "Số"]] + [
    [f"Mô hình “Dân vận khéo” số {n} <b>&amp;</b> <?mohinh-rows 0?>", n] for n in range(3000)
]


def _document(held: list[int]) -> tuple[Any, Later]:
    """A document of two tables between paragraphs, `held` recording how many rows the first
    table holds each time a row is built."""
    doc, later = docx.Document(), Later()
    doc.add_paragraph("Trước bảng")
    for number in range(2):
        grid = doc.add_table(rows=0, cols=2)

        def fill(index: int, values: list[object], grid: Any = grid, number: int = number) -> Any:
            if number == 0:
                held.append(len(grid._tbl.tr_lst))
            row = grid.add_row()
            for cell, value in zip(row.cells, values, strict=True):
                cell.text = str(value)
            return row

        later.rows(grid, ROWS if number == 0 else ROWS[:5], fill)
        doc.add_paragraph(f"Sau bảng {number + 1}")
    return doc, later


def _main_part(path: Path) -> bytes:
    with zipfile.ZipFile(path) as package:
        return package.read("word/document.xml")


def test_a_streamed_document_is_byte_for_byte_what_python_docx_saves_with_all_its_rows(
    tmp_path: Path,
) -> None:
    doc, later = _document([])
    stream.save(doc, later, tmp_path / "streamed.docx")

    control, rows = _document([])
    for table in rows.tables:  # every row in the tree, the mark gone: python-docx's own save
        marks = [c for c in table.grid._tbl if isinstance(c, etree._ProcessingInstruction)]
        table.grid._tbl.remove(*marks)
        for index, values in enumerate(table.rows):
            table.fill(index, values)
    control.save(tmp_path / "control.docx")

    assert _main_part(tmp_path / "streamed.docx") == _main_part(tmp_path / "control.docx")
    with (
        zipfile.ZipFile(tmp_path / "streamed.docx") as a,
        zipfile.ZipFile(tmp_path / "control.docx") as b,
    ):
        assert [i.filename for i in a.infolist()] == [i.filename for i in b.infolist()]


def test_a_streamed_document_reads_back_with_every_row_and_no_mark(tmp_path: Path) -> None:
    doc, later = _document([])
    stream.save(doc, later, tmp_path / "report.docx")

    read = docx.Document(str(tmp_path / "report.docx"))
    first, second = read.tables
    assert [[c.text for c in r.cells] for r in first.rows] == [[str(v) for v in r] for r in ROWS]
    assert len(second.rows) == 5
    assert [p.text for p in read.paragraphs] == ["Trước bảng", "Sau bảng 1", "Sau bảng 2"]
    xml = _main_part(tmp_path / "report.docx")
    assert xml.count(b"<?mohinh-rows") == 0  # the unit's look-alike text is escaped, not a mark
    assert xml.count(b"&lt;?mohinh-rows 0?&gt;") == 3000 + 4
    assert b"<w:tr xmlns" not in xml  # the rows carry no copies of the root's declarations


def test_the_tree_holds_one_row_at_a_time_while_saving(tmp_path: Path) -> None:
    held: list[int] = []
    doc, later = _document(held)
    stream.save(doc, later, tmp_path / "report.docx")
    assert len(held) == len(ROWS)
    assert max(held) == 0  # each row removed before the next is built
