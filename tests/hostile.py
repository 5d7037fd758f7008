"""Hostile workbooks, made on demand (never committed): each is a unit's workbook that once took a
whole run down (issue 16). Used by tests/test_hostile.py and bench/hostile.py.

- `far_cell`: the unit's tabs and one value at XFD1048576: calamine would allocate the rectangle
  from A1, 17 billion cells (512 GiB).
- `zip_bomb`: a 1 MB file whose sheet inflates to 1 GiB (blanks inside sheetData).
- `million_rows`: the tab Chỉ tiêu with 10⁶ rows (every one an error: 2 million errors).
- `many_sheets`: the unit's tabs and 2,000 empty sheets.

Each is a real package (content types, relationships, workbook, worksheets), written straight
with zipfile so that a gigabyte costs seconds and no memory: no spreadsheet library makes these.
"""

from __future__ import annotations

import os
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from tests.conftest import as_tabs, good_unit

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
ML = "application/vnd.openxmlformats-officedocument.spreadsheetml"
Sheet = tuple[str, Iterable[bytes]]  # a tab's name and its part's bytes, in pieces


def column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _cell(ref: str, value: Any) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return f'<c r="{ref}"><v>{value}</v></c>'
    if hasattr(value, "strftime"):
        value = value.strftime("%d/%m/%Y")
    return f'<c r="{ref}" t="inlineStr"><is><t>{escape(str(value))}</t></is></c>'


def rows_xml(rows: Iterable[list[Any]], start: int = 1) -> Iterator[bytes]:
    for r, row in enumerate(rows, start=start):
        cells = "".join(_cell(f"{column_letter(c)}{r}", v) for c, v in enumerate(row))
        yield f'<row r="{r}">{cells}</row>'.encode()


def sheet_xml(body: Iterable[bytes], tail: bytes = b"") -> Iterator[bytes]:
    yield f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN}"><sheetData>'.encode()
    yield from body
    yield b"</sheetData>" + tail + b"</worksheet>"


def unit_sheets(models: int = 2, **tail: bytes) -> list[Sheet]:
    """A good unit's tabs; `tail` adds, by tab name, XML after the tab's rows (inside
    sheetData)."""
    return [
        (name, sheet_xml([*rows_xml(rows), tail.get(name, b"")]))
        for name, rows in as_tabs(good_unit(models)).items()
    ]


