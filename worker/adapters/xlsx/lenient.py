"""The second reader: a workbook's cell values, read as leniently as LibreOffice reads them, for
the workbooks calamine refuses (python-calamine 0.9 stops at a sheet state "show", a merged
range "A:A", parts encoded in UTF-16, an Excel 4 macro sheet, a workbook part in an early
namespace, a relationship that leads nowhere...).

Only what the worker needs is read: each worksheet's values (shared and inline strings,
numbers, booleans, error texts, dates where a cell's style shows a date), by lxml, entities never
expanded (a part declaring a DTD was refused before: OPC M1.18). A sheet whose XML is broken
after its cells (an element left open in an extension) is read up to the end of its cells; one
broken among its cells is damaged: half a sheet read as the whole would rate models wrong. A
worksheet whose part cannot be found is an empty tab, as LibreOffice shows it. The look before
(`read.look`) has bounded every sheet's size, so this reads in bounded memory too.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator, Mapping
from datetime import datetime, timedelta
from typing import Any

from lxml import etree

from worker.adapters.xlsx.package import Package
from worker.adapters.xlsx.parts import PackageError, kind
from worker.adapters.xlsx.scan import Shown, column_number

Rows = list[list[Any]]
_REF_LETTERS = str.maketrans("", "", "0123456789$")


def read_leniently(
    pkg: Package,
    sheets: Mapping[str, str | None],
    styles: Mapping[bytes, Shown],
    epoch: datetime,
) -> dict[str, Rows]:
    """Every worksheet's rows, by name (`sheets`: name -> its part, None where none is found);
    `styles`: the number styles, dates among them; `epoch`: day 0 of the workbook's dates."""
    shared = _shared_strings(pkg)
    dates = {int(i) for i, shown in styles.items() if shown is Shown.DATE}
    tabs = {}
    for name, part in sheets.items():
        tabs[name] = _rows(_cells_part(pkg.read(part)), shared, dates, epoch) if part else []
    return tabs


def _parse(data: bytes, tag: str) -> Iterator[etree._Element]:
    """The elements `tag` of a part; raises PackageError where its XML is broken."""
    parsed = etree.iterparse(
        io.BytesIO(data), events=("end",), tag=tag,
        resolve_entities=False, no_network=True, load_dtd=False,
    )  # fmt: skip
    try:
        yield from (element for _, element in parsed)
    except etree.XMLSyntaxError as exc:
        raise PackageError(str(exc)) from None


def _cells_part(xml: bytes) -> bytes:
    """A worksheet's XML; one broken after its cells, cut there (and closed)."""
    try:
        etree.fromstring(xml, etree.XMLParser(resolve_entities=False, no_network=True))
        return xml
    except etree.XMLSyntaxError:
        pass  # broken somewhere: keep what stands before the end of its cells, below
    end = re.search(rb"</(?:[\w.-]+:)?sheetData>", xml)
    root = re.search(rb"<([\w.-]+:)?worksheet[\s>]", xml)
    if end is None or root is None:
        raise PackageError("worksheet broken among its cells")
    return xml[: end.end()] + b"</" + (root[1] or b"") + b"worksheet>"


def _text(element: etree._Element) -> str:
    """A string item's text: its runs joined, phonetic guides (rPh) left out."""
    return "".join(
        t.text or ""
        for t in element.iter("{*}t")
        if etree.QName(t.getparent()).localname != "rPh"  # type: ignore[arg-type]
    )


def _shared_strings(pkg: Package) -> list[str]:
    main = pkg.main_part()
    for rel in pkg.readable_relationships(main):
        part = pkg.find(rel.target) if kind(rel.type) == "sharedStrings" else None
        if part:
            strings = []
            for si in _parse(pkg.read(part), "{*}si"):
                strings.append(_text(si))
                si.clear()
            return strings
    return []


def _rows(data: bytes, shared: list[str], dates: set[int], epoch: datetime) -> Rows:
    rows: Rows = []
    row = column = 0
    for element in _parse(data, "{*}row"):
        row = int(element.get("r", "")) if element.get("r", "").isdigit() else row + 1
        column = 0
        for c in element.iterfind("{*}c"):
            ref = c.get("r", "")
            letters = ref.translate(_REF_LETTERS).upper()
            column = column_number(letters.encode()) if letters else column + 1
            value = _value(c, shared, dates, epoch)
            if value is None or row < 1 or column < 1:
                continue  # empty, or at a place no sheet has (row 0, as a fuzzer writes it)
            while len(rows) < row:
                rows.append([])
            cells = rows[row - 1]
            cells.extend([None] * (column - len(cells)))
            cells[column - 1] = value
        element.clear()
    return rows


def _value(c: etree._Element, shared: list[str], dates: set[int], epoch: datetime) -> Any:
    t = c.get("t", "n")
    if t == "inlineStr":
        inline = c.find("{*}is")
        return _text(inline) if inline is not None else None
    v = c.findtext("{*}v")
    if v is None or (v == "" and t != "str"):
        return None
    if t == "s":
        return shared[int(v)] if v.strip().isdigit() and int(v) < len(shared) else None
    if t == "b":
        return v.strip() in ("1", "true")
    if t in ("e", "str"):
        return v
    if t == "d":
        try:
            return datetime.fromisoformat(v)
        except ValueError:
            return v
    try:
        number = float(v)
    except ValueError:
        return v
    style = c.get("s", "0")
    if style.isdigit() and int(style) in dates:
        try:
            return epoch + timedelta(days=number)
        except OverflowError:
            return number
    return int(number) if number.is_integer() and "." not in v and "E" not in v.upper() else number
