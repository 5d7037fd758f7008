"""The fast .xlsx reader (python-calamine): every tab's rows as plain cell values.

Calamine parses the workbook eagerly in Rust, about twenty times cheaper than openpyxl, and a
damaged sheet fails here, inside the `try`, not halfway through a run. Two things calamine does
not say are found by a targeted look at the XML, only where they can occur:

- a formula cell with no cached result (a file written by a program and never opened in an
  office suite) becomes `cells.Uncomputed`, so the unit is told the truth instead of "empty";
- a number formatted as a percentage becomes `cells.Percent`, so 95% typed into a count
  column is not silently read as 0.95. Workbooks without a percent style skip this look;
- a formula error (#N/A, #REF!…) is its text, as openpyxl reads it: calamine reads it as empty,
  and the validator reports the error only if it sees it.
"""

from __future__ import annotations

import logging
import posixpath
import re
import zipfile
import zlib
from contextlib import suppress
from datetime import date, datetime, time
from pathlib import Path
from typing import Any
from xml.etree import ElementTree
from xml.sax.saxutils import unescape

from python_calamine import CalamineError, CalamineWorkbook, PasswordError, SheetTypeEnum

from worker.core.cells import Percent, Uncomputed
from worker.core.errors import SheetError

# (row, column, what), 0-based. What: Uncomputed or an error's text ("#N/A") for a cell calamine
# reads as empty, None for a number to show as a percentage.
Marks = list[tuple[int, int, Uncomputed | str | None]]

_CFB = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # OLE compound file: old .xls or encrypted .xlsx
_ENCRYPTED = "EncryptedPackage".encode("utf-16-le")  # the stream an encrypted .xlsx keeps
_MIDNIGHT = time()
_BUILTIN_PERCENT = {9, 10}  # 0% and 0.00%
_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_FORMULA = re.compile(rb"<(?:\w+:)?f[\s>/]")
_REF = re.compile(rb'\sr="([A-Z]{1,3})(\d+)"')
_TYPE = re.compile(rb'\st="(\w+)"')
_VALUE = re.compile(rb"<(?:\w+:)?v>([^<]+)</")
_EMPTY_VALUE = re.compile(rb"<(?:\w+:)?v\s*(?:/>|></)")
_ERROR_CELL = re.compile(rb'<(?:\w+:)?c\s[^>]*\bt="e"[^>]*>')
_FORMULA_TEXT = re.compile(rb"<(?:\w+:)?f(?:\s[^>]*)?>([^<]*)</")
_DAMAGED = (CalamineError, zipfile.BadZipFile, zlib.error, KeyError, EOFError, ValueError)
_XML_DAMAGED = (*_DAMAGED, ElementTree.ParseError)


def read_tabs(path: Path) -> dict[str, list[list[Any]]]:
    """Every tab's rows as cell values (cached formula results, not formulas), the header row
    first; the values worker.adapters.xlsx.workbook.read_tabs gives (dates as datetime, empty
    cells as None), whole numbers possibly as floats, trailing empty cells and rows left out.
    Raises SheetError with a Vietnamese message for a missing, unreadable, damaged or
    password-protected file."""
    try:
        with CalamineWorkbook.from_path(str(path)) as wb:
            names = [m.name for m in wb.sheets_metadata if m.typ == SheetTypeEnum.WorkSheet]
            raw = {n: wb.get_sheet_by_name(n).to_python(skip_empty_area=False) for n in names}
        marks = _marks(path, names)
    except PasswordError:
        raise _encrypted(path) from None
    except _XML_DAMAGED as exc:
        raise _damaged(path, exc) from None
    except OSError:  # python-calamine raises a bare OSError, without errno, for the file system
        if not path.is_file():
            raise SheetError(f"không tìm thấy tệp {path.name}") from None
        raise SheetError(f"không có quyền đọc tệp {path.name} (tệp đang bị khóa)") from None
    tabs = {name: _plain(raw[name]) for name in names}
    for name, found in marks.items():
        _apply(tabs[name], found)
    return tabs


