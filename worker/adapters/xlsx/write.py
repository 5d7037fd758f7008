"""Write the results tab inside a unit's .xlsx package, leaving every other part as it was.

openpyxl's load-and-save rewrites the whole workbook and drops what it does not model (pictures,
x14 dropdowns, cached formula values...). Here only the tab's worksheet part is replaced, with
the bookkeeping parts that list it (content types, the workbook and its relationships, app.xml
and the few styles the tab uses); every other zip entry is copied unchanged, in its order.

The file is replaced atomically and keeps its mode and owner; a file open in Excel or
LibreOffice, or marked read-only, is not written.
"""

from __future__ import annotations

import os
import posixpath
from collections.abc import Mapping
from pathlib import Path

from lxml import etree

from worker.adapters.files import FileChanged, write_atomically
from worker.adapters.xlsx.package import (
    DOC_REL,
    Package,
    PackageError,
    Relationship,
    serialize,
)
from worker.adapters.xlsx.sheet import (
    MAIN,
    WORKSHEET_TYPE,
    Styles,
    add_styles,
    column_a,
    q,
    shared_strings,
    worksheet,
)
from worker.core.errors import SheetError
from worker.core.layout import normalize_header
from worker.core.results import HEAD_ROWS, Grid, cell_place, is_results_head

R_ID = f"{{{DOC_REL}}}id"
WORKSHEET_REL = DOC_REL + "/worksheet"
APP_REL = DOC_REL + "/extended-properties"
APP = "http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"
VT = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"
STYLES_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"
# A compound file, not a zip: what Excel saves when a password protects opening, and old .xls.
OLE_MAGIC = bytes.fromhex("d0cf11e0a1b11ae1")


class _WrongTab(Exception):
    """A tab has the results tab's name but is not a worksheet (a chart sheet, say)."""


def write_tab(path: Path, name: str, grid: Grid) -> None:
    """Replace (or add) the results tab `name` of the workbook at `path` with `grid`, inside the
    package; raises SheetError (a Vietnamese message naming the file and the fix)."""
    if path.is_symlink():  # the file the link names gets the tab; the link stays a link
        path = path.resolve()
    for lock in (path.with_name("~$" + path.name), path.with_name(f".~lock.{path.name}#")):
        if lock.exists():
            raise SheetError(
                f"tệp {path.name} đang được mở ({lock.name}): đóng tệp {path.name}; "
                f"lần chạy sau sẽ ghi {name} (nếu tệp không mở ở đâu, xóa tệp {lock.name})"
            )
    info, data = _read(path, name)
    if data.startswith(OLE_MAGIC):
        raise SheetError(
            f"tệp {path.name} có mật khẩu mở tệp hoặc là tệp Excel cũ (.xls) nên không ghi được "
            f"tab {name}: mở tệp bằng Excel, bỏ mật khẩu mở tệp và lưu lại dưới dạng .xlsx"
        )
    try:
        new = replaced(data, name, grid)
    except PackageError:
        raise SheetError(
            f"tệp {path.name} bị hỏng hoặc không phải tệp .xlsx: mở tệp bằng Excel hoặc "
            "LibreOffice, lưu lại dưới dạng Excel (.xlsx) rồi chạy lại"
        ) from None
    except _WrongTab as exc:
        raise SheetError(
            f"tệp {path.name} có tab {exc} không phải trang tính nên không ghi được tab {name}: "
            f"đổi tên tab {exc}"
        ) from None
    try:
        write_atomically(path, new, unchanged=info)
    except FileChanged:
        raise SheetError(
            f"tệp {path.name} vừa được lưu trong lúc ghi tab {name} nên không ghi đè: "
            f"lần chạy sau sẽ ghi {name}"
        ) from None
    except PermissionError:
        raise SheetError(
            f"không có quyền ghi vào thư mục chứa tệp {path.name}: cấp quyền ghi thư mục "
            f"{path.parent.name} cho tài khoản chạy mohinh"
        ) from None


def _read(path: Path, name: str) -> tuple[os.stat_result, bytes]:
    """The file's status and bytes, when we may read it and write it."""
    try:
        info = path.stat()
        data = path.read_bytes()
    except FileNotFoundError:
        raise SheetError(
            f"không tìm thấy tệp {path.name}: kiểm tra cột Bảng tính trong danh mục đơn vị"
        ) from None
    except PermissionError:
        raise SheetError(
            f"không có quyền đọc tệp {path.name}: cấp quyền đọc cho tài khoản chạy mohinh"
        ) from None
    # root may write anything: a file nobody may write is read-only on purpose all the same
    if not os.access(path, os.W_OK) or not info.st_mode & 0o222:
        raise SheetError(
            f"tệp {path.name} chỉ cho phép đọc nên không ghi được tab {name}: bỏ chế độ chỉ "
            f"đọc của tệp (Thuộc tính → bỏ chọn Chỉ đọc, hoặc chmod u+w {path.name}) rồi chạy lại"
        )
    return info, data


