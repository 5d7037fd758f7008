"""The .xlsx reader: every tab's rows as plain cell values, read in bounded time and memory.

First a look before parsing (`problems.before_opening`, then the zip directory and one pass over
each worksheet, `scan`): a file that is missing, a folder, encrypted, an old .xls, an .ods, past
the `limits`, or declaring a DTD (OPC forbids it: the "billion laughs") is refused with its own
message before any parser allocates. The workbook's parts are found through the package's
relationships, as Excel finds them (not at fixed names).

Then calamine (python-calamine) parses the workbook eagerly in Rust, about twenty times cheaper
than openpyxl. Where calamine refuses a workbook that LibreOffice opens, the lenient reader
(`lenient`) reads it; only what neither reads is called damaged.

What calamine does not say is added from the look (`scan`): uncomputed formulas
(`cells.Uncomputed`), formula errors as their text, numbers shown as percentages
(`cells.Percent`), and dates where calamine cannot see the workbook's styles.
"""

from __future__ import annotations

import io
import logging
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from lxml import etree
from python_calamine import CalamineError, CalamineWorkbook, PasswordError, SheetTypeEnum

from worker.adapters.xlsx import problems
from worker.adapters.xlsx.lenient import read_leniently
from worker.adapters.xlsx.limits import LIMITS, TooBig, size_text
from worker.adapters.xlsx.package import Package
from worker.adapters.xlsx.parts import (
    kind,
    refuse_dtd,
)
from worker.adapters.xlsx.scan import Marks, SheetLook, Shown, scan
from worker.adapters.xlsx.sheet import column_letter
from worker.adapters.xlsx.zipcopy import raw_entry, write_zip
from worker.core.cells import Percent, grouped

_MIDNIGHT = time()
_BUILTIN_PERCENT = {9, 10}  # 0% and 0.00%
_BUILTIN_DATES = {*range(14, 23), *range(45, 48)}  # m/d/yyyy, d-mmm-yy, h:mm... (§18.8.30)
_UTF16 = (b"\xff\xfe", b"\xfe\xff")
_OTHER_SHEETS = ("chartsheet", "macrosheet", "dialogsheet", "xlMacrosheet", "xlIntlMacrosheet")


@dataclass
class Book:
    """What the look found: each tab's part (None where its part cannot be found: an empty tab,
    as LibreOffice shows it), what its scan saw, the workbook's number styles and date system."""

    sheets: dict[str, str | None] = field(default_factory=dict)  # name -> part
    looks: dict[str, SheetLook] = field(default_factory=dict)
    epoch: datetime = datetime(1899, 12, 30)  # day 0 of its dates: 1904-01-01 in a 1904 one
    styles: dict[bytes, Shown] = field(default_factory=dict)  # percent and date styles
    blind: bool = False  # calamine cannot see the styles part: dates must be told too
    # Entries named with backslashes (xl\\workbook.xml, as some Windows tools write them):
    # calamine finds no part of them, so it reads a copy named with slashes.
    backslashes: bool = False

    def marked(self) -> dict[bytes, Shown]:
        """The styles whose cells calamine must be told of."""
        return {i: s for i, s in self.styles.items() if s is Shown.PERCENT or self.blind}


def read_tabs(path: Path) -> dict[str, list[list[Any]]]:
    """Every tab's rows as cell values (cached formula results, not formulas), the header row
    first: dates as datetime, empty cells as None, whole numbers possibly as floats, trailing
    empty cells and rows left out. Raises SheetError with a Vietnamese message for a file that
    is missing, unreadable, damaged, password-protected, too big or not an .xlsx."""
    problems.before_opening(path)
    with problems.told(path, etree.XMLSyntaxError, ValueError):
        book = look(path)
        raw = _read(path, book)
    tabs = {name: _plain(rows) for name, rows in raw.items()}
    for name, rows in tabs.items():
        found = book.looks.get(name)
        if found is not None:
            _apply(rows, found.marks, book.epoch)
    return tabs


