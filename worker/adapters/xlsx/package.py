"""An .xlsx file as an OPC package (ECMA-376 part 2): its parts, relationships and content types.

What the reader needs to find a workbook's parts, and the writer to swap one worksheet part:
parts are kept as the bytes they were read as, in their zip order, so a part nobody touched is
written back unchanged. Part names are handled as the spec gives them: found through
relationships resolved against their source part (targets may be relative or absolute),
compared case-insensitively; a zip entry named with backslashes (some Windows tools write
`xl\\workbook.xml`) is found as with slashes, and of two entries with one name the last is
read, as Python's zipfile does (`parts`).

Every part read is checked against `limits.LIMITS` first, from the zip directory: no part is
inflated past what a unit's workbook can hold. A part whose checksum is wrong is read all the
same, as LibreOffice and Excel read it.
"""

from __future__ import annotations

import io
import posixpath
import zipfile
import zlib
from pathlib import Path

from lxml import etree

from worker.adapters.xlsx.limits import LIMITS, Limits, TooBig, size_text
from worker.adapters.xlsx.parts import (
    CONTENT_TYPES,
    CT,
    MAIN_TYPES,
    PKG_REL,
    Encrypted,
    HasDTD,
    OpenDocument,
    PackageError,
    Relationship,
    kind,
    parse,
    relative,
    rels_name,
    resolve,
    serialize,
)
from worker.adapters.xlsx.parts import key as _key
from worker.adapters.xlsx.zipcopy import ZipTooLarge, new_entry, raw_entry, write_zip
from worker.core.cells import grouped