def package(path: Path, sheets: list[Sheet]) -> Path:
    """A minimal workbook of `sheets`, each part streamed into the zip as it is made."""
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{n}.xml" ContentType="{ML}.worksheet+xml"/>'
        for n in range(1, len(sheets) + 1)
    )
    entries = "".join(
        f'<sheet name="{escape(name)}" sheetId="{n}" r:id="rId{n}"/>'
        for n, (name, _) in enumerate(sheets, start=1)
    )
    targets = "".join(
        f'<Relationship Id="rId{n}" Type="{REL}/worksheet" Target="worksheets/sheet{n}.xml"/>'
        for n in range(1, len(sheets) + 1)
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(
            "[Content_Types].xml",
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            f'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{ML}.sheet.main+xml"/>'
            f"{overrides}</Types>",
        )
        z.writestr(
            "_rels/.rels",
            f'<Relationships xmlns="{PKG}"><Relationship Id="rId1" Type="{REL}/officeDocument" '
            'Target="xl/workbook.xml"/></Relationships>',
        )
        z.writestr(
            "xl/workbook.xml",
            f'<workbook xmlns="{MAIN}" xmlns:r="{REL}"><sheets>{entries}</sheets></workbook>',
        )
        z.writestr(
            "xl/_rels/workbook.xml.rels", f'<Relationships xmlns="{PKG}">{targets}</Relationships>'
        )
        for n, (_, parts) in enumerate(sheets, start=1):
            with z.open(f"xl/worksheets/sheet{n}.xml", "w") as out:
                for part in parts:
                    out.write(part)
    return path


def far_cell(path: Path) -> Path:
    """A good unit with a value at XFD1048576 of its tab Mô hình."""
    far = b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
    return package(path, unit_sheets(**{"Mô hình": far}))


def zip_bomb(path: Path, inflated: int = 1 << 30) -> Path:
    """A good unit whose tab Ghi chú inflates to `inflated` bytes of blanks."""
    chunk = b" " * (1 << 20)
    blanks = (chunk for _ in range(inflated // len(chunk)))
    return package(path, [*unit_sheets(), ("Ghi chú", sheet_xml(blanks))])


def million_rows(path: Path, rows: int = 1_000_000) -> Path:
    """A good unit whose tab Chỉ tiêu has `rows` more rows, each of an unknown model and an
    impossible plan: every row an error."""
    sheets = unit_sheets()
    name, _ = sheets[1]
    header = as_tabs(good_unit(2))[name][0]
    bad = (
        f'<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>MH-{r}</t></is></c>'
        f'<c r="E{r}" t="inlineStr"><is><t>x</t></is></c></row>'.encode()
        for r in range(2, rows + 2)
    )
    sheets[1] = (name, sheet_xml([*rows_xml([header]), *bad]))
    return package(path, sheets)


def many_sheets(path: Path, count: int = 2000) -> Path:
    """A good unit and `count` more empty sheets."""
    empty = [(f"Trang {n}", sheet_xml([])) for n in range(1, count + 1)]
    return package(path, [*unit_sheets(), *empty])


def many_errors(path: Path, rows: int = 80_000) -> Path:
    """A good unit whose tab Chỉ tiêu has `rows` more rows of six cells, all of them wrong: as
    many errors as the limits let a workbook hold."""
    sheets = unit_sheets()
    name, _ = sheets[1]
    header = as_tabs(good_unit(2))[name][0]
    bad = (
        f'<row r="{r}">'
        + "".join(f'<c r="{c}{r}" t="inlineStr"><is><t>?{r}</t></is></c>' for c in "ABCDEF")
        + "</row>"
        for r in range(2, rows + 2)
    )
    sheets[1] = (name, sheet_xml([*rows_xml([header]), *(b.encode() for b in bad)]))
    return package(path, sheets)


def big_picture(path: Path, size: int = 90 << 20) -> Path:
    """A good unit carrying a picture of `size` bytes (incompressible, stored): a workbook near
    the file limit that must be read and written."""
    package(path, unit_sheets())
    with zipfile.ZipFile(path, "a") as z:
        info = zipfile.ZipInfo("xl/media/image1.png", date_time=(2026, 1, 1, 0, 0, 0))
        z.writestr(info, os.urandom(size), zipfile.ZIP_STORED)
    return path


KINDS = {
    "far_cell": far_cell,
    "zip_bomb": zip_bomb,
    "million_rows": million_rows,
    "many_sheets": many_sheets,
    "many_errors": many_errors,
    "big_picture": big_picture,
}


# Run as `python -c PEAK ARGS…`: the worker's command line, writing at exit the peak resident
# memory of this process since it started (VmHWM, in kB) to the file $MOHINH_PEAK_FILE. The
# kernel's rusage would not do: a process forked from a large one (pytest) keeps its parent's
# peak across exec.
PEAK = """
import atexit, os, re, runpy, sys
def peak():
    status = open("/proc/self/status").read()
    open(os.environ["MOHINH_PEAK_FILE"], "w").write(re.search(r"VmHWM:\\s*(\\d+)", status)[1])
atexit.register(peak)
sys.argv = ["mohinh", *sys.argv[1:]]
runpy.run_module("worker", run_name="__main__")
"""


def run_measured(args: list[str], log: Path, cwd: Path | None = None) -> tuple[int, str, float]:
    """`mohinh ARGS` in a process of its own: its exit status, its output, its peak memory (MB)."""
    import subprocess
    import sys

    peak = log.with_suffix(".peak")
    with log.open("wb") as out:
        done = subprocess.run(
            [sys.executable, "-c", PEAK, *args],
            stdout=out,
            stderr=out,
            cwd=cwd,
            env={**os.environ, "MOHINH_PEAK_FILE": str(peak)},
            check=False,
        )
    return done.returncode, log.read_text("utf-8"), int(peak.read_text()) / 1024
