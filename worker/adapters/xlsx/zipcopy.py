"""Write a zip whose unchanged entries are copied compressed, as they were (APPNOTE 6.3.x).

zipfile can only write what it compresses itself: copying every part of a workbook through it
costs more than everything else `write_tab` does. Here an entry read from the source zip keeps
its compressed bytes, CRC and sizes; a changed one is deflated anew. No zip64: a workbook part
of 4 GiB is refused.
"""

from __future__ import annotations

import struct
import zipfile
import zlib
from dataclasses import dataclass

LOCAL, CENTRAL, END = 0x04034B50, 0x02014B50, 0x06054B50
UTF8_NAME = 0x800  # general purpose flag bit 11: the name is UTF-8
DATA_DESCRIPTOR = 0x8  # bit 3: sizes after the data (we always write them in the header)
LIMIT = 0xFFFFFFFF


class ZipTooLarge(ValueError):
    """An entry, or the zip, needs zip64."""


@dataclass
class Entry:
    name: str
    date_time: tuple[int, int, int, int, int, int]
    method: int
    flags: int
    crc: int
    size: int
    raw: bytes | memoryview  # the compressed bytes (a view of the source: no copy)
    external_attr: int = 0
    system: int = 0  # the system that made it (3: Unix), for reading external_attr


def raw_entry(source: bytes, info: zipfile.ZipInfo) -> Entry:
    """An entry of the zip `source` as its compressed bytes, found through its local header."""
    at = info.header_offset
    if source[at : at + 4] != struct.pack("<I", LOCAL):
        raise zipfile.BadZipFile(f"{info.filename}: no local header")
    name_length, extra_length = struct.unpack("<HH", source[at + 26 : at + 30])
    start = at + 30 + name_length + extra_length
    raw = memoryview(source)[start : start + info.compress_size]
    flags = info.flag_bits & ~DATA_DESCRIPTOR
    return Entry(
        info.filename, info.date_time, info.compress_type, flags, info.CRC, info.file_size, raw,
        info.external_attr, info.create_system,
    )  # fmt: skip


def new_entry(
    name: str, data: bytes, date_time: tuple[int, int, int, int, int, int] = (1980, 1, 1, 0, 0, 0)
) -> Entry:
    """A deflated entry of `data`."""
    packer = zlib.compressobj(6, zlib.DEFLATED, -15)
    raw = packer.compress(data) + packer.flush()
    return Entry(name, date_time, zipfile.ZIP_DEFLATED, 0, zlib.crc32(data), len(data), raw)


def _dos(date_time: tuple[int, int, int, int, int, int]) -> tuple[int, int]:
    year, month, day, hour, minute, second = date_time
    if year < 1980:
        year, month, day, hour, minute, second = 1980, 1, 1, 0, 0, 0
    return (hour << 11) | (minute << 5) | (second // 2), ((year - 1980) << 9) | (month << 5) | day


def write_zip(entries: list[Entry]) -> bytes:
    """The zip of `entries`, in their order."""
    out: list[bytes | memoryview] = []
    central: list[bytes] = []
    offset = 0
    for e in entries:
        name = e.name.encode("utf-8")
        flags = e.flags | (UTF8_NAME if not e.name.isascii() else 0)
        version = 20  # 2.0: deflate, folders
        time, date = _dos(e.date_time)
        if max(len(e.raw), e.size, offset) >= LIMIT:
            raise ZipTooLarge(e.name)
        fields = (version, flags, e.method, time, date, e.crc, len(e.raw), e.size, len(name))
        local = struct.pack("<IHHHHHIIIHH", LOCAL, *fields, 0) + name
        central.append(
            struct.pack(
                "<IHHHHHHIIIHHHHHII",
                CENTRAL,
                (e.system << 8) | version,
                *fields,
                0,
                0,
                0,
                0,
                e.external_attr,
                offset,
            )
            + name
        )
        out += (local, e.raw)
        offset += len(local) + len(e.raw)
    directory = b"".join(central)
    if len(entries) > 0xFFFF or offset + len(directory) >= LIMIT:
        raise ZipTooLarge("zip")
    end = struct.pack("<IHHHHIIH", END, 0, 0, len(entries), len(entries), len(directory), offset, 0)
    return b"".join([*out, directory, end])
