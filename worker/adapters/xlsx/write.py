"""Write the results tab inside a unit's .xlsx package, leaving every other part as it was.

openpyxl's load-and-save rewrites the whole workbook and drops what it does not model (pictures,
x14 dropdowns, cached formula values...). Here only the tab's worksheet part is replaced, with
the bookkeeping parts that list it (content types, the workbook and its relationships, app.xml
and the few styles the tab uses); every other zip entry is copied unchanged, in its order. The
package's own namespaces are kept: a Strict workbook (ISO/IEC 29500 Strict, what Excel saves as
"Strict Open XML Spreadsheet") gets a Strict worksheet part and Strict relationships, with the
same content types (Apache POI's SampleSS.strict.xlsx, saved by Excel, shows both), as
ooxml-strict-converter (pjfanning) maps one namespace set onto the other.

The file is replaced atomically and keeps its mode and owner; a file open in Excel or
LibreOffice, or marked read-only, is not written.
"""

from __future__ import annotations

import os
import posixpath
from collections.abc import Iterator
from itertools import islice
from pathlib import Path

from lxml import etree

from worker.adapters.files import FileChanged, write_atomically
from worker.adapters.xlsx import problems
from worker.adapters.xlsx.package import Package
from worker.adapters.xlsx.parts import (
    DOC_REL,
    STRICT_REL,
    HasDTD,
    PackageError,
    Relationship,
    kind,
    serialize,
)
from worker.adapters.xlsx.sheet import (
    EPOCH,
    EPOCH_1904,
    STRICT_MAIN,
    WORKSHEET_TYPE,
    Cell,
    column_a,
    q,
    shared_strings,
    worksheet,
)
from worker.adapters.xlsx.styles import MAIN, Styles, add_styles
from worker.core.errors import SheetError
from worker.core.layout import normalize_header
from worker.core.results import HEAD_ROWS, Grid, cell_place, is_results_head

STYLES_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"
_APP = ("extended-properties", "extendedProperties")  # app.xml: Transitional, Strict
# Of a sheet, enough for its first rows (the stamp of a renamed Kết quả): most sheets hold them
# in their first few KB, a sheet of long first rows in HEAD_BYTES.
FIRST_BYTES, HEAD_BYTES = 4 * 1024, 64 * 1024


class _WrongTab(Exception):
    """A tab has the results tab's name but is not a worksheet (a chart sheet, say)."""


def write_tab(path: Path, name: str, grid: Grid, sync_folder: bool = True) -> Path:
    """Replace (or add) the results tab `name` of the workbook at `path` with `grid`, inside the
    package; returns the file written (a link's target). Raises SheetError (a Vietnamese
    message naming the file and the fix). `sync_folder` False: its folder is left for the
    caller to flush (files.sync_folders), once for many writes."""
    if path.is_symlink():  # the file the link names gets the tab; the link stays a link
        path = path.resolve()
    for lock in (path.with_name("~$" + path.name), path.with_name(f".~lock.{path.name}#")):
        if lock.exists():
            raise SheetError(
                f"tệp {path.name} đang được mở ({lock.name}): đóng tệp {path.name}; "
                f"lần chạy sau sẽ ghi {name} (nếu tệp không mở ở đâu, xóa tệp {lock.name})"
            )
    info, data = _read(path, name)
    try:
        with problems.told(path):
            new = replaced(data, name, grid)
    except _WrongTab as exc:
        raise SheetError(
            f"tệp {path.name} có tab {exc} là biểu đồ, không phải bảng ô, nên không ghi được "
            f"tab {name}: đổi tên tab {exc}"
        ) from None
    try:
        write_atomically(path, new, unchanged=info, sync_folder=sync_folder)
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
    return path


