"""Documents as people see them, for tests: printed to PDF by LibreOffice, read back with poppler
(its text laid out, each word's box, a page as grey pixels), and HTML as a phone shows it
(headless Chromium). Each test that uses one skips where the program is not installed."""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

POINT_MM = 25.4 / 72
needs_office = pytest.mark.skipif(
    shutil.which("soffice") is None or shutil.which("pdftotext") is None,
    reason="LibreOffice or poppler is not installed",
)
needs_chromium = pytest.mark.skipif(
    shutil.which("chromium") is None, reason="Chromium is not installed"
)


def to_pdf(document: Path, out: Path) -> Path:
    """`document` printed by LibreOffice to `out/<stem>.pdf` (its own profile under `out`)."""
    subprocess.run(
        ["soffice", "--headless", f"-env:UserInstallation={(out / 'lo').as_uri()}",
         "--convert-to", "pdf", "--outdir", str(out), str(document)],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    return out / f"{document.stem}.pdf"


def page_count(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    return int(re.search(r"^Pages:\s+(\d+)", info.stdout, re.M).group(1))  # type: ignore[union-attr]


def layout_text(pdf: Path, page: int) -> str:
    """The page's text laid out as printed (pdftotext -layout): one printed line a line."""
    done = subprocess.run(
        ["pdftotext", "-layout", "-f", str(page), "-l", str(page), str(pdf), "-"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return done.stdout


@dataclass(frozen=True)
class Word:
    text: str
    x0: float  # points from the page's left and top edges
    y0: float
    x1: float
    y1: float


def words(pdf: Path, page: int) -> list[Word]:
    """Every word of the page with its box (pdftotext -bbox), in reading order."""
    done = subprocess.run(
        ["pdftotext", "-bbox", "-f", str(page), "-l", str(page), str(pdf), "-"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    pattern = (
        r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>'
    )
    return [
        Word(m[5], float(m[1]), float(m[2]), float(m[3]), float(m[4]))
        for m in re.finditer(pattern, done.stdout)
    ]


@dataclass(frozen=True)
class Gray:
    """A page as grey pixels (0 black, 255 white) at `dpi`."""

    width: int
    height: int
    pixels: bytes
    dpi: int

    def dark(self, x: int, y: int) -> bool:
        return self.pixels[y * self.width + x] < 128

    def points(self, pixels: float) -> float:
        return pixels * 72 / self.dpi

    def pixel(self, points: float) -> int:
        return round(points * self.dpi / 72)

    def longest_rule(self, left: float, right: float, top: float, bottom: float) -> float:
        """The longest unbroken dark horizontal run inside the box (points), in points."""
        best = 0
        for y in range(self.pixel(top), self.pixel(bottom) + 1):
            run = 0
            for x in range(self.pixel(left), self.pixel(right) + 1):
                run = run + 1 if self.dark(x, y) else 0
                best = max(best, run)
        return self.points(best)


def gray(pdf: Path, page: int, out: Path, dpi: int = 144) -> Gray:
    """The page rasterised by pdftoppm as a binary PGM."""
    prefix = out / f"{pdf.stem}-gray-{page}"
    subprocess.run(
        ["pdftoppm", "-gray", "-r", str(dpi), "-f", str(page), "-l", str(page), "-singlefile",
         str(pdf), str(prefix)],
        check=True, capture_output=True,
    )  # fmt: skip
    data = Path(f"{prefix}.pgm").read_bytes()
    magic, width, height, top, body = data.split(maxsplit=4)
    assert magic == b"P5" and top == b"255"
    return Gray(int(width), int(height), body, dpi)


@dataclass(frozen=True)
class Phone:
    """A page as a phone lays it out, in CSS pixels."""

    height: int  # down to the top of the element asked for, or the whole page
    width: int  # the widest the page gets: more than the phone's means scrolling sideways


def on_phone(html: str, out: Path, until: str = "", width: int = 390) -> Phone:
    """`html` laid out by headless Chromium `width` CSS px wide (a phone): the height down to
    the element whose id is `until` (the whole page without one) and the right edge of its
    widest element, measured by a script Chromium runs, which writes them into the DOM it
    dumps. Headless Chromium keeps a window at least 500 px wide, so the page's root is set to
    `width` instead: the same layout for a page without media queries or vw units."""
    page = out / "page.html"
    height = (
        f"document.getElementById('{until}').getBoundingClientRect().top"
        if until
        else "document.documentElement.getBoundingClientRect().height"
    )
    right = (
        "Math.max.apply(null,Array.prototype.map.call(document.querySelectorAll('body *'),"
        "function(e){return e.getBoundingClientRect().right;}))"
    )
    probe = (
        "<script>document.addEventListener('DOMContentLoaded',function(){"
        f"document.documentElement.style.width='{width}px';"
        f"document.title='H'+Math.ceil({height})+'W'+Math.ceil({right});}});"
        "</script>"
    )
    page.write_text(html.replace("</head>", probe + "</head>", 1), "utf-8")
    done = subprocess.run(
        ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--hide-scrollbars", f"--user-data-dir={out / 'profile'}",
         f"--window-size={width},800", "--dump-dom", page.as_uri()],
        check=True, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    found = re.search(r"<title>H(\d+)W(\d+)</title>", done.stdout)
    assert found, done.stdout[:500]
    assert re.search(r'<meta name="viewport" content="width=device-width', html)
    return Phone(int(found.group(1)), int(found.group(2)))