def replaced(data: bytes, name: str, grid: Grid) -> bytes:
    """The package `data` with its results tab replaced by (or added as) `grid`."""
    pkg = Package(data)
    book = pkg.main_part()
    workbook = pkg.xml(book)
    sheets = workbook.find(q("sheets"))
    if workbook.tag != q("workbook") or sheets is None:
        raise PackageError(f"{book} không phải workbook")
    rels = {r.id: r for r in pkg.relationships(book)}
    entry = find_tab(pkg, sheets, rels, name)
    body = worksheet(grid, _styles(pkg, book, rels))
    part = pkg.fresh_name(posixpath.join(posixpath.dirname(book), "worksheets/sheet%d.xml"))
    rid = pkg.add_relationship(book, WORKSHEET_REL, part)
    if entry is None:
        ids = [int(s.get("sheetId", "0")) for s in sheets if s.get("sheetId", "").isdigit()]
        targets = {r.target.casefold() for r in rels.values() if r.type == WORKSHEET_REL}
        last = [i.filename for i in pkg.infos if i.filename.casefold() in targets]
        entry = etree.SubElement(sheets, q("sheet"), name=name, sheetId=str(max([0, *ids]) + 1))
        entry.set(R_ID, rid)
        pkg.put(part, body, after=last[-1] if last else None)
        _app_titles(pkg, None, name)
    else:
        old = rels[entry.get(R_ID, "")]
        old_part = pkg.find(old.target)
        _unlink(old)
        _forget_calc_chain(pkg, book, entry.get("sheetId", ""))
        pkg.put(part, body, after=old_part)
        if old_part:
            pkg.drop(old_part)
        if entry.get("name") != name:
            _app_titles(pkg, entry.get("name"), name)
        entry.set("name", name)
        entry.set(R_ID, rid)
    _print_titles(workbook, sheets.findall(q("sheet")).index(entry), name, grid.head)
    pkg.dirty(book)
    pkg.set_override(part, WORKSHEET_TYPE)
    return pkg.build()


# CT_Workbook's children that come before definedNames (ECMA-376 §18.2.27)
_BEFORE_NAMES = (
    "fileVersion", "fileSharing", "workbookPr", "workbookProtection", "bookViews", "sheets",
    "functionGroups", "externalReferences",
)  # fmt: skip


def _print_titles(workbook: etree._Element, index: int, name: str, rows: int) -> None:
    """Rows 1..`rows` of the tab at `index` repeated atop every printed page: the defined name
    _xlnm.Print_Titles local to it (a print area left from the old tab goes: it would clip)."""
    names = workbook.find(q("definedNames"))
    if names is None:
        names = etree.Element(q("definedNames"))
        anchor = [c for c in workbook if etree.QName(c).localname in _BEFORE_NAMES]
        anchor[-1].addnext(names)
    for old in names.findall(q("definedName")):
        if old.get("localSheetId") == str(index) and old.get("name") in (
            "_xlnm.Print_Titles", "_xlnm.Print_Area",
        ):  # fmt: skip
            names.remove(old)
    if rows:
        title = etree.SubElement(
            names, q("definedName"), name="_xlnm.Print_Titles", localSheetId=str(index)
        )
        title.text = cell_place(name, f"$1:${rows}")


def _unlink(rel: Relationship) -> None:
    """Remove a relationship from its (already parsed) relationships part."""
    parent = rel.element.getparent()
    if parent is not None:
        parent.remove(rel.element)


