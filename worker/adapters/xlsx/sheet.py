"""The results tab as SpreadsheetML (ECMA-376 part 1, §18.3): its worksheet part, and the look
at column A of a workbook's sheets that finds a results tab a user renamed.

Every text is an inline string (`t="inlineStr"`), so a unit's "=HYPERLINK(...)" or "+1" stays
text and `sharedStrings.xml` is never touched. The part is written in the workbook's namespace
(Transitional or Strict) and its dates in the workbook's date system (1900 or 1904).
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal
from fractions import Fraction

from lxml import etree

from worker.adapters.xlsx.pages import paginate
from worker.adapters.xlsx.parts import DECLARATION
from worker.adapters.xlsx.styles import MAIN, Styles
from worker.core.results import LINE_POINTS, Grid, Percent, row_heights
from worker.core.tabs import column_letter

STRICT_MAIN = "http://purl.oclc.org/ooxml/spreadsheetml/main"  # ISO/IEC 29500 Strict
WORKSHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
MAX_TEXT = 32767  # Excel's limit for one cell
# Day 0 of each date system (ECMA-376 part 1, §18.17.4.1): the 1900 one as Excel counts past
# 01/03/1900, and the 1904 one (workbookPr date1904="1", Excel for Mac before 2011).
EPOCH = date(1899, 12, 30)
EPOCH_1904 = date(1904, 1, 1)
_ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


# Printed on A4 landscape, as wide as the page (as many pages down as it takes), numbered; the
# rows repeated atop each page are the workbook's _xlnm.Print_Titles name (xlsx_write), the
# pages end where `pages.paginate` says, each table's header row atop its pages.
PRINT_SETUP = (
    '<pageMargins left="0.4" right="0.4" top="0.5" bottom="0.6" header="0.3" footer="0.3"/>'
    '<pageSetup paperSize="9" orientation="landscape" fitToWidth="1" fitToHeight="0"/>'
    "<headerFooter><oddFooter>&amp;CTrang &amp;P/&amp;N</oddFooter></headerFooter>"
)


def q(tag: str, ns: str = MAIN) -> str:
    return f"{{{ns}}}{tag}"


def clean_text(value: str) -> str:
    return _ILLEGAL_XML.sub("", value)[:MAX_TEXT]


def serial(value: date, epoch: date = EPOCH) -> float | int:
    """A date as the number Excel stores: days since `epoch`, the time as a fraction."""
    if isinstance(value, datetime):
        delta = value.replace(tzinfo=None) - datetime.combine(epoch, datetime.min.time())
        return delta.days + delta.seconds / 86400 + delta.microseconds / 86_400_000_000
    return (value - epoch).days


def _escape(text: str) -> str:
    """Text as XML character data (CR kept as a reference: a parser would make it LF)."""
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")
    )


def _cell(ref: str, value: object, style: int | None, styles: Styles, epoch: date) -> str:
    """One `<c>`: a number as a number, a date as a number with the date style, a Percent with
    the percent style, the rest text. Only `value`'s text comes from outside, through `_escape`."""
    if isinstance(value, Percent) and math.isfinite(value):
        return f'<c r="{ref}" s="{styles.percent}"><v>{float(value)!r}</v></c>'
    s = "" if style is None else f' s="{style}"'
    if value is None or value == "":
        return f'<c r="{ref}"{s}/>' if style is not None else ""
    if isinstance(value, bool):
        return f'<c r="{ref}"{s} t="b"><v>{int(value)}</v></c>'
    if isinstance(value, date):
        return f'<c r="{ref}" s="{styles.date}"><v>{serial(value, epoch)!r}</v></c>'
    if isinstance(value, int | float | Decimal | Fraction) and math.isfinite(value):
        number = value if isinstance(value, int) else float(value)
        return f'<c r="{ref}"{s}><v>{number!r}</v></c>'
    text = clean_text(str(value))
    # Leading or trailing spaces are kept only when asked.
    space = ' xml:space="preserve"' if text != text.strip() else ""
    return f'<c r="{ref}"{s} t="inlineStr"><is><t{space}>{_escape(text)}</t></is></c>'


def _attr(text: str) -> str:
    """Text as a double-quoted attribute value (whitespace kept as references)."""
    return (
        _escape(clean_text(text))
        .replace('"', "&quot;")
        .replace("\n", "&#10;")
        .replace("\t", "&#9;")
    )


