"""The few WordprocessingML pieces python-docx has no API for (ECMA-376 part 1, §17): paragraph
borders (the rules under the motto, the issuing body and the summary), the PAGE field, cell
margins, a header row repeated on each page, a row kept on one page, cell shading. Each element
goes where the schema's sequence puts it (Word refuses a document whose order is wrong)."""

from __future__ import annotations

from typing import Any

from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt
from docx.table import _Cell

# §17.3.1.24: a solid line of 1/2 pt (sz counts eighths of a point)
RULE_SIZE = "6"
# What follows pBdr in CT_PPr (§17.3.1.26), tblCellMar in CT_TblPr (§17.4.60) and shd in
# CT_TcPr (§17.4.70): a new element goes before the first of these already there.
_AFTER_PBDR = (
    "w:shd", "w:tabs", "w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap", "w:overflowPunct",
    "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi", "w:adjustRightInd",
    "w:snapToGrid", "w:spacing", "w:ind", "w:contextualSpacing", "w:mirrorIndents",
    "w:suppressOverlap", "w:jc", "w:textDirection", "w:textAlignment", "w:textboxTightWrap",
    "w:outlineLvl", "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange",
)  # fmt: skip
_AFTER_CELL_MARGINS = ("w:tblLook", "w:tblCaption", "w:tblDescription", "w:tblPrChange")
_AFTER_SHD = (
    "w:noWrap", "w:tcMar", "w:textDirection", "w:tcFitText", "w:vAlign", "w:hideMark",
    "w:headers", "w:cellIns", "w:cellDel", "w:cellMerge", "w:tcPrChange",
)  # fmt: skip


def _element(tag: str, **attributes: str) -> Any:
    element = OxmlElement(tag)
    for key, value in attributes.items():
        element.set(qn(f"w:{key}"), value)
    return element


def rule_below(paragraph: Any) -> None:
    """A solid line under the paragraph, as wide as the paragraph (its indents set its length)."""
    border = _element("w:pBdr")
    border.append(_element("w:bottom", val="single", sz=RULE_SIZE, space="1", color="000000"))
    paragraph._p.get_or_add_pPr().insert_element_before(border, *_AFTER_PBDR)


def page_field(paragraph: Any, size: float) -> None:
    """The number of the page it is printed on: a PAGE field (§17.16.5.43), `size` points."""
    for piece in ("begin", " PAGE ", "separate", "2", "end"):
        run = paragraph.add_run()
        run.font.size = Pt(size)
        if piece in ("begin", "separate", "end"):
            run._r.append(_element("w:fldChar", fldCharType=piece))
        elif piece == " PAGE ":
            instruction = OxmlElement("w:instrText")
            instruction.set(qn("xml:space"), "preserve")
            instruction.text = piece
            run._r.append(instruction)
        else:
            run.text = piece  # what shows until the field is updated; both Word and LO update it


def side_margins(table: Any, mm: float) -> None:
    """The left and right margin of every cell (twentieths of a point: dxa); 0 for the header
    block, whose text is centred on the column itself and has all its width."""
    margins = _element("w:tblCellMar")
    for side in ("left", "right"):
        margins.append(_element(f"w:{side}", w=str(round(mm / 25.4 * 1440)), type="dxa"))
    table._tbl.tblPr.insert_element_before(margins, *_AFTER_CELL_MARGINS)


def repeat_as_header(row: Any) -> None:
    """The row is repeated atop each page its table runs onto (§17.4.49)."""
    row._tr.get_or_add_trPr().append(_element("w:tblHeader"))


def cant_split(row: Any) -> None:
    """The row is kept whole on one page (§17.4.6)."""
    row._tr.get_or_add_trPr().append(_element("w:cantSplit"))


def shade(cell: Any, fill: str) -> None:
    """A cell's background colour (§17.4.33), e.g. "EDEDED"."""
    shading = _element("w:shd", val="clear", color="auto", fill=fill)
    cell._tc.get_or_add_tcPr().insert_element_before(shading, *_AFTER_SHD)


# python-docx's row.cells and cell.merge lay out the whole table to find one row's cells
# (_Row.cells goes through Table._cells; merge through the table's rows): a table built row by
# row that way is quadratic in its rows. These take the row's own cells from its XML.


def cells(row: Any, table: Any) -> list[Any]:
    """The cells of `row`, a row of `table` without merged cells."""
    return [_Cell(tc, table) for tc in row._tr.tc_lst]


def spanned(row: Any, table: Any, width: Any) -> Any:
    """`row` as one cell `width` wide across every column of `table` (gridSpan), as
    python-docx's merge of its first and last cells leaves it."""
    first, *others = row._tr.tc_lst
    for tc in others:
        row._tr.remove(tc)
    first.grid_span = len(others) + 1
    first.width = width
    return _Cell(first, table)
