"""Print workbooks as LibreOffice would, to look at the pages (not run in CI).

    .venv/bin/python docs/render.py                  # the demo's consolidated workbook and one unit
    .venv/bin/python docs/render.py FILE.xlsx ...    # these workbooks

Each workbook becomes FILE.pdf (soffice --headless --convert-to pdf, every tab, with its page
setup) and one PNG per page (pdftoppm) in --out; the page count of each is printed. Needs
LibreOffice Calc and poppler: apt-get install -y libreoffice-calc-nogui poppler-utils.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def mohinh(*args: str) -> None:
    """A command of the CLI; exit status 1 (a unit the demo leaves unreadable) is fine."""
    done = subprocess.run([sys.executable, "-m", "worker", *args], stdout=subprocess.DEVNULL)
    if done.returncode not in (0, 1):
        raise SystemExit(f"mohinh {' '.join(args)}: exit status {done.returncode}")


def demo(folder: Path) -> Path:
    """The demo province as `make demo` leaves it: run on 29/10, the decisions of 01–10/11
    recorded, run on 16/11 (the consolidation day)."""
    mohinh("init", str(folder), "--demo", "--today", "2026-10-29")
    mohinh("run", "--once", "--workspace", str(folder), "--today", "2026-10-29")
    subprocess.run(
        [sys.executable, "-m", "worker.demo", str(folder), "--today", "2026-11-10"],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    mohinh("run", "--once", "--workspace", str(folder), "--today", "2026-11-16")
    return folder


def to_pdf(workbook: Path, out: Path) -> Path:
    """The workbook printed to `out/<stem>.pdf` by LibreOffice (its own profile: no clash with
    an office already open)."""
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(
            [
                shutil.which("soffice") or "soffice",
                f"-env:UserInstallation=file://{profile}",
                "--headless",
                "--convert-to",
                "pdf",
                "--outdir",
                str(out),
                str(workbook),
            ],
            check=True,
            stdout=subprocess.DEVNULL,
            timeout=300,
        )
    return out / f"{workbook.stem}.pdf"


def pages(pdf: Path, out: Path, dpi: int = 60, first: int = 1, last: int = 0) -> list[Path]:
    """The PDF's pages `first`..`last` (0: to the end) as PNGs at `dpi`."""
    prefix = out / pdf.stem
    command = ["pdftoppm", "-png", "-r", str(dpi), "-f", str(first)]
    subprocess.run(
        [*command, *(["-l", str(last)] if last else []), str(pdf), str(prefix)], check=True
    )
    return sorted(out.glob(f"{pdf.stem}-*.png"))


def page_count(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    return int(
        next(line for line in info.stdout.splitlines() if line.startswith("Pages:")).split()[1]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("workbooks", nargs="*", type=Path)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "pages")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    workbooks = args.workbooks
    if not workbooks:
        root = demo(Path(tempfile.mkdtemp(prefix="mohinh-demo-")) / "ws")
        workbooks = [
            root / "reports" / "tong-hop-2026.xlsx",
            sorted((root / "units").glob("*.xlsx"))[0],
        ]
    for workbook in workbooks:
        pdf = to_pdf(workbook, args.out)
        pngs = pages(pdf, args.out)
        print(f"{workbook.name}: {page_count(pdf)} trang -> {pdf} ({len(pngs)} PNG)")


if __name__ == "__main__":
    main()