def _plain(rows: list[list[Any]]) -> list[list[Any]]:
    """Calamine's values as openpyxl's: "" for an empty cell becomes None, a date a datetime."""
    result = [
        [None if v == "" else datetime.combine(v, _MIDNIGHT) if type(v) is date else v for v in row]
        for row in rows
    ]
    for values in result:
        while values and values[-1] is None:
            values.pop()
    while result and not result[-1]:
        result.pop()
    return result


def _apply(rows: list[list[Any]], marks: Marks) -> None:
    for r, c, mark in marks:
        while len(rows) <= r:
            rows.append([])
        row = rows[r]
        if len(row) <= c:
            row.extend([None] * (c + 1 - len(row)))
        if mark is None:
            if isinstance(row[c], int | float) and not isinstance(row[c], bool):
                row[c] = Percent(row[c])
        elif row[c] is None:  # calamine read nothing there: no cached value, or an error
            row[c] = mark


def _damaged(path: Path, exc: Exception) -> SheetError:
    # the library's English detail is for the log, not for the unit's email
    logging.getLogger("mohinh").info("%s không đọc được: %r", path, exc)
    if path.is_dir():
        return SheetError(
            f"{path.name} là một thư mục, không phải tệp .xlsx: sửa cột Bảng tính trong danh mục "
            "cho đúng tên tệp"
        )
    head = b""
    with suppress(OSError), path.open("rb") as f:  # unreadable: the general message below
        head = f.read(len(_CFB))
        if head == _CFB and _ENCRYPTED in head + f.read():
            return _encrypted(path)
    if head == _CFB:
        return SheetError(
            f"tệp {path.name} là tệp Excel cũ (.xls), không phải .xlsx: mở bằng Excel hoặc "
            "LibreOffice rồi lưu lại dạng .xlsx (Sổ làm việc Excel)"
        )
    return SheetError(
        f"tệp {path.name} bị hỏng hoặc không phải tệp .xlsx: mở bằng Excel hoặc "
        "LibreOffice, lưu lại dạng .xlsx, hoặc chép lại bản còn tốt"
    )


def _encrypted(path: Path) -> SheetError:
    return SheetError(
        f"tệp {path.name} được đặt mật khẩu: bỏ mật khẩu "
        "(Tệp > Thông tin > Bảo vệ sổ làm việc) rồi lưu lại"
    )


def _marks(path: Path, names: list[str]) -> dict[str, Marks]:
    """Uncomputed formulas and percent-formatted numbers of each sheet, by sheet name."""
    result: dict[str, Marks] = {}
    with zipfile.ZipFile(path) as z:
        parts = _sheet_parts(z)
        percent = _percent_styles(z, parts.get("", "xl/styles.xml"))
        styled = (
            re.compile(rb'<(?:\w+:)?c\s[^>]*\bs="(?:%b)"[^>]*>' % b"|".join(percent))
            if percent
            else None
        )
        for name in names:
            part = parts.get(name)
            if part is None or part not in z.NameToInfo:
                continue
            xml = z.read(part)
            start, end = _sheet_data(xml)
            found = _uncomputed(xml, start, end) if _may_have_formulas(xml, start, end) else []
            if b't="e"' in xml:
                found += _errors(xml, start, end)
            if styled is not None:
                found += _percents(xml, start, end, styled)
            if found:
                result[name] = found
    return result


