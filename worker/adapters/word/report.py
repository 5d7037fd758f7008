"""The drafted annual report as a Word document (python-docx), in the form Nghị định
30/2020/NĐ-CP, Phụ lục I gives an administrative document: A4, its margins, Times New Roman; the
header block (parent and issuing body over a short rule, the number; the national title on one
line, the motto over a rule as long as it, the place and date); the kind and the summary; the
body justified with a first-line indent; page numbers atop every page but the first; the
signature block and Nơi nhận; the appendices. The numbers and fixed texts of the layout come from
`sheet_templates/annual_report.toml`; who issues and signs it, from the `Document`.

Text that comes from units is written as plain runs: a Word document has no formulas to fear.
"""

from __future__ import annotations

import tomllib
from collections.abc import Sequence
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from docx import Document as new_document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_COLOR_INDEX, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from docx.text.paragraph import Paragraph

from worker.adapters.files import replacing
from worker.adapters.word import ooxml, stream
from worker.adapters.word.stream import Later
from worker.core.backend import Document, Part, ToWrite

CENTER, LEFT = WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.LEFT
JUSTIFY = WD_ALIGN_PARAGRAPH.JUSTIFY
POINT_MM = 25.4 / 72
# The average advance of a Times New Roman letter, in ems, to size a short rule under a text
# of any length: capitals in bold, and a bold sentence (the rule may be 1/3 to 1/2 of the line,
# so an estimate within a fifth is enough; tests/test_report_print.py measures the result)
CAPITALS_EM, SENTENCE_EM = 0.65, 0.45
GROUP_FILL, HEADER_FILL = "EDEDED", "D9D9D9"


@cache
def layout() -> dict[str, Any]:
    text = resources.files("sheet_templates").joinpath("annual_report.toml").read_text("utf-8")
    return tomllib.loads(text)


def text_width(spec: dict[str, Any]) -> float:
    page = spec["page"]
    return float(page["width"] - page["left"] - page["right"])


def _estimate(text: str, size: float, em: float) -> float:
    """The printed width of a line of `text` in mm, from an average advance."""
    return len(text) * size * em * POINT_MM


def _new_paragraph(where: Any) -> Any:
    """A new last paragraph of a table cell, or of the document's body. In the body it goes
    straight before the section properties that end it: python-docx's add_paragraph looks for
    them among all the body's children on every call, which made a long report quadratic."""
    body = getattr(getattr(where, "element", None), "body", None)
    if body is None:
        return where.add_paragraph()
    p = OxmlElement("w:p")
    last = body[-1]  # the last child, found from the end
    if last.tag == qn("w:sectPr"):
        last.addprevious(p)
    else:
        body.append(p)
    return Paragraph(p, where)


def paragraph(
    where: Any,
    text: str = "",
    size: float | None = None,
    *,
    bold: bool = False,
    italic: bool = False,
    align: Any = CENTER,
) -> Any:
    """A paragraph of one run in a document or a table cell (a new cell's own empty paragraph
    taken for its first)."""
    paragraphs = getattr(where, "paragraphs", [])
    if hasattr(where, "width") and len(paragraphs) == 1 and not paragraphs[0].runs:
        p = paragraphs[0]
    else:
        p = _new_paragraph(where)
    p.alignment = align
    p.paragraph_format.space_after = Pt(0)
    if text:
        run = p.add_run(text)
        run.bold, run.italic = bold, italic
        if size:
            run.font.size = Pt(size)
    return p


def rule(where: Any, width: float, length: float) -> None:
    """A centred solid line of `length` mm in a space `width` mm wide (a paragraph as long as the
    line, its bottom border drawn)."""
    p = paragraph(where)
    side = Mm(max(0.0, (width - length) / 2))
    p.paragraph_format.left_indent = p.paragraph_format.right_indent = side
    p.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    p.paragraph_format.line_spacing = Pt(3)
    ooxml.rule_below(p)


