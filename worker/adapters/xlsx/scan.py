"""One pass over a worksheet's XML, before any parser reads it: how far its cells reach, and what
calamine does not say about them.

- The extent: the farthest row and column holding a value. Calamine allocates the rectangle of
  its cells (a lone value at XFD1048576 asks for 512 GiB): the reader refuses a sheet past the
  limits before calamine sees it. Cells without a value (`<c r="…" s="1"/>`, styled but empty)
  are left out, as calamine leaves them out; cells and rows without an `r` take the next place,
  as in calamine.
- The marks, placed where calamine reads nothing or reads a number: a formula with no cached
  result (`cells.Uncomputed`: written by a program, never opened in an office suite), a formula
  error (#N/A, #REF!…, which calamine reads as empty), a number shown as a percentage
  (`cells.Percent`, so that 95% typed into a count column is not read as 0.95), and, where the
  reader cannot see the workbook's styles (a styles part not where calamine and openpyxl look
  for it), a number shown as a date.

Linear in the sheet's size: every cell tag is looked at once, and only a formula or an error
cell is looked into (its own bytes). The XML is untrusted and never parsed into a tree here.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
from xml.sax.saxutils import unescape

from worker.core.cells import Uncomputed


class Shown(Enum):
    """How a cell style shows a number, when the reader must be told."""

    PERCENT = "percent"
    DATE = "date"


# (row, column, what), 0-based. What: Uncomputed or an error's text ("#N/A") for a cell calamine
# reads as empty, or how its style shows its number.
Marks = list[tuple[int, int, Uncomputed | str | Shown]]
Styles = Mapping[bytes, Shown]  # style index (as in s="…") -> how it shows a number

_TAG = re.compile(rb"<(?:[\w.-]+:)?(row|c)(?=[\s/>])([^>]*)>")
_REF = re.compile(rb'\br="([A-Za-z]{0,3})(\d*)"')
_TYPE = re.compile(rb'\bt="(\w+)"')
_STYLE = re.compile(rb'\bs="(\d+)"')
_FORMULA = re.compile(rb"<(?:[\w.-]+:)?f[\s>/]")
_END = re.compile(rb"</(?:[\w.-]+:)?c>")
_VALUE = re.compile(rb"<(?:[\w.-]+:)?v>([^<]+)</")
_EMPTY_VALUE = re.compile(rb"<(?:[\w.-]+:)?v\s*(?:/>|></)")
_FORMULA_TEXT = re.compile(rb"<(?:[\w.-]+:)?f(?:\s[^>]*)?>([^<]*)</")


@dataclass
class SheetLook:
    rows: int = 0  # the farthest row holding a value (1-based; 0: none)
    columns: int = 0  # the farthest column holding a value (1-based)
    far: tuple[int, int] = (0, 0)  # (row, column) of the cell that sets `rows`, for messages
    marks: Marks = field(default_factory=list)
    precise: bool = True  # counted as calamine counts; else an upper bound (empty cells too)

    @property
    def area(self) -> int:
        """The cells of the rectangle from A1 to the farthest row and column."""
        return self.rows * self.columns


def column_number(letters: bytes) -> int:
    """b"A" -> 1, b"AB" -> 28."""
    number = 0
    for letter in letters.upper():
        number = number * 26 + letter - 64
    return number


def sheet_data(xml: bytes) -> tuple[int, int]:
    """Where the cells are: formulas in data validations and extensions lie outside."""
    start = xml.find(b"sheetData")
    end = xml.rfind(b"sheetData")
    return (start, end) if start >= 0 else (0, 0)


def scan(xml: bytes, styles: Styles | None = None, precise: bool = False) -> SheetLook:
    """The extent and the marks of a worksheet part; `styles`: the style indexes whose number
    format the reader must be told of.

    The extent counts every cell with an address, empty or not: an upper bound, found fast.
    `precise`: count only the cells holding a value, as calamine does (when the bound is past
    a limit, before anyone is told their sheet is too big)."""
    styles = styles or {}
    start, end = sheet_data(xml)
    root = re.search(rb"<([\w.-]+:)?worksheet[\s>]", xml)
    prefix = root[1] if root and root[1] else b""
    p = re.escape(prefix)
    # The usual sheet: every cell's address is its first attribute (as Excel, LibreOffice and
    # the libraries write it). Then a few searches in C do it all.
    if xml.count(b"<" + prefix + b"c", start, end) != xml.count(
        b"<" + prefix + b'c r="', start, end
    ):
        return _scan_each(xml, start, end, styles)
    look = _extent(xml, start, end, p) if precise else _bound(xml, start, end, p)
    look.marks = _marks(xml, start, end, p, styles)
    return look


def _bound(xml: bytes, start: int, end: int, p: bytes) -> SheetLook:
    """The rectangle of every addressed cell. The last row's number and the dimension's last
    column are taken at their word, then checked: a search finds any cell beyond them."""
    last = _last(re.compile(rb"<" + p + rb'row r="(\d+)"'), xml, start, end)
    row = int(last[1]) if last else 0
    dimension = re.search(rb'<(?:[\w.-]+:)?dimension ref="[A-Z]*\d*:?([A-Z]+)\d*"', xml[:start])
    column = dimension[1] if dimension else b"A"
    beyond = re.compile(
        rb"<" + p + rb'c r="(?:[A-Z]*[a-z]|(?:' + _letters_above(column) + rb")\d|[A-Z]+(?:"
        + _digits_above(str(row).encode()) + rb')")'
    )  # fmt: skip
    if beyond.search(xml, start, end):
        return _extent(xml, start, end, p, every=True)
    cells = xml.find(b'c r="', start, end) >= 0
    return SheetLook(row if cells else 0, column_number(column) if cells else 0, precise=False)


def _last(pattern: re.Pattern[bytes], xml: bytes, start: int, end: int) -> re.Match[bytes] | None:
    """The last match of `pattern` before `end`, found from the end (rows come in order)."""
    at = end
    while at > start:
        at = max(start, at - 4096)
        found = list(pattern.finditer(xml, at, end))
        if found:
            return found[-1]
    return None


def _digits_above(number: bytes) -> bytes:
    """A regular expression for the whole numbers above `number` (its digits): longer, or as
    long and greater at the first digit that differs."""
    options = [rb"[1-9]\d{%d,}" % len(number)]
    for i, digit in enumerate(number):
        if digit < ord("9"):
            rest = len(number) - i - 1
            options.append(
                number[:i] + b"[%c-9]" % (digit + 1) + (rb"\d{%d}" % rest if rest else b"")
            )
    return b"|".join(options)


def _letters_above(letters: bytes) -> bytes:
    """A regular expression for the column names after `letters` (A < Z < AA < XFD)."""
    options = [rb"[A-Z]{%d,}" % (len(letters) + 1)]
    for i, letter in enumerate(letters):
        if letter < ord("Z"):
            rest = len(letters) - i - 1
            options.append(
                letters[:i] + b"[%c-Z]" % (letter + 1) + (rb"[A-Z]{%d}" % rest if rest else b"")
            )
    return b"|".join(options)


def _extent(xml: bytes, start: int, end: int, p: bytes, every: bool = False) -> SheetLook:
    """The rectangle of the cells holding a value (`every`: of every addressed cell), and the
    farthest of them."""
    cells = re.compile(rb"<" + p + rb'c r="([A-Za-z]+)(\d+)"([^>]*)>(</)?')
    refs = cells.findall(xml, start, end)
    kept = [(x, d) for x, d, attrs, closed in refs if every or not (closed or attrs.endswith(b"/"))]
    look = SheetLook(precise=not every)
    if kept:
        numbers = [int(d) for _, d in kept]
        look.rows = max(numbers)
        look.columns = max(map(column_number, {x for x, _ in kept}))
        look.far = (look.rows, column_number(kept[numbers.index(look.rows)][0]))
    return look


def _marks(xml: bytes, start: int, end: int, p: bytes, styles: Styles) -> Marks:
    """The marks of a sheet whose cells all lead with their address: formulas not followed by a
    value, error cells, cells of a style to tell. A pass each, in C, and only where a quick
    look finds that kind at all: most sheets have no error, many no formula."""
    f, v, c = rb"<" + p + rb"f", rb"<" + p + rb"v>", rb"<" + p + rb"c "
    tag = re.compile(rb"<" + p + rb"c(\s[^>]*)>")
    marks: Marks = []
    if xml.find(f, start, end) >= 0:
        bare = re.compile(f + rb"(?:\s[^>]*)?(?:/>|>[^<]*</" + p + rb"f>)(?!\s*" + v + rb"[^<])")
        for hit in bare.finditer(xml, start, end):
            # its cell starts just before it: the search back stops there
            cell = tag.match(xml, xml.rfind(c, start, hit.start()))
            ref = _REF.search(cell[1]) if cell else None
            if cell and ref:
                _look_into(xml, cell, cell[1], int(ref[2]), column_number(ref[1]), marks)
    if xml.find(b't="e"', start, end) >= 0:
        for cell in re.compile(c + rb'[^>]*\bt="e"[^>]*>').finditer(xml, start, end):
            attrs = cell.group()[len(c) - 1 : -1]
            ref = _REF.search(attrs)
            if ref:
                _look_into(xml, cell, attrs, int(ref[2]), column_number(ref[1]), marks)
    if styles:
        indexes = b"|".join(sorted(styles))
        for cell in re.compile(c + rb'[^>]*\bs="(?:' + indexes + rb')"[^>]*>').finditer(
            xml, start, end
        ):
            attrs = cell.group()[len(c) - 1 : -1]
            ref = _REF.search(attrs)
            if ref:
                _styled(attrs, int(ref[2]), column_number(ref[1]), styles, marks)
    return marks


def _styled(attrs: bytes, row: int, column: int, styles: Styles, marks: Marks) -> None:
    """A number cell of a style to tell, marked (text, booleans and errors keep their value)."""
    kind, style = _TYPE.search(attrs), _STYLE.search(attrs)
    if style and style[1] in styles and (kind is None or kind[1] == b"n"):
        marks.append((row - 1, column - 1, styles[style[1]]))


def _scan_each(xml: bytes, start: int, end: int, styles: Styles) -> SheetLook:
    """Any other sheet, tag by tag: cells and rows without an address take the next place."""
    look = SheetLook()
    row = column = 0
    columns: dict[bytes, int] = {}  # letters -> number: a sheet has few distinct ones
    for tag in _TAG.finditer(xml, start, end):
        name, attrs = tag.groups()
        ref = _REF.search(attrs) if b"r=" in attrs else None
        if name == b"row":
            row = int(ref[2]) if ref and ref[2] else row + 1
            column = 0
            continue
        if ref and ref[1]:
            column = columns.get(ref[1]) or columns.setdefault(ref[1], column_number(ref[1]))
            row = int(ref[2]) if ref[2] else row
        else:
            column += 1
        if attrs.endswith(b"/") or xml.startswith(b"</", tag.end()):
            continue  # no value: calamine makes no cell of it
        if row > look.rows:
            look.rows, look.far = row, (row, column)
        look.columns = max(look.columns, column)
        if _FORMULA.match(xml, tag.end()) or b't="e"' in attrs:
            _look_into(xml, tag, attrs, row, column, look.marks)
        if styles and b"s=" in attrs:
            _styled(attrs, row, column, styles, look.marks)
    return look


def _look_into(
    xml: bytes, tag: re.Match[bytes], attrs: bytes, row: int, column: int, marks: Marks
) -> None:
    """A formula or error cell: an uncomputed formula or an error value, marked."""
    close = _END.search(xml, tag.end())
    body = xml[tag.end() : close.start() if close else tag.end()]
    value = _VALUE.search(body)
    kind = _TYPE.search(attrs)
    if kind and kind[1] == b"e":
        if value:
            marks.append((row - 1, column - 1, unescape(value[1].decode("utf-8", "replace"))))
        return
    if value or (kind and kind[1] == b"str" and _EMPTY_VALUE.search(body)):
        return  # a cached result; or an empty <v/> of a text formula: its result is ""
    formula = _FORMULA_TEXT.search(body)
    shown = unescape(formula[1].decode("utf-8", "replace")) if formula else ""
    marks.append((row - 1, column - 1, Uncomputed(shown)))
