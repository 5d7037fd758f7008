"""Regenerate the README's pictures from the demo (not run in CI).

    .venv/bin/python docs/screenshots.py

Builds the demo province as `make demo` does (`docs/render.py`'s `demo`), then:
- docs/thu-don-vi.png: a unit's digest (the HTML part of its .eml in outbox/) as a 390 px
  phone shows it, by headless Chromium;
- docs/thu-tinh.png: the province staff's digest (its first screens) on the same phone;
- docs/tong-hop-in.png: the first printed page of the consolidated workbook;
- docs/ket-qua-in.png: a unit's Kết quả tab as printed (LibreOffice → PDF → PNG);
- docs/bao-cao-in.png: the first page of the drafted annual report (.docx) as printed.
Needs chromium, LibreOffice Calc and poppler (apt-get install -y chromium
libreoffice-calc-nogui poppler-utils). Each picture is kept under 300 KB.
"""

from __future__ import annotations

import email
import shutil
import subprocess
import sys
import tempfile
from email.message import Message
from email.policy import default
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import render

DOCS = Path(__file__).resolve().parent
UNIT = "CA-HL"  # the demo unit with data errors, Yếu models of both kinds and a missing document
PHONE = (390, 1600)
LIMIT = 300_000


def digest_html(outbox: Path, unit: str) -> str:
    """The HTML part of the unit's (or the province's: TINH) first digest in `outbox`."""
    for eml in sorted(outbox.glob(f"{unit}-*.eml")):
        message: Message = email.message_from_bytes(eml.read_bytes(), policy=default)
        if not str(message["Subject"]).startswith("["):  # not a digest: the consolidation's
            continue
        for part in message.walk():
            if part.get_content_type() == "text/html":
                return str(part.get_content())  # type: ignore[attr-defined]
    raise SystemExit(f"không thấy thư của {unit} trong {outbox}")


def phone_screenshot(html: str, target: Path) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        page = Path(tmp) / "thu.html"
        page.write_text(html, "utf-8")
        subprocess.run(
            [
                shutil.which("chromium") or "chromium",
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--hide-scrollbars",
                f"--user-data-dir={tmp}/profile",
                f"--window-size={PHONE[0]},{PHONE[1]}",
                f"--screenshot={target}",
                page.as_uri(),
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )


def printed_page(workbook: Path, target: Path, page: int, dpi: int = 70) -> None:
    """Page `page` of the workbook (or document) as printed (0: its last), as a PNG at
    `target`."""
    with tempfile.TemporaryDirectory() as tmp:
        pdf = render.to_pdf(workbook, Path(tmp))
        number = page or render.page_count(pdf)
        (png,) = render.pages(pdf, Path(tmp), dpi=dpi, first=number, last=number)
        shutil.copyfile(png, target)


def main() -> None:
    root = render.demo(Path(tempfile.mkdtemp(prefix="mohinh-demo-")) / "ws")
    pictures = {
        DOCS / "thu-don-vi.png": lambda t: phone_screenshot(digest_html(root / "outbox", UNIT), t),
        DOCS / "tong-hop-in.png": lambda t: printed_page(
            root / "reports" / "tong-hop-2026.xlsx", t, 1
        ),
        DOCS / "thu-tinh.png": lambda t: phone_screenshot(digest_html(root / "outbox", "TINH"), t),
        DOCS / "ket-qua-in.png": lambda t: printed_page(
            root / "units" / f"{UNIT.lower()}.xlsx", t, 0
        ),
        DOCS / "bao-cao-in.png": lambda t: printed_page(
            root / "reports" / "bao-cao-2026.docx", t, 1, dpi=60
        ),
    }
    for target, make in pictures.items():
        make(target)
        size = target.stat().st_size
        print(f"{target.relative_to(DOCS.parent)}: {size // 1000} KB")
        if size > LIMIT:
            raise SystemExit(f"{target.name} lớn hơn {LIMIT // 1000} KB: giảm dpi hoặc kích thước")


if __name__ == "__main__":
    main()