def _page(doc: Any, spec: dict[str, Any]) -> None:
    section = doc.sections[0]
    page = spec["page"]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(page["width"]), Mm(page["height"])
    section.top_margin, section.bottom_margin = Mm(page["top"]), Mm(page["bottom"])
    section.left_margin, section.right_margin = Mm(page["left"]), Mm(page["right"])
    section.header_distance = Mm(page["top"] / 2)
    style = doc.styles["Normal"]
    style.font.name, style.font.size = spec["font"], Pt(spec["size"])
    # Vietnamese letters with marks may be taken from w:eastAsia's or w:cs's face otherwise
    for key in ("w:eastAsia", "w:cs", "w:hAnsi"):
        style.element.rPr.rFonts.set(qn(key), spec["font"])
    # the page number atop every page but the first, centred (13–14 pt)
    section.different_first_page_header_footer = True
    number = section.header.paragraphs[0]
    number.alignment = CENTER
    ooxml.page_field(number, spec["head"]["number_size"])
    section.first_page_header.is_linked_to_previous = False


def _head(doc: Any, document: Document, spec: dict[str, Any]) -> None:
    """The header block: a borderless table of two columns and two rows, the number level with
    the place and date."""
    head = spec["head"]
    left_width, right_width = head["widths"]
    table = doc.add_table(rows=2, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    ooxml.side_margins(table, 0)
    for column, width in zip(table.columns, head["widths"], strict=True):
        column.width = Mm(width)
        for cell in column.cells:
            cell.width = Mm(width)
    (bodies, nation), (number, place) = table.rows[0].cells, table.rows[1].cells
    size = head["body_size"]
    if document.parent:
        paragraph(bodies, document.parent.upper(), size)
    issuer = document.issuer.upper()
    paragraph(bodies, issuer, size, bold=True)
    longest = min(_estimate(issuer, size, CAPITALS_EM), left_width)
    rule(bodies, left_width, longest * head["rule_share"])
    paragraph(nation, head["nation"], head["nation_size"], bold=True)
    paragraph(nation, head["motto"], head["motto_size"], bold=True)
    rule(nation, right_width, head["motto_width"])
    paragraph(number, document.number, head["number_size"])
    paragraph(place, document.place, head["date_size"], italic=True)
    for cell in (number, place):
        cell.paragraphs[0].paragraph_format.space_before = Pt(6)


def _kind(doc: Any, document: Document, spec: dict[str, Any]) -> None:
    """Tên loại and trích yếu, bold and centred, a short rule under the summary."""
    size = spec["size"]
    kind = paragraph(doc, spec["sign"]["kind"], size, bold=True)
    kind.paragraph_format.space_before = Pt(18)
    paragraph(doc, document.title, size, bold=True)
    width = text_width(spec)
    share = spec["head"]["rule_share"]
    rule(doc, width, min(_estimate(document.title, size, SENTENCE_EM), width) * share)
    doc.paragraphs[-1].paragraph_format.space_after = Pt(12)


def _body(doc: Any, text: str, spec: dict[str, Any], **style: bool) -> Any:
    """A paragraph of the body: justified, its first line indented, space after it; a ToWrite
    italic and highlighted for the clerk."""
    p = paragraph(doc, align=JUSTIFY)
    fmt = p.paragraph_format
    fmt.first_line_indent = Mm(spec["indent"])
    fmt.space_after = Pt(spec["spacing"])
    fmt.line_spacing = spec["line"]
    run = p.add_run(text)
    run.bold, run.italic = style.get("bold", False), style.get("italic", False)
    if isinstance(text, ToWrite):
        run.italic = True
        run.font.highlight_color = WD_COLOR_INDEX.YELLOW
    return p


def _part(doc: Any, part: Part, spec: dict[str, Any], later: Later) -> None:
    if part.heading:
        heading = _body(doc, part.heading, spec, bold=part.level < 3, italic=part.level == 3)
        heading.paragraph_format.keep_with_next = True
    for line in part.lines:
        _body(doc, line, spec)
    if part.table:
        table(doc, part.table, part.widths, spec, later)


def table(
    doc: Any,
    rows: Sequence[Sequence[object]],
    weights: Sequence[float],
    spec: dict[str, Any],
    later: Later,
) -> Any:
    """A bordered table as wide as the text: its header row bold, shaded and repeated on every
    page; a row of one cell spans the table, bold (a group's heading); numbers centred. Its rows
    are written as the document is saved (`stream`)."""
    columns = len(rows[0])
    weights = list(weights) or [3.0, *([1.0] * (columns - 1))]
    width = text_width(spec)
    widths = [width * w / sum(weights) for w in weights]
    grid = doc.add_table(rows=0, cols=columns)
    grid.style = "Table Grid"
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    grid.autofit = False
    ooxml.side_margins(grid, spec["table_margin"])
    for column, w in zip(grid.columns, widths, strict=True):
        column.width = Mm(w)
    size = spec["wide_table_size"] if columns > spec["wide_table"] else spec["table_size"]

    def fill(index: int, values: Sequence[object]) -> Any:
        row = grid.add_row()
        ooxml.cant_split(row)
        if len(values) == 1:  # a group's heading, across the table
            merged = ooxml.spanned(row, grid, Mm(width))
            paragraph(merged, str(values[0]), size, bold=True, align=LEFT)
            ooxml.shade(merged, GROUP_FILL)
            return row
        cells = ooxml.cells(row, grid)
        for cell, w in zip(cells, widths, strict=True):
            cell.width = Mm(w)
        for cell, value in zip(cells, values, strict=True):
            text = "" if value is None else str(value)
            numeric = isinstance(value, int | float) or text.replace(",", "").isdigit()
            align = CENTER if index == 0 or numeric else LEFT
            paragraph(cell, text, size, bold=index == 0, align=align)
            if index == 0:
                ooxml.shade(cell, HEADER_FILL)
        if index == 0:
            ooxml.repeat_as_header(row)
        return row

    later.rows(grid, rows, fill)
    _new_paragraph(doc).paragraph_format.space_after = Pt(0)
    return grid


def _signature(doc: Any, document: Document, spec: dict[str, Any]) -> None:
    """Nơi nhận on the left (bold italic 12, its lines 11), the signer on the right (authority
    and title bold uppercase, room to sign, the name bold)."""
    sign, size = spec["sign"], spec["size"]
    block = doc.add_table(rows=1, cols=2)
    block.autofit = False
    ooxml.side_margins(block, 0)
    ooxml.cant_split(block.rows[0])
    width = text_width(spec)
    widths = (width * 0.45, width * 0.55)
    for cell, w in zip(block.rows[0].cells, widths, strict=True):
        cell.width = Mm(w)
    left, right = block.rows[0].cells
    paragraph(left, "Nơi nhận:", sign["to_size"], bold=True, italic=True, align=LEFT)
    for line in document.recipients:
        paragraph(left, line, sign["list_size"], align=LEFT)
    signature = document.signature
    for line in (signature.authority, signature.title):
        if line:
            paragraph(right, line.upper(), size, bold=True)
    for _ in range(sign["gap"]):
        paragraph(right, "", size)
    paragraph(right, signature.name, size, bold=True)


def _appendix(doc: Any, document: Document, spec: dict[str, Any], later: Later) -> None:
    """Each appendix on a page of its own: its heading, what it goes with, its table."""
    size = spec["size"]
    for part in document.appendix:
        _new_paragraph(doc).add_run().add_break(WD_BREAK.PAGE)
        for line in part.heading.split("\n"):
            paragraph(doc, line, size, bold=True)
        if document.appendix_note:
            paragraph(doc, document.appendix_note, size, italic=True)
        doc.paragraphs[-1].paragraph_format.space_after = Pt(12)
        for line in part.lines:
            _body(doc, line, spec)
        if part.table:
            table(doc, part.table, part.widths, spec, later)


def _properties(doc: Any, document: Document) -> None:
    """Who made the file, as Word shows it: the issuing body, not the library."""
    properties = doc.core_properties
    properties.author = properties.last_modified_by = document.issuer
    properties.title = f"{layout()['sign']['kind'].capitalize()} {document.title}"
    properties.comments = ""
    if document.drafted:
        properties.created = properties.modified = document.drafted.replace(tzinfo=None)


def build(document: Document) -> tuple[Any, Later]:
    """The python-docx Document of `document`, its tables' rows to write as it is saved."""
    spec = layout()
    doc, later = new_document(), Later()
    _page(doc, spec)
    _head(doc, document, spec)
    _kind(doc, document, spec)
    for part in document.parts:
        _part(doc, part, spec, later)
    doc.paragraphs[-1].add_run("./.")
    _signature(doc, document, spec)
    if document.appendix:
        _appendix(doc, document, spec, later)
    _properties(doc, document)
    return doc, later


def write_document(folder: Path, document: Document) -> Path:
    """`<folder>/<name>.docx`, written atomically (a reader never sees half a file)."""
    path = folder / f"{document.name}.docx"
    with replacing(path) as temp:
        stream.save(*build(document), temp)
    return path