def _read(path: Path, name: str) -> tuple[os.stat_result, bytes]:
    """The file's status and bytes, when we may read it and write it."""
    problems.before_opening(path)
    try:
        info = path.stat()
        data = path.read_bytes()
    except FileNotFoundError:
        raise problems.not_found(path) from None
    except PermissionError:
        raise problems.no_permission(path) from None
    # root may write anything: a file nobody may write is read-only on purpose all the same
    if not os.access(path, os.W_OK) or not info.st_mode & 0o222:
        raise SheetError(
            f"tệp {path.name} chỉ cho phép đọc nên không ghi được tab {name}: bỏ chế độ chỉ "
            f"đọc của tệp (Thuộc tính → bỏ chọn Chỉ đọc, hoặc chmod u+w {path.name}) rồi chạy lại"
        )
    return info, data


class _Book:
    """The workbook part and the names its package uses: Transitional or Strict (ISO/IEC 29500;
    Excel writes Strict for "Strict Open XML Spreadsheet"), the 1900 or the 1904 date system."""

    def __init__(self, pkg: Package) -> None:
        self.part = pkg.main_part()
        self.root = pkg.xml(self.part)
        # Transitional, Strict, or the namespace of Excel 2007's beta (which LibreOffice and
        # openpyxl still read): the new parts are written in the workbook's own
        self.ns = etree.QName(self.root).namespace or MAIN
        if etree.QName(self.root).localname != "workbook":
            raise PackageError(f"{self.part} không phải workbook")
        self.rel = STRICT_REL if self.ns == STRICT_MAIN else DOC_REL
        self.r_id = f"{{{self.rel}}}id"
        self.rels = {r.id: r for r in pkg.readable_relationships(self.part)}
        sheets = self.root.find(q("sheets", self.ns))
        if sheets is None:  # a workbook of no sheet at all: Excel repairs it, we give it one
            sheets = etree.Element(q("sheets", self.ns))
            _insert(self.root, sheets, _BEFORE_NAMES[: _BEFORE_NAMES.index("sheets")])
        self.sheets = sheets
        props = self.root.find(q("workbookPr", self.ns))
        date1904 = props is not None and props.get("date1904", "") in ("1", "true")
        self.epoch = EPOCH_1904 if date1904 else EPOCH

    def r(self, sheet: etree._Element) -> str:
        """A <sheet>'s relationship id, whatever namespace it was written in."""
        return next((v for k, v in sheet.attrib.items() if k.endswith("}id")), "")


def replaced(data: bytes, name: str, grid: Grid) -> bytes:
    """The package `data` with its results tab replaced by (or added as) `grid`."""
    pkg = Package(data)
    book = _Book(pkg)
    sheets, rels = book.sheets, book.rels
    entry = find_tab(pkg, book, name)
    body = worksheet(grid, _styles(pkg, book), book.ns, book.epoch)
    folder, absolute = _worksheets_folder(book)
    part = pkg.fresh_name(posixpath.join(folder, "sheet%d.xml"))
    named = frozenset(book.r(s) for s in sheets)  # a sheet may name an Id no relationship has
    rid = pkg.add_relationship(book.part, book.rel + "/worksheet", part, absolute, named)
    if entry is None:
        ids = [int(s.get("sheetId", "0")) for s in sheets if s.get("sheetId", "").isdigit()]
        targets = {pkg.find(r.target) for r in rels.values() if kind(r.type) == "worksheet"}
        last = [i.filename for i in pkg.infos if pkg.find(i.filename) in targets]
        entry = etree.SubElement(
            sheets, q("sheet", book.ns), name=name, sheetId=str(max([0, *ids]) + 1)
        )
        entry.set(book.r_id, rid)
        pkg.put(part, body, after=last[-1] if last else None)
        _app_titles(pkg, None, name)
    else:
        old = rels[book.r(entry)]
        old_part = pkg.find(old.target)
        _unlink(old)
        _forget_calc_chain(pkg, book.part, entry.get("sheetId", ""))
        pkg.put(part, body, after=old_part)
        if old_part:
            pkg.drop(old_part)
        if entry.get("name") != name:
            _app_titles(pkg, entry.get("name"), name)
        entry.set("name", name)
        for key in [k for k in entry.attrib if k.endswith("}id")]:
            del entry.attrib[key]
        entry.set(book.r_id, rid)
    _print_titles(book, sheets.findall(q("sheet", book.ns)).index(entry), name, grid.head)
    pkg.dirty(book.part)
    pkg.set_override(part, WORKSHEET_TYPE)
    return pkg.build()