def _sheet_parts(z: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> its XML part in the zip; "" -> the styles part."""
    book = ElementTree.fromstring(z.read("xl/workbook.xml"))
    rels = ElementTree.fromstring(z.read("xl/_rels/workbook.xml.rels"))
    targets = {}
    for rel in rels:
        target = rel.get("Target", "")
        target = target.lstrip("/") if target.startswith("/") else posixpath.join("xl", target)
        targets[rel.get("Id")] = posixpath.normpath(target)
        if rel.get("Type", "").endswith("/styles"):
            targets["styles"] = targets[rel.get("Id")]
    parts = {"": targets.get("styles", "xl/styles.xml")}
    for sheet in book.iterfind(".//{*}sheet"):
        rid = next((v for k, v in sheet.attrib.items() if k.endswith("}id")), None)
        if rid in targets:
            parts[sheet.get("name", "")] = targets[rid]
    return parts


def _percent_styles(z: zipfile.ZipFile, part: str) -> list[bytes]:
    """The cell style indexes (as in s="…") whose number format shows a percentage."""
    if part not in z.NameToInfo:
        return []
    styles = ElementTree.fromstring(z.read(part))
    formats = set(_BUILTIN_PERCENT)
    for fmt in styles.iterfind(".//{*}numFmt"):
        # A % inside quotes or after a backslash is a literal sign, not a percentage.
        code = re.sub(r'"[^"]*"|\\.', "", fmt.get("formatCode", ""))
        if "%" in code:
            formats.add(int(fmt.get("numFmtId", "-1")))
    xfs = styles.find("{*}cellXfs")
    if xfs is None:
        return []
    return [
        str(i).encode()
        for i, xf in enumerate(xf for xf in xfs if xf.tag.endswith("}xf"))
        if int(xf.get("numFmtId", "0")) in formats
    ]


def _sheet_data(xml: bytes) -> tuple[int, int]:
    """Where the cells are: formulas in data validations and extensions lie outside."""
    start = xml.find(b"sheetData")
    end = xml.rfind(b"sheetData")
    return (start, end) if start >= 0 else (0, 0)


def _cell_at(xml: bytes, pos: int) -> tuple[int, int, bytes] | None:
    """The cell element around `pos`: (row, column) 0-based and its XML."""
    start = max(xml.rfind(b"<c ", 0, pos), xml.rfind(b":c ", 0, pos))
    end = xml.find(b"c>", pos)  # </c> (or </x:c>): "c>" cannot occur escaped in a value
    ref = _REF.search(xml, start, xml.find(b">", start)) if start >= 0 else None
    if end < 0 or ref is None:
        return None  # a cell without its address: rare, and calamine has placed it already
    r, c = _position(ref)
    return r, c, xml[start : end + 2]


def _position(ref: re.Match[bytes]) -> tuple[int, int]:
    """(row, column), 0-based, of an r="AB12" match."""
    column = 0
    for letter in ref.group(1):
        column = column * 26 + letter - 64
    return int(ref.group(2)) - 1, column - 1


def _may_have_formulas(xml: bytes, start: int, end: int) -> bool:
    """A cheap look before the regular expression: most sheets hold no formula at all."""
    return xml.find(b"<f", start, end) >= 0 or xml.find(b":f", start, end) >= 0


def _uncomputed(xml: bytes, start: int, end: int) -> Marks:
    found: Marks = []
    for hit in _FORMULA.finditer(xml, start, end):
        cell = _cell_at(xml, hit.start())
        if cell is None:
            continue
        r, c, text = cell
        if _VALUE.search(text):
            continue
        kind = _TYPE.search(text[: text.find(b">")])
        if kind and kind.group(1) == b"str" and _EMPTY_VALUE.search(text):
            continue  # an empty <v/> of a text formula: its result is the empty text
        formula = _FORMULA_TEXT.search(text)
        shown = unescape(formula.group(1).decode("utf-8")) if formula else ""
        found.append((r, c, Uncomputed(shown)))
    return found


def _errors(xml: bytes, start: int, end: int) -> Marks:
    found: Marks = []
    for hit in _ERROR_CELL.finditer(xml, start, end):
        ref = _REF.search(hit.group(0))
        value = _VALUE.search(xml, hit.end(), xml.find(b"c>", hit.end()))
        if ref is not None and value is not None:
            r, c = _position(ref)
            found.append((r, c, unescape(value.group(1).decode("utf-8"))))
    return found


def _percents(xml: bytes, start: int, end: int, styled: re.Pattern[bytes]) -> Marks:
    found: Marks = []
    for hit in styled.finditer(xml, start, end):
        tag = hit.group(0)
        kind = _TYPE.search(tag)
        ref = _REF.search(tag)
        if ref is None or (kind and kind.group(1) != b"n"):
            continue  # text, booleans and errors keep their value
        r, c = _position(ref)
        found.append((r, c, None))
    return found