def worksheet(grid: Grid, styles: Styles, ns: str = MAIN, epoch: date = EPOCH) -> bytes:
    """The worksheet part of the tab (in the namespace `ns`, its dates counted from `epoch`):
    values, widths, frozen header, protection, links.

    A new part, written as text like XlsxWriter does (an element per cell through lxml costs
    more than all the rest of `write_tab`): every string from outside goes through `_escape` or
    `_attr`, every other value is a number we made; the tests parse what comes out."""
    grid, breaks = paginate(grid)
    width = max((len(r) for r in grid.rows), default=0)
    letters = [column_letter(c + 1) for c in range(max(width, 1))]
    last = f"{letters[-1]}{max(len(grid.rows), 1)}"
    below = f"A{grid.head + 1}"
    out = [
        f'<worksheet xmlns="{ns}">',
        '<sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>',  # pageSetup's fitTo* apply
        f'<dimension ref="{"A1" if last == "A1" else "A1:" + last}"/>',
        '<sheetViews><sheetView workbookViewId="0">'
        f'<pane ySplit="{grid.head}" topLeftCell="{below}" activePane="bottomLeft" '
        'state="frozen"/>'
        f'<selection pane="bottomLeft" activeCell="{below}" sqref="{below}"/>'
        "</sheetView></sheetViews>",
        # every row as tall as said (not grown to its font): the pages break where counted
        f'<sheetFormatPr defaultRowHeight="{LINE_POINTS}" customHeight="1"/>',
    ]
    if grid.widths:
        out.append("<cols>")
        for n, w in enumerate(grid.widths, start=1):
            out.append(f'<col min="{n}" max="{n}" width="{float(w)!r}" customWidth="1"/>')
        out.append("</cols>")
    out.append("<sheetData>")
    heights = row_heights(grid)
    for r, values in enumerate(grid.rows, start=1):
        height = heights.get(r - 1)
        out.append(f'<row r="{r}" ht="{height}" customHeight="1">' if height else f'<row r="{r}">')
        header, title = r - 1 in grid.headers, r - 1 in grid.titles
        for c, value in enumerate(values):
            style = styles.header if header else styles.text
            if title and c == 0:
                style = styles.title  # not wrapped: a title runs on over the empty cells
            out.append(_cell(f"{letters[c]}{r}", value, style, styles, epoch))
        out.append("</row>")
    out.append("</sheetData>")
    # Only the worker writes here; units may still select, sort and filter ("0": not locked).
    out.append('<sheetProtection sheet="1" objects="1" scenarios="1" sort="0" autoFilter="0"/>')
    if grid.links:
        out.append("<hyperlinks>")
        for (r, c), place in sorted(grid.links.items()):
            shown = grid.rows[r][c] if r < len(grid.rows) and c < len(grid.rows[r]) else None
            display = "" if shown in (None, "") else f' display="{_attr(str(shown))}"'
            ref = f"{column_letter(c + 1)}{r + 1}"
            out.append(f'<hyperlink ref="{ref}" location="{_attr(place)}"{display}/>')
        out.append("</hyperlinks>")
    out.append(PRINT_SETUP)
    if breaks:
        out.append(f'<rowBreaks count="{len(breaks)}" manualBreakCount="{len(breaks)}">')
        out.extend(f'<brk id="{row}" max="16383" man="1"/>' for row in breaks)
        out.append("</rowBreaks>")
    out.append("</worksheet>")
    return DECLARATION + "".join(out).encode("utf-8")


FEED_BYTES = 1024
Cell = tuple[str | None, str | None]  # a cell's type (its t="…") and its value's text


def column_a(head: bytes, rows: int) -> tuple[list[Cell], bool]:
    """The cells A1..A<rows> of a worksheet part as their type and text ((None, None) where
    empty), from `head`, the part's beginning; and whether `head` reached past them (a later
    row, or the end of the sheet's data). Parsing stops there: the rest of a sheet, broken or
    cut short, is never parsed. A shared string's text is its index: the caller looks it up."""
    found: list[Cell] = [(None, None)] * rows
    parser = etree.XMLPullParser(
        events=("start", "end"), tag=("{*}row", "{*}sheetData"), no_network=True,
        resolve_entities=False,
    )  # fmt: skip
    count = 0
    try:
        # fed a little at a time: parsing stops soon after the rows sought
        for at in range(0, len(head), FEED_BYTES):
            parser.feed(head[at : at + FEED_BYTES])
            for event, element in parser.read_events():
                if etree.QName(element).localname == "sheetData":
                    if event == "end":
                        return found, True
                    continue
                if event == "start":
                    count += 1
                number = int(element.get("r", "0")) if element.get("r", "").isdigit() else count
                if number > rows:
                    return found, True
                if event == "start":
                    continue
                c = next((c for c in element if etree.QName(c).localname == "c"), None)
                if c is not None and number > 0 and c.get("r", f"A{number}") == f"A{number}":
                    found[number - 1] = _cell_text(c)
                if number == rows:
                    return found, True
    except etree.XMLSyntaxError:
        pass  # the sheet is broken here: what was read stands
    return found, False


def _cell_text(c: etree._Element) -> Cell:
    ns = etree.QName(c).namespace or MAIN
    if c.get("t") == "inlineStr":
        return "inlineStr", "".join(t.text or "" for t in c.iter(q("t", ns)))
    return c.get("t"), c.findtext(q("v", ns))


def shared_strings(data: bytes) -> Iterator[str]:
    """Each shared string's text in turn (runs joined, phonetic guides left out), read only as
    far as the caller goes; a part broken further on yields what comes before the break."""
    parsed = etree.iterparse(
        io.BytesIO(data), events=("end",), tag="{*}si", no_network=True, resolve_entities=False
    )
    try:
        for _, si in parsed:
            ns = etree.QName(si).namespace or MAIN
            texts = si.iter(q("t", ns))
            yield "".join(t.text or "" for t in texts if t.getparent().tag != q("rPh", ns))
    except etree.XMLSyntaxError:
        return