# CT_Workbook's children that come before definedNames (ECMA-376 §18.2.27)
_BEFORE_NAMES = (
    "fileVersion", "fileSharing", "workbookPr", "workbookProtection", "bookViews", "sheets",
    "functionGroups", "externalReferences",
)  # fmt: skip


def _worksheets_folder(book: _Book) -> tuple[str, bool]:
    """Where the new worksheet part goes, and whether its target is written from the root: as
    the workbook's other worksheets are (readers that hard-code "xl/" follow what they read)."""
    for rel in book.rels.values():
        if kind(rel.type) == "worksheet" and rel.target:
            return posixpath.dirname(rel.target), rel.element.get("Target", "").startswith("/")
    return posixpath.join(posixpath.dirname(book.part), "worksheets"), False


def _insert(parent: etree._Element, child: etree._Element, before: tuple[str, ...]) -> None:
    """Put `child` after the last child of `parent` named in `before` (schema order), or first."""
    anchor = [c for c in parent if etree.QName(c).localname in before]
    if anchor:
        anchor[-1].addnext(child)
    else:
        parent.insert(0, child)


def _print_titles(book: _Book, index: int, name: str, rows: int) -> None:
    """Rows 1..`rows` of the tab at `index` repeated atop every printed page: the defined name
    _xlnm.Print_Titles local to it (a print area left from the old tab goes: it would clip)."""
    names = book.root.find(q("definedNames", book.ns))
    if names is None:
        names = etree.Element(q("definedNames", book.ns))
        _insert(book.root, names, _BEFORE_NAMES)
    for old in names.findall(q("definedName", book.ns)):
        if old.get("localSheetId") == str(index) and old.get("name") in (
            "_xlnm.Print_Titles", "_xlnm.Print_Area",
        ):  # fmt: skip
            names.remove(old)
    if rows:
        title = etree.SubElement(
            names, q("definedName", book.ns), name="_xlnm.Print_Titles", localSheetId=str(index)
        )
        title.text = cell_place(name, f"$1:${rows}")


def _unlink(rel: Relationship) -> None:
    """Remove a relationship from its (already parsed) relationships part."""
    parent = rel.element.getparent()
    if parent is not None:
        parent.remove(rel.element)


def find_tab(pkg: Package, book: _Book, name: str) -> etree._Element | None:
    """The `<sheet>` of the results tab: by its name (NFC, trimmed, case-folded), else the
    first worksheet whose A1 holds our stamp (a user renamed it); None when there is none.

    Only the first rows of each sheet are read (FIRST_BYTES of its part, HEAD_BYTES when its
    first rows are longer), and of the shared strings only as far as those rows' need: a large
    sheet costs nothing, and one that is broken further on (invalid XML, cut short) is no
    obstacle."""
    items = book.sheets.findall(q("sheet", book.ns))
    key = normalize_header(name)
    named = [s for s in items if normalize_header(s.get("name")) == key]
    # Excel itself compares names case-insensitively: that one must be the one renamed.
    chosen = next((s for s in named if s.get("name", "").casefold() == name.casefold()), None)
    chosen = chosen if chosen is not None else (named[0] if named else None)
    if chosen is not None:
        rel = book.rels.get(book.r(chosen))
        if rel is None or kind(rel.type) != "worksheet":
            raise _WrongTab(chosen.get("name"))
        return chosen
    shared = _Shared(pkg, book)
    for s in items:
        rel = book.rels.get(book.r(s))
        part = pkg.find(rel.target) if rel is not None and kind(rel.type) == "worksheet" else None
        if part is not None and is_results_head(*map(shared.text, _first_cells(pkg, part))):
            return s
    return None


