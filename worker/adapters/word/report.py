"""The drafted annual report as a Word document (python-docx), laid out as Nghị định 30/2020/NĐ-CP
asks of an administrative document: the issuing body and the national title side by side, the
number and the place and date, the title, Times New Roman 13–14 on A4 with its margins. The
layout's numbers and fixed texts come from `sheet_templates/annual_report.toml`.

Text that comes from units is written as plain runs: a Word document has no formulas to fear.
"""

from __future__ import annotations

import tomllib
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from docx import Document as new_document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from docx.text.paragraph import Paragraph

from worker.adapters.files import replacing
from worker.core.backend import Document


@cache
def layout() -> dict[str, Any]:
    text = resources.files("sheet_templates").joinpath("annual_report.toml").read_text("utf-8")
    return tomllib.loads(text)


def _font(doc: Any, name: str, size: int) -> None:
    style = doc.styles["Normal"]
    style.font.name = name
    style.font.size = Pt(size)
    # East Asian text takes its font from w:eastAsia: without it Word may pick another face
    style.element.rPr.rFonts.set(qn("w:eastAsia"), name)


def _paragraph(container: Any) -> Any:
    """A new last paragraph of a table cell, or of the document's body. In the body it goes
    straight before the section properties that end it: python-docx's add_paragraph looks for
    them among all the body's children on every call, which made a long report quadratic."""
    body = getattr(getattr(container, "element", None), "body", None)
    if body is None:
        return container.add_paragraph()
    p = OxmlElement("w:p")
    last = body[-1]  # the last child, found from the end
    if last.tag == qn("w:sectPr"):
        last.addprevious(p)
    else:
        body.append(p)
    return Paragraph(p, container)


def _line(cell_or_doc: Any, text: str, bold: bool = False, size: int | None = None,
          center: bool = True, italic: bool = False) -> Any:  # fmt: skip
    paragraphs = getattr(cell_or_doc, "paragraphs", [])
    if hasattr(cell_or_doc, "width") and len(paragraphs) == 1 and not paragraphs[0].text:
        paragraph = paragraphs[0]  # a new table cell's own empty paragraph: the first line
    else:
        paragraph = _paragraph(cell_or_doc)
    if center:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = paragraph.add_run(text)
    run.bold, run.italic = bold, italic
    if size:
        run.font.size = Pt(size)
    return paragraph


def build(document: Document) -> Any:
    """The python-docx Document of `document`."""
    spec = layout()
    doc = new_document()
    section = doc.sections[0]
    page = spec["page"]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(page["width"]), Mm(page["height"])
    section.top_margin, section.bottom_margin = Mm(page["top"]), Mm(page["bottom"])
    section.left_margin, section.right_margin = Mm(page["left"]), Mm(page["right"])
    _font(doc, spec["font"], spec["size"])
    small = spec["small"]
    head = doc.add_table(rows=1, cols=2)
    head.alignment = WD_TABLE_ALIGNMENT.CENTER
    left, right = head.rows[0].cells
    _line(left, document.issuer.upper(), bold=True, size=small)
    _line(left, spec["number"], size=small)
    _line(right, spec["nation"], bold=True, size=small)
    _line(right, spec["motto"], bold=True, size=spec["size"])
    _line(right, document.place, italic=True, size=small)
    _line(doc, spec["kind"], bold=True)
    _line(doc, document.title, bold=True)
    for part in document.parts:
        _line(doc, part.heading, bold=True, center=False)
        for text in part.lines:
            paragraph = _paragraph(doc)
            if text:
                paragraph.add_run(text)
            paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        if part.table:
            table = doc.add_table(rows=0, cols=len(part.table[0]))
            table.style = "Table Grid"
            for index, row in enumerate(part.table):
                cells = table.add_row().cells
                for cell, value in zip(cells, row, strict=False):
                    cell.text = "" if value is None else str(value)
                    if index == 0:
                        for run in cell.paragraphs[0].runs:
                            run.bold = True
    sign = doc.add_table(rows=1, cols=2)
    left, right = sign.rows[0].cells
    left.paragraphs[0].text = spec["recipients"]
    for line in spec["signature"].split("\n"):
        _line(right, line, bold=not line.startswith("("))
    return doc


def write_document(folder: Path, document: Document) -> Path:
    """`<folder>/<name>.docx`, written atomically (a reader never sees half a file)."""
    path = folder / f"{document.name}.docx"
    with replacing(path) as temp:
        build(document).save(temp)
    return path