def _read(path: Path, book: Book) -> dict[str, list[list[Any]]]:
    """The values, by calamine; by the lenient reader where calamine refuses."""
    try:
        return _calamine(path, book.backslashes)
    except PasswordError:
        raise problems.encrypted(path) from None
    except (CalamineError, ValueError, OSError) as exc:
        logging.getLogger("mohinh").info("%s: calamine: %r; đọc bằng cách khác", path, exc)
    with Package(path) as pkg:
        return read_leniently(pkg, book.sheets, book.styles, book.epoch)


def look(path: Path) -> Book:
    """The workbook's worksheets found and scanned; raises TooBig past the limits."""
    book = Book()
    with Package(path) as pkg:
        book.backslashes = any("\\" in info.filename for info in pkg.infos)
        main = pkg.main_part()
        workbook = pkg.xml(main)
        props = workbook.find("{*}workbookPr")
        if props is not None and props.get("date1904", "") in ("1", "true"):
            book.epoch = datetime(1904, 1, 1)
        rels = {r.id: r for r in pkg.readable_relationships(main)}
        parts = [main, *_number_parts(pkg, rels.values(), book)]
        for sheet in workbook.iterfind("{*}sheets/{*}sheet"):
            rid = next((v for k, v in sheet.attrib.items() if k.endswith("}id")), "")
            found = rels.get(rid)
            if found is not None and kind(found.type) in _OTHER_SHEETS:
                continue  # a chart, a macro or a dialog sheet: no tab of values
            name = sheet.get("name", "")
            part = pkg.find(found.target) if found else None
            book.sheets[name] = part
            if part is not None:
                book.looks[name] = scan(_sheet_xml(pkg, name, part), book.marked())
                parts.append(part)
        _check_sizes(pkg, parts, book)
    return book


def _number_parts(pkg: Package, rels: Any, book: Book) -> list[str]:
    """The styles and shared strings parts, checked; the number styles read into `book`."""
    parts = []
    for rel in rels:
        part = pkg.find(rel.target)
        if part and kind(rel.type) == "styles":
            book.styles = _number_styles(pkg.xml(part))
            # calamine looks for the styles at this name only: elsewhere it reads a date as its
            # bare number, and must be told
            book.blind = part != "xl/styles.xml"
        if part and kind(rel.type) in ("styles", "sharedStrings"):
            pkg.check(part)
            refuse_dtd(pkg.read(part, 64 * 1024), part)
            parts.append(part)
    return parts


def _sheet_xml(pkg: Package, name: str, part: str) -> bytes:
    """A worksheet's XML, as UTF-8, checked against the limits and for a DTD."""
    try:
        xml = _utf8(pkg.read(part))
    except TooBig as exc:
        raise TooBig(f"tab {name}: {exc.what}", exc.fix) from None
    refuse_dtd(xml, part)
    return xml


def _utf8(xml: bytes) -> bytes:
    """A part in UTF-16 (a byte-order mark, or an encoding declared so) as UTF-8, for the scan."""
    if xml[:2] in _UTF16 or re.match(rb"<\?xml[^>]*encoding=.UTF-16", xml[:100], re.I):
        return xml.decode("utf-16").encode("utf-8")
    if xml[:1] == b"<" and xml[1:2] == b"\0":
        return xml.decode("utf-16-le").encode("utf-8")  # UTF-16 without its mark
    return xml


def _check_sizes(pkg: Package, parts: list[str], book: Book) -> None:
    total = sum(pkg.size(p) for p in set(parts))
    if total > LIMITS.parts_bytes:
        raise TooBig(
            f"các tab giải nén ra {size_text(total)}, vượt giới hạn "
            f"{size_text(LIMITS.parts_bytes)}",
            "xóa các dòng, cột, tab thừa hoặc tách bảng tính",
        )
    area = sum(found.area for found in book.looks.values())
    if area > LIMITS.cells:  # the bound is past the limit: count as calamine counts
        for name, found in book.looks.items():
            part = book.sheets[name]
            if not found.precise and part is not None:
                book.looks[name] = scan(_sheet_xml(pkg, name, part), book.marked(), precise=True)
        area = sum(found.area for found in book.looks.values())
    if area > LIMITS.cells:
        name, far = max(book.looks.items(), key=lambda item: item[1].area)
        row, column = far.far
        raise TooBig(
            f"tab {name} có dữ liệu tới dòng {grouped(far.rows)}, cột "
            f"{column_letter(far.columns)}: vùng từ A1 gồm {grouped(area)} ô, vượt giới hạn "
            f"{grouped(LIMITS.cells)} ô",
            f"xóa các ô có dữ liệu nằm ngoài bảng (như ô {column_letter(column)}{row} của tab "
            f"{name}) hoặc tách bảng tính, rồi lưu lại",
        )