def find_tab(
    pkg: Package, sheets: etree._Element, rels: Mapping[str, Relationship], name: str
) -> etree._Element | None:
    """The `<sheet>` of the results tab: by its name (NFC, trimmed, case-folded), else the
    first worksheet whose A1 holds our stamp (a user renamed it); None when there is none."""
    items = sheets.findall(q("sheet"))
    key = normalize_header(name)
    named = [s for s in items if normalize_header(s.get("name")) == key]
    # Excel itself compares names case-insensitively: that one must be the one renamed.
    chosen = next((s for s in named if s.get("name", "").casefold() == name.casefold()), None)
    chosen = chosen if chosen is not None else (named[0] if named else None)
    if chosen is not None:
        rel = rels.get(chosen.get(R_ID, ""))
        if rel is None or rel.type != WORKSHEET_REL:
            raise _WrongTab(chosen.get("name"))
        return chosen
    shared: list[str] | None = None
    for s in items:
        rel = rels.get(s.get(R_ID, ""))
        part = pkg.find(rel.target) if rel is not None and rel.type == WORKSHEET_REL else None
        if part is None:
            continue
        if shared is None:
            shared = _shared(pkg, rels)
        try:
            head = column_a(pkg.read(part), shared, HEAD_ROWS)
        except etree.XMLSyntaxError as exc:
            raise PackageError(f"{part}: {exc}") from None
        if is_results_head(*head):
            return s
    return None


def _shared(pkg: Package, rels: Mapping[str, Relationship]) -> list[str]:
    for rel in rels.values():
        part = pkg.find(rel.target) if rel.type == DOC_REL + "/sharedStrings" else None
        if part:
            try:
                return shared_strings(pkg.read(part))
            except etree.XMLSyntaxError as exc:
                raise PackageError(f"{part}: {exc}") from None
    return []


def _styles(pkg: Package, book: str, rels: Mapping[str, Relationship]) -> Styles:
    """The tab's style indexes, added to the workbook's styles part (made when it has none)."""
    part = next((pkg.find(r.target) for r in rels.values() if r.type == DOC_REL + "/styles"), None)
    if part is None:
        # The usual name first: some readers (openpyxl) look only there.
        part = posixpath.join(posixpath.dirname(book), "styles.xml")
        if pkg.find(part):
            part = pkg.fresh_name(posixpath.join(posixpath.dirname(book), "styles%d.xml"))
        root = etree.Element(q("styleSheet"), nsmap={None: MAIN})
        styles = add_styles(root)
        pkg.put(part, serialize(root))
        pkg.set_override(part, STYLES_TYPE)
        pkg.add_relationship(book, DOC_REL + "/styles", part)
        return styles
    root = pkg.xml(part)
    before = etree.tostring(root)
    styles = add_styles(root)
    if etree.tostring(root) != before:  # a second write finds its styles: nothing to save
        pkg.dirty(part)
    return styles


def _forget_calc_chain(pkg: Package, book: str, sheet_id: str) -> None:
    """Drop the calculation chain when it lists cells of the replaced sheet (which no longer
    hold formulas); Excel rebuilds it. A chain that does not mention the sheet stays."""
    for rel in pkg.relationships(book):
        part = pkg.find(rel.target) if rel.type == DOC_REL + "/calcChain" else None
        if part is None:
            continue
        current = None
        for c in pkg.xml(part).iterfind(q("c")):
            current = c.get("i", current)
            if current == sheet_id:
                _unlink(rel)
                pkg.remove(part)
                pkg.set_override(part, None)
                return


def _app_titles(pkg: Package, old: str | None, new: str) -> None:
    """Keep docProps/app.xml's list of sheet titles true: rename `old`, or add `new`."""
    app = next((pkg.find(r.target) for r in pkg.relationships("") if r.type == APP_REL), None)
    if app is None:
        return
    root = pkg.xml(app)
    pairs = root.find(f"{{{APP}}}HeadingPairs/{{{VT}}}vector")
    titles = root.find(f"{{{APP}}}TitlesOfParts/{{{VT}}}vector")
    if pairs is None or titles is None:
        return
    names = titles.findall(f"{{{VT}}}lpstr")
    if old is not None:
        for title in names:
            if title.text == old:
                title.text = new
                pkg.dirty(app)
                return
        return
    variants = pairs.findall(f"{{{VT}}}variant")
    offset = 0
    for label, count in zip(variants[0::2], variants[1::2], strict=False):
        number = count.find(f"{{{VT}}}i4")
        if number is None or not (number.text or "").isdigit():
            return
        if label.findtext(f"{{{VT}}}lpstr") == "Worksheets":
            at = offset + int(number.text or 0)
            title = etree.Element(f"{{{VT}}}lpstr")
            title.text = new
            if at < len(names):
                names[at].addprevious(title)
            else:
                titles.append(title)
            number.text = str(int(number.text or 0) + 1)
            titles.set("size", str(len(names) + 1))
            pkg.dirty(app)
            return
        offset += int(number.text or 0)
