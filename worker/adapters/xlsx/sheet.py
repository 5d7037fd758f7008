"""The results tab as SpreadsheetML (ECMA-376 part 1, §18.3): its worksheet part and styles.

Every text is an inline string (`t="inlineStr"`), so a unit's "=HYPERLINK(...)" or "+1" stays
text and `sharedStrings.xml` is never touched. The few styles the tab needs are appended to
`styles.xml` once: a later write finds them again, so existing style indexes never move.
"""

from __future__ import annotations

import io
import math
import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from fractions import Fraction

from lxml import etree

from worker.adapters.xlsx.package import DECLARATION
from worker.core.results import Grid, Percent, row_heights
from worker.core.tabs import column_letter

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
WORKSHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
DATE_FORMAT = "DD/MM/YYYY"
HEADER_RGB = "FFDDEBF7"
TITLE_SIZE = "12"
PERCENT_ID = "10"  # the built-in number format 0.00% (ECMA-376 §18.8.30): results.PERCENT_FORMAT
MAX_TEXT = 32767  # Excel's limit for one cell
EPOCH = date(1899, 12, 30)  # day 0 of the 1900 date system, as Excel counts past 1900-03-01
_ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# The order CT_Stylesheet gives its children: a new one goes where the schema wants it.
_STYLE_ORDER = ("numFmts", "fonts", "fills", "borders", "cellStyleXfs", "cellXfs", "cellStyles")


# Printed on A4 landscape, as wide as the page (as many pages down as it takes), numbered; the
# rows repeated atop each page are the workbook's _xlnm.Print_Titles name (xlsx_write).
PRINT_SETUP = (
    '<pageMargins left="0.4" right="0.4" top="0.5" bottom="0.6" header="0.3" footer="0.3"/>'
    '<pageSetup paperSize="9" orientation="landscape" fitToWidth="1" fitToHeight="0"/>'
    "<headerFooter><oddFooter>&amp;CTrang &amp;P/&amp;N</oddFooter></headerFooter>"
)


def q(tag: str) -> str:
    return f"{{{MAIN}}}{tag}"


@dataclass(frozen=True)
class Styles:
    """Indexes into cellXfs of the tab's styles."""

    date: int
    title: int
    header: int
    text: int  # a body cell: top-aligned, wrapped
    percent: int  # a Percent: PERCENT_FORMAT, top-aligned


def clean_text(value: str) -> str:
    return _ILLEGAL_XML.sub("", value)[:MAX_TEXT]


def serial(value: date) -> float | int:
    """A date as the number Excel stores (days since 30/12/1899, time as a fraction)."""
    if isinstance(value, datetime):
        delta = value.replace(tzinfo=None) - datetime(1899, 12, 30)
        return delta.days + delta.seconds / 86400 + delta.microseconds / 86_400_000_000
    return (value - EPOCH).days


def _escape(text: str) -> str:
    """Text as XML character data (CR kept as a reference: a parser would make it LF)."""
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")
    )


def _cell(ref: str, value: object, style: int | None, dates: int, percents: int) -> str:
    """One `<c>`: a number as a number, a date as a number with the date style, a Percent with
    the percent style, the rest text. Only `value`'s text comes from outside, through `_escape`."""
    if isinstance(value, Percent) and math.isfinite(value):
        return f'<c r="{ref}" s="{percents}"><v>{float(value)!r}</v></c>'
    s = "" if style is None else f' s="{style}"'
    if value is None or value == "":
        return f'<c r="{ref}"{s}/>' if style is not None else ""
    if isinstance(value, bool):
        return f'<c r="{ref}"{s} t="b"><v>{int(value)}</v></c>'
    if isinstance(value, date):
        return f'<c r="{ref}" s="{dates}"><v>{serial(value)!r}</v></c>'
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


