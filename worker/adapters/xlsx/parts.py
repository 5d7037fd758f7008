"""The names and the XML of an OPC package's parts (ECMA-376 part 2): relationship types in
either namespace, part names as they compare, relationship targets resolved, XML parsed safely.

Relationship types come in two namespaces: ISO/IEC 29500 Transitional
(http://schemas.openxmlformats.org/officeDocument/2006/relationships/...) and Strict
(http://purl.oclc.org/ooxml/officeDocument/relationships/...), which Excel writes when a user
saves as "Strict Open XML Spreadsheet" (Apache POI's test-data/spreadsheet/SampleSS.strict.xlsx,
saved by Excel: the same parts and content types, the Strict namespaces, conformance="strict").
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from urllib.parse import unquote

from lxml import etree

PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
CT = "http://schemas.openxmlformats.org/package/2006/content-types"
DOC_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
STRICT_REL = "http://purl.oclc.org/ooxml/officeDocument/relationships"
CONTENT_TYPES = "[Content_Types].xml"
# The workbook part's content types (ECMA-376 part 1, §12.3.23): .xlsx, .xlsm, .xltx, .xltm
MAIN_TYPES = (
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
    "application/vnd.ms-excel.sheet.macroEnabled.main+xml",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml",
    "application/vnd.ms-excel.template.macroEnabled.main+xml",
)

# Untrusted files: no entity expansion, no network, no DTD; a broken part is an error.
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)


class PackageError(Exception):
    """The file is not a readable .xlsx package; the message says what is wrong (for logs)."""


class HasDTD(PackageError):
    """A part declares a DTD: OPC forbids it and tells readers to refuse it (ECMA-376 part 2,
    §8.1.4, M1.18), as the means of the entity-expansion attacks ("billion laughs")."""


class Encrypted(PackageError):
    """Its zip entries are encrypted (a zip password, not Excel's)."""


class OpenDocument(PackageError):
    """The zip is an OpenDocument spreadsheet (.ods), named .xlsx."""


_DTD = re.compile(rb"<!(?:DOCTYPE|ENTITY)|<\0!\0(?:D\0O\0C|E\0N\0T)")  # UTF-8, UTF-16


def refuse_dtd(data: bytes, part: str) -> None:
    """Raise HasDTD when the part declares a DTD before its first element."""
    if _DTD.search(data, 0, 64 * 1024):
        raise HasDTD(part)


def parse(data: bytes, part: str) -> etree._Element:
    refuse_dtd(data, part)
    try:
        return etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise PackageError(f"{part}: {exc}") from None


DECLARATION = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'


def serialize(root: etree._Element) -> bytes:
    """A part as Office writes it: UTF-8, the declaration in double quotes."""
    return DECLARATION + etree.tostring(root, encoding="UTF-8", xml_declaration=False)


def kind(type_: str) -> str:
    """A relationship type's name in either namespace: ".../relationships/worksheet" ->
    "worksheet"; "" for a type of another vocabulary."""
    for namespace in (DOC_REL, STRICT_REL):
        if type_.startswith(namespace + "/"):
            return type_[len(namespace) + 1 :]
    return ""


def key(name: str) -> str:
    """A zip entry name as part names compare: slashes, no leading one, case-folded."""
    return name.replace("\\", "/").lstrip("/").casefold()


def rels_name(part: str) -> str:
    """The relationships part of `part`: xl/workbook.xml -> xl/_rels/workbook.xml.rels."""
    folder, name = posixpath.split(part)
    return posixpath.join(folder, "_rels", name + ".rels")


def resolve(source: str, target: str) -> str:
    """A relationship's target as a zip entry name, relative to its source part's folder."""
    target = unquote(target.split("#", 1)[0])
    if target.startswith("/"):
        return posixpath.normpath(target).lstrip("/")
    return posixpath.normpath(posixpath.join(posixpath.dirname(source), target)).lstrip("/")


def relative(source: str, part: str) -> str:
    """The target to write in `source`'s relationships for `part`."""
    return posixpath.relpath(part, posixpath.dirname(source) or ".")


@dataclass
class Relationship:
    id: str
    type: str
    target: str  # the zip entry name it resolves to ("" for an external target)
    element: etree._Element