class Package:
    """The entries of one .xlsx zip, by name, in their order; changed parts replace the bytes.

    Made from the file's bytes (to write it again: `build`) or its path (to read parts only)."""

    def __init__(self, source: bytes | Path, limits: Limits = LIMITS) -> None:
        self.data = source if isinstance(source, bytes) else b""
        self.limits = limits
        try:
            self._zip = zipfile.ZipFile(io.BytesIO(source) if isinstance(source, bytes) else source)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError) as exc:
            raise PackageError(f"không phải tệp zip ({exc})") from None
        self.infos = self._zip.infolist()
        if len(self.infos) > limits.entries:
            raise TooBig(
                f"tệp nén {grouped(len(self.infos))} mục, vượt giới hạn "
                f"{grouped(limits.entries)} mục",
                "xóa các tab, ảnh không dùng đến",
            )
        self._names = {_key(info.filename): info.filename for info in self.infos}
        if any(info.flag_bits & 0x1 for info in self.infos):
            raise Encrypted("zip")
        self.changed: set[str] = set()  # parsed parts to serialize again
        self.written: dict[str, bytes] = {}  # parts given new bytes
        self._trees: dict[str, etree._Element] = {}

    def close(self) -> None:
        self._zip.close()

    def __enter__(self) -> Package:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def size(self, part: str) -> int:
        """A part's inflated size, as the zip directory gives it (0 when there is none)."""
        name = self._entry(part)
        return self._zip.getinfo(name).file_size if name and name not in self.written else 0

    def check(self, part: str) -> None:
        """Raise TooBig when the part inflates past the limits, before it is inflated."""
        name = self._entry(part)
        if name is None or name in self.written:
            return
        info = self._zip.getinfo(name)
        limits = self.limits
        if info.file_size > limits.part_bytes:
            raise TooBig(
                f"phần {name} giải nén ra {size_text(info.file_size)}, vượt giới hạn "
                f"{size_text(limits.part_bytes)}",
                "xóa các dòng, cột thừa (kể cả dòng trống có định dạng) hoặc tách bảng tính",
            )
        if info.file_size > limits.ratio_grace and info.file_size > limits.ratio * max(
            info.compress_size, 1
        ):
            raise TooBig(
                f"phần {name} nén {size_text(info.compress_size)} mà giải nén ra "
                f"{size_text(info.file_size)} (gấp hơn {grouped(limits.ratio)} lần), không "
                "phải một bảng tính bình thường",
                "mở tệp bằng Excel hoặc LibreOffice, lưu lại; nếu vẫn vậy, chép lại bản còn tốt",
            )

    def find(self, part: str) -> str | None:
        """The name of a part as the package has it (case kept, slashes for backslashes),
        compared case-insensitively as OPC part names are; None when there is none."""
        entry = self._entry(part)
        return entry.replace("\\", "/") if entry is not None else None

    def _entry(self, part: str) -> str | None:
        """The zip entry that holds a part, under its own name."""
        return self._names.get(_key(part))

    def read(self, part: str, limit: int | None = None) -> bytes:
        """A part's bytes (as read, or as last put), checked against the limits first; at most
        `limit` bytes of its beginning when given. Parts never read are copied unopened."""
        name = self._entry(part)
        if name is None:
            raise PackageError(f"thiếu phần {part}")
        if name in self.written:
            return self.written[name][:limit]
        if limit is None:
            self.check(name)
        try:
            with self._zip.open(name) as entry:
                return entry.read(-1 if limit is None else limit)
        except zipfile.BadZipFile as exc:
            if "CRC" not in str(exc):
                raise PackageError(f"{name}: {exc}") from None
            # Its checksum is wrong: LibreOffice and Excel read the data all the same
            return self._inflate(self._zip.getinfo(name), limit)
        except (EOFError, ValueError, zlib.error) as exc:
            raise PackageError(f"{name}: {exc}") from None
        except (NotImplementedError, RuntimeError) as exc:  # unknown compression, encrypted
            raise PackageError(f"{name}: {exc}") from None

    def _inflate(self, info: zipfile.ZipInfo, limit: int | None) -> bytes:
        """An entry's data inflated from its compressed bytes, its CRC not checked."""
        fp = self._zip.fp
        if fp is None:
            raise PackageError(f"{info.filename}: tệp đã đóng")
        fp.seek(info.header_offset)
        header = fp.read(30)
        if header[:4] != b"PK\x03\x04":
            raise PackageError(f"{info.filename}: no local header")
        fp.seek(info.header_offset + 30 + int.from_bytes(header[26:28], "little")
                + int.from_bytes(header[28:30], "little"))  # fmt: skip
        raw = fp.read(info.compress_size)
        size = info.file_size if limit is None else min(limit, info.file_size)
        if info.compress_type == zipfile.ZIP_STORED:
            return raw[:size]
        if info.compress_type != zipfile.ZIP_DEFLATED:
            raise PackageError(f"{info.filename}: compression {info.compress_type}")
        try:
            return zlib.decompressobj(-15).decompress(raw, size)
        except zlib.error as exc:
            raise PackageError(f"{info.filename}: {exc}") from None

    def xml(self, part: str) -> etree._Element:
        """A part's parsed XML; edits to it are written back by `dirty`."""
        name = self._entry(part)
        if name is None:
            raise PackageError(f"thiếu phần {part}")
        if name not in self._trees:
            self._trees[name] = parse(self.read(name), name)
        return self._trees[name]

    def dirty(self, part: str) -> None:
        """Mark a part parsed by `xml` as changed: it is serialized again on `build`."""
        self.changed.add(self._entry(part) or part)

    def put(self, part: str, data: bytes, after: str | None = None) -> None:
        """Add a new part (placed after the entry `after`, or at the end) or replace one."""
        name = self._entry(part)
        if name is None:
            name = part
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            at = next(
                (i + 1 for i, x in enumerate(self.infos) if _key(x.filename) == _key(after or "")),
                None,
            )
            self.infos.insert(len(self.infos) if at is None else at, info)
            self._names[_key(name)] = name
        self.written[name] = data
        self._trees.pop(name, None)
        self.changed.discard(name)

    def remove(self, part: str) -> None:
        name = self._entry(part)
        if name is None:
            return
        del self._names[_key(name)]
        self.written.pop(name, None)
        self._trees.pop(name, None)
        self.changed.discard(name)
        self.infos = [info for info in self.infos if info.filename != name]

    def relationships(self, source: str) -> list[Relationship]:
        """The relationships of `source` ("" for the package's own, `_rels/.rels`)."""
        rels = rels_name(source) if source else "_rels/.rels"
        if self.find(rels) is None:
            return []
        out = []
        for el in self.xml(rels).iterfind(f"{{{PKG_REL}}}Relationship"):
            external = el.get("TargetMode") == "External"
            target = "" if external else resolve(source, el.get("Target", ""))
            out.append(Relationship(el.get("Id", ""), el.get("Type", ""), target, el))
        return out

    def readable_relationships(self, source: str) -> list[Relationship]:
        """The relationships of `source`; when its relationships part is broken beyond reading,
        none, the part replaced by an empty one (LibreOffice shows such a workbook's sheets
        empty; a write then lists only what it adds)."""
        try:
            return self.relationships(source)
        except HasDTD:
            raise
        except PackageError:
            empty = etree.Element(f"{{{PKG_REL}}}Relationships", nsmap={None: PKG_REL})
            self.put(rels_name(source), serialize(empty))
            return []

    def add_relationship(
        self,
        source: str,
        type_: str,
        part: str,
        absolute: bool = False,
        taken: frozenset[str] = frozenset(),
    ) -> str:
        """A new relationship from `source` to `part`, with an Id no other one has, nor any of
        `taken` (Ids the source's XML names, even where no relationship has them); its Id.
        `absolute`: the target written from the package's root ("/xl/..."), not relative."""
        rels = rels_name(source)
        if self.find(rels) is None:
            self.put(
                rels, serialize(etree.Element(f"{{{PKG_REL}}}Relationships", nsmap={None: PKG_REL}))
            )
        taken |= {r.id for r in self.relationships(source)}
        rid = next(f"rId{n}" for n in range(1, len(taken) + 2) if f"rId{n}" not in taken)
        etree.SubElement(
            self.xml(rels), f"{{{PKG_REL}}}Relationship", Id=rid, Type=type_,
            Target="/" + part if absolute else relative(source, part),
        )  # fmt: skip
        self.dirty(rels)
        return rid

    def main_part(self) -> str:
        """The workbook part, found as the package's officeDocument relationship says; else as
        [Content_Types].xml declares it; else at its usual name (what Excel opens, repaired:
        a broken relationships part or content types do not hide a workbook that is there)."""
        for found in (self._by_relationship, self._by_content_type):
            try:
                name = found()
            except HasDTD:
                raise
            except PackageError:
                continue
            if name:
                return name
        name = self.find("xl/workbook.xml")
        if name:
            return name
        if self.find("mimetype") and b"opendocument" in self.read("mimetype", 200):
            raise OpenDocument("mimetype")
        raise PackageError("không có phần workbook (_rels/.rels)")

    def _by_relationship(self) -> str | None:
        for rel in self.relationships(""):
            name = self.find(rel.target) if kind(rel.type) == "officeDocument" else None
            if name:
                return name
        return None

    def _by_content_type(self) -> str | None:
        if self.find(CONTENT_TYPES) is None:
            return None
        for el in self.xml(CONTENT_TYPES).iterfind(f"{{{CT}}}Override"):
            name = self.find(el.get("PartName", ""))
            if name and el.get("ContentType") in MAIN_TYPES:
                return name
        return None

    def set_override(self, part: str, content_type: str | None) -> None:
        """Declare (or with None, forget) a part's content type in [Content_Types].xml."""
        types = self.xml(CONTENT_TYPES)
        for el in types.findall(f"{{{CT}}}Override"):
            if _key(el.get("PartName", "")) == _key(part):
                types.remove(el)
        if content_type is not None:
            etree.SubElement(
                types, f"{{{CT}}}Override", PartName="/" + part, ContentType=content_type
            )
        self.dirty(CONTENT_TYPES)

    def content_type(self, part: str) -> str:
        types = self.xml(CONTENT_TYPES)
        for el in types.iterfind(f"{{{CT}}}Override"):
            if _key(el.get("PartName", "")) == _key(part):
                return el.get("ContentType", "")
        ext = posixpath.splitext(part)[1].lstrip(".").casefold()
        for el in types.iterfind(f"{{{CT}}}Default"):
            if el.get("Extension", "").casefold() == ext:
                return el.get("ContentType", "")
        return ""

    def reachable(self, start: str, avoid: str | None = None) -> set[str]:
        """Parts reachable from `start` ("" for the package) by relationships, never through
        `avoid`; case-folded names."""
        seen: set[str] = set()
        pending = [start]
        while pending:
            source = pending.pop()
            for rel in self.relationships(source):
                key = _key(rel.target)
                name = self.find(rel.target)
                if name and key not in seen and key != _key(avoid or ""):
                    seen.add(key)
                    pending.append(name)
        return seen

    def drop(self, part: str) -> None:
        """Remove a part, its relationships, and the parts only it led to (a drawing, its
        pictures...); parts also reached from elsewhere stay."""
        keep = self.reachable("", avoid=part)
        for name in [part, *self.reachable(part)]:
            if _key(name) in keep or self.find(name) is None:
                continue
            name = self.find(name) or name
            self.remove(rels_name(name))
            self.remove(name)
            self.set_override(name, None)

    def fresh_name(self, pattern: str) -> str:
        """The first `pattern % n` (n = 1, 2, ...) that names no entry of the package."""
        n = 1
        while self.find(pattern % n) or self.find(rels_name(pattern % n)):
            n += 1
        return pattern % n

    def build(self) -> bytes:
        """The package as zip bytes: changed parts serialized and deflated, every other entry
        copied as it was (compressed bytes included), in the original order."""
        if not self.data:
            raise PackageError("gói chỉ mở để đọc")
        entries = []
        for info in self.infos:
            name = info.filename
            if name in self.changed:
                entries.append(new_entry(name, serialize(self._trees[name]), info.date_time))
            elif name in self.written:
                entries.append(new_entry(name, self.written[name], info.date_time))
            else:
                try:
                    entries.append(raw_entry(self.data, info))
                except zipfile.BadZipFile as exc:
                    raise PackageError(str(exc)) from None
        try:
            return write_zip(entries)
        except ZipTooLarge as exc:
            raise PackageError(f"{exc} quá lớn (trên 4 GiB)") from None