def worksheet(grid: Grid, styles: Styles) -> bytes:
    """The worksheet part of the tab: values, widths, frozen header, protection, links.

    A new part, written as text like XlsxWriter does (an element per cell through lxml costs
    more than all the rest of `write_tab`): every string from outside goes through `_escape` or
    `_attr`, every other value is a number we made; the tests parse what comes out."""
    width = max((len(r) for r in grid.rows), default=0)
    letters = [column_letter(c + 1) for c in range(max(width, 1))]
    last = f"{letters[-1]}{max(len(grid.rows), 1)}"
    below = f"A{grid.head + 1}"
    out = [
        f'<worksheet xmlns="{MAIN}">',
        '<sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>',  # pageSetup's fitTo* apply
        f'<dimension ref="{"A1" if last == "A1" else "A1:" + last}"/>',
        '<sheetViews><sheetView workbookViewId="0">'
        f'<pane ySplit="{grid.head}" topLeftCell="{below}" activePane="bottomLeft" '
        'state="frozen"/>'
        f'<selection pane="bottomLeft" activeCell="{below}" sqref="{below}"/>'
        "</sheetView></sheetViews>",
        '<sheetFormatPr defaultRowHeight="15"/>',
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
            out.append(_cell(f"{letters[c]}{r}", value, style, styles.date, styles.percent))
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
    out.append("</worksheet>")
    return DECLARATION + "".join(out).encode("utf-8")


def _shape(el: etree._Element) -> tuple[object, ...]:
    """An element's content, prefixes aside: two equal shapes are the same style."""
    return (el.tag, sorted(el.attrib.items()), [_shape(c) for c in el if isinstance(c.tag, str)])


def _section(sheet: etree._Element, tag: str) -> etree._Element:
    """The child `tag` of styleSheet, created in its schema place when missing."""
    found = sheet.find(q(tag))
    if found is not None:
        return found
    new = etree.Element(q(tag))
    later = _STYLE_ORDER[_STYLE_ORDER.index(tag) + 1 :]
    following = next((c for c in sheet if etree.QName(c).localname in later), None)
    if following is None and tag != "cellStyles":
        following = next((c for c in sheet if etree.QName(c).localname not in _STYLE_ORDER), None)
    if following is not None:
        following.addprevious(new)
    else:
        sheet.append(new)
    return new


def _index(sheet: etree._Element, tag: str, item: etree._Element) -> int:
    """The index of `item` in the list `tag`, appended (and counted) when not there yet."""
    section = _section(sheet, tag)
    items = [c for c in section if isinstance(c.tag, str)]
    shape = _shape(item)
    for n, existing in enumerate(items):
        if _shape(existing) == shape:
            return n
    section.append(item)
    section.set("count", str(len(items) + 1))
    return len(items)


def _el(tag: str, *children: etree._Element, **attrs: str) -> etree._Element:
    el = etree.Element(q(tag), **attrs)
    el.extend(children)
    return el


def _font(sheet: etree._Element, size: str | None) -> etree._Element:
    """The workbook's default font (its first), bold, at `size` when given."""
    fonts = _section(sheet, "fonts")
    base = next((c for c in fonts if isinstance(c.tag, str)), None)
    font = _el("font")
    for child in base if base is not None else ():
        if isinstance(child.tag, str) and etree.QName(child).localname not in ("b", "sz"):
            font.append(_el(etree.QName(child).localname, **dict(child.attrib)))
    base_size = base.find(q("sz")) if base is not None else None
    font.insert(
        0, _el("sz", val=size or (base_size.get("val", "11") if base_size is not None else "11"))
    )
    font.insert(0, _el("b"))
    return font


def _defaults(sheet: etree._Element) -> None:
    """What index 0 of each list (and fill 1) must be before ours, in a stylesheet made from
    nothing (a package some program wrote without one)."""
    if not len(_section(sheet, "fonts")):
        _index(sheet, "fonts", _el("font", _el("sz", val="11"), _el("name", val="Calibri")))
    if not len(_section(sheet, "fills")):
        for pattern in ("none", "gray125"):
            _section(sheet, "fills").append(_el("fill", _el("patternFill", patternType=pattern)))
        _section(sheet, "fills").set("count", "2")
    if not len(_section(sheet, "borders")):
        _index(sheet, "borders", _el("border"))
    plain = {"numFmtId": "0", "fontId": "0", "fillId": "0", "borderId": "0"}
    if not len(_section(sheet, "cellStyleXfs")):
        _index(sheet, "cellStyleXfs", _el("xf", **plain))
    _index(sheet, "cellXfs", _el("xf", **plain, xfId="0"))
    if not len(_section(sheet, "cellStyles")):
        _index(sheet, "cellStyles", _el("cellStyle", name="Normal", xfId="0", builtinId="0"))


def add_styles(sheet: etree._Element) -> Styles:
    """The tab's three styles in the stylesheet `sheet` (found, or appended at the end)."""
    if sheet.find(q("cellXfs")) is None:
        _defaults(sheet)
    numfmts = _section(sheet, "numFmts")
    fmt = next((f for f in numfmts if f.get("formatCode") == DATE_FORMAT), None)
    if fmt is None:
        ids = [int(f.get("numFmtId", "0")) for f in numfmts if isinstance(f.tag, str)]
        fmt = _el("numFmt", numFmtId=str(max([163, *ids]) + 1), formatCode=DATE_FORMAT)
        numfmts.append(fmt)
        numfmts.set("count", str(len(ids) + 1))
    fmt_id = fmt.get("numFmtId", "14")
    bold = _index(sheet, "fonts", _font(sheet, None))
    big = _index(sheet, "fonts", _font(sheet, TITLE_SIZE))
    fill = _index(
        sheet,
        "fills",
        _el("fill", _el("patternFill", _el("fgColor", rgb=HEADER_RGB), patternType="solid")),
    )
    base = {"numFmtId": "0", "fontId": "0", "fillId": "0", "borderId": "0"}
    if len(sheet.find(q("cellStyleXfs")) if sheet.find(q("cellStyleXfs")) is not None else ()):
        base["xfId"] = "0"  # the Normal cell style, as Excel's own cells refer to it
    xfs = "cellXfs"
    top = {"vertical": "top", "wrapText": "1"}
    return Styles(
        text=_index(sheet, xfs, _el("xf", _el("alignment", **top), **base, applyAlignment="1")),
        percent=_index(
            sheet,
            xfs,
            _el(
                "xf",
                _el("alignment", vertical="top"),
                **{**base, "numFmtId": PERCENT_ID},
                applyNumberFormat="1",
                applyAlignment="1",
            ),
        ),
        date=_index(sheet, xfs, _el("xf", **{**base, "numFmtId": fmt_id}, applyNumberFormat="1")),
        title=_index(sheet, xfs, _el("xf", **{**base, "fontId": str(big)}, applyFont="1")),
        header=_index(
            sheet,
            xfs,
            _el(
                "xf",
                _el("alignment", vertical="top", wrapText="1"),
                **{**base, "fontId": str(bold), "fillId": str(fill)},
                applyFont="1",
                applyFill="1",
                applyAlignment="1",
            ),
        ),
    )


def column_a(data: bytes, shared: list[str] | None, rows: int) -> list[str | None]:
    """The texts of A1..A<rows> of a worksheet part (None where empty or unreadable), read up
    to row `rows`; `shared` is the workbook's shared strings (None when it has none)."""
    found: list[str | None] = [None] * rows
    parsed = etree.iterparse(
        io.BytesIO(data), events=("end",), tag=q("row"), no_network=True, resolve_entities=False
    )
    for count, (_, row) in enumerate(parsed, start=1):
        number = int(row.get("r", "0") or 0) or count
        if number > rows:
            break
        c = row.find(q("c"))
        if c is not None and c.get("r", f"A{number}") == f"A{number}":
            found[number - 1] = _text(c, shared)
    return found


def _text(c: etree._Element, shared: list[str] | None) -> str | None:
    if c.get("t") == "inlineStr":
        return "".join(t.text or "" for t in c.iter(q("t")))
    v = c.findtext(q("v"))
    if c.get("t") == "s":
        if shared is None or v is None or not v.isdigit() or int(v) >= len(shared):
            return None
        return shared[int(v)]
    return v


def shared_strings(data: bytes) -> list[str]:
    """Every shared string's text (runs joined, phonetic guides left out)."""
    root = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))
    out = []
    for si in root.iterfind(q("si")):
        out.append("".join(t.text or "" for t in si.iter(q("t")) if t.getparent().tag != q("rPh")))
    return out