def _first_cells(pkg: Package, part: str) -> list[Cell]:
    """A1..A<HEAD_ROWS> of a worksheet part, from as little of its beginning as holds them."""
    for limit in (FIRST_BYTES, HEAD_BYTES):
        head = pkg.read(part, limit)
        cells, whole = column_a(head, HEAD_ROWS)
        if whole or len(head) < limit:
            break
    return cells


class _Shared:
    """The workbook's shared strings, parsed only as far as the indexes looked up (none when
    unreadable: then no stamp is found there, and the tab is added rather than the file
    refused)."""

    def __init__(self, pkg: Package, book: _Book) -> None:
        self.pkg, self.book = pkg, book
        self.texts: list[str] = []
        self.rest: Iterator[str] | None = None

    def text(self, cell: Cell) -> str | None:
        kind_, value = cell
        if kind_ != "s":
            return value
        if value is None or not value.isdigit():
            return None
        index = int(value)
        if self.rest is None:
            self.rest = shared_strings(self._data())
        self.texts.extend(islice(self.rest, max(0, index + 1 - len(self.texts))))
        return self.texts[index] if index < len(self.texts) else None

    def _data(self) -> bytes:
        for rel in self.book.rels.values():
            part = self.pkg.find(rel.target) if kind(rel.type) == "sharedStrings" else None
            if part:
                return self.pkg.read(part)
        return b""


def _styles(pkg: Package, book: _Book) -> Styles:
    """The tab's style indexes, added to the workbook's styles part (made when it has none)."""
    rels = book.rels.values()
    part = next((pkg.find(r.target) for r in rels if kind(r.type) == "styles"), None)
    if part is None:
        # The usual name first: some readers (openpyxl) look only there.
        part = posixpath.join(posixpath.dirname(book.part), "styles.xml")
        if pkg.find(part):
            part = pkg.fresh_name(posixpath.join(posixpath.dirname(book.part), "styles%d.xml"))
        root = etree.Element(q("styleSheet", book.ns), nsmap={None: book.ns})
        styles = add_styles(root)
        pkg.put(part, serialize(root))
        pkg.set_override(part, STYLES_TYPE)
        pkg.add_relationship(book.part, book.rel + "/styles", part)
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
        part = pkg.find(rel.target) if kind(rel.type) == "calcChain" else None
        if part is None:
            continue
        current = None
        for c in pkg.xml(part).iterfind("{*}c"):
            current = c.get("i", current)
            if current == sheet_id:
                _unlink(rel)
                pkg.remove(part)
                pkg.set_override(part, None)
                return


def _app_titles(pkg: Package, old: str | None, new: str) -> None:
    """Keep docProps/app.xml's list of sheet titles true: rename `old`, or add `new` (in the
    namespaces app.xml was written in, Transitional or Strict)."""
    try:
        rels = pkg.relationships("")
    except HasDTD:
        raise
    except PackageError:
        return  # _rels/.rels unreadable (Excel and openpyxl open such a file): no app.xml to mend
    app = next((pkg.find(r.target) for r in rels if kind(r.type) in _APP), None)
    if app is None:
        return
    root = pkg.xml(app)
    pairs = root.find("{*}HeadingPairs/{*}vector")
    titles = root.find("{*}TitlesOfParts/{*}vector")
    if pairs is None or titles is None:
        return
    vt = etree.QName(titles).namespace or ""
    names = titles.findall(f"{{{vt}}}lpstr")
    if old is not None:
        for title in names:
            if title.text == old:
                title.text = new
                pkg.dirty(app)
                return
        return
    variants = pairs.findall(f"{{{vt}}}variant")
    offset = 0
    for label, count in zip(variants[0::2], variants[1::2], strict=False):
        number = count.find(f"{{{vt}}}i4")
        if number is None or not (number.text or "").isdigit():
            return
        if label.findtext(f"{{{vt}}}lpstr") == "Worksheets":
            at = offset + int(number.text or 0)
            title = etree.Element(f"{{{vt}}}lpstr")
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