def _number_styles(styles: etree._Element) -> dict[bytes, Shown]:
    """The cell style indexes (as in s="…") whose number format shows a percentage or a date."""
    formats = dict.fromkeys(_BUILTIN_PERCENT, Shown.PERCENT)
    formats.update(dict.fromkeys(_BUILTIN_DATES, Shown.DATE))
    for fmt in styles.iterfind("{*}numFmts/{*}numFmt"):
        # A % inside quotes or after a backslash is a literal sign, not a percentage; d, m, y
        # likewise, and so inside brackets ([Red], [$-42A]).
        code = re.sub(r'"[^"]*"|\\.|\[[^]]*\]', "", fmt.get("formatCode", ""))
        number = fmt.get("numFmtId", "")
        if not number.isdigit():
            continue
        if "%" in code:
            formats[int(number)] = Shown.PERCENT
        elif re.search("[dmyhs]", code, re.IGNORECASE) and code.casefold() != "general":
            formats[int(number)] = Shown.DATE
    xfs = styles.find("{*}cellXfs")
    if xfs is None:
        return {}
    found = {}
    for i, xf in enumerate(xf for xf in xfs if etree.QName(xf).localname == "xf"):
        number = xf.get("numFmtId", "0")
        if number.isdigit() and int(number) in formats:
            found[str(i).encode()] = formats[int(number)]
    return found


def _calamine(path: Path, backslashes: bool) -> dict[str, list[list[Any]]]:
    source = _with_slashes(path.read_bytes()) if backslashes else None
    opened = CalamineWorkbook.from_filelike(source) if source else None
    with opened or CalamineWorkbook.from_path(str(path)) as wb:
        names = [m.name for m in wb.sheets_metadata if m.typ == SheetTypeEnum.WorkSheet]
        return {n: wb.get_sheet_by_name(n).to_python(skip_empty_area=False) for n in names}


def _with_slashes(data: bytes) -> io.BytesIO:
    """The zip `data` with every entry named with slashes, its bytes copied as they were."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        entries = [raw_entry(data, info) for info in z.infolist()]
    for entry in entries:
        entry.name = entry.name.replace("\\", "/")
    return io.BytesIO(write_zip(entries))


def _plain(rows: list[list[Any]]) -> list[list[Any]]:
    """Values as openpyxl's: "" for an empty cell becomes None, a date a datetime; changed in
    place (a copy would double the memory a large sheet takes). A row with neither is left as
    it is, found so in C."""
    for values in rows:
        if "" in values or date in map(type, values):
            for i, v in enumerate(values):
                if v == "":
                    values[i] = None
                elif type(v) is date:
                    values[i] = datetime.combine(v, _MIDNIGHT)
            while values and values[-1] is None:
                values.pop()
    while rows and not rows[-1]:
        rows.pop()
    return rows


def _apply(rows: list[list[Any]], marks: Marks, epoch: datetime) -> None:
    for r, c, mark in marks:
        while len(rows) <= r:
            rows.append([])
        row = rows[r]
        if len(row) <= c:
            row.extend([None] * (c + 1 - len(row)))
        value = row[c]
        if isinstance(mark, Shown):
            if isinstance(value, int | float) and not isinstance(value, bool):
                row[c] = Percent(value) if mark is Shown.PERCENT else _date(value, epoch)
        elif value is None:  # the reader read nothing there: no cached value, or an error
            row[c] = mark


def _date(serial: float, epoch: datetime) -> datetime | float:
    """A date cell's number as the date it shows (a number out of range stays a number)."""
    try:
        return epoch + timedelta(days=serial)
    except OverflowError:
        return serial
