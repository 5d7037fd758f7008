"""Read and write every public test workbook of other projects with our reader and writer.

    .venv/bin/python bench/corpus.py                     # every mirror under /work/.mirror
    .venv/bin/python bench/corpus.py --mirrors DIR --jobs 4 --show damaged

Run by hand, not in CI. The workbooks are the test files of other spreadsheet projects, fetched as
bare git mirrors (`fetch github:apache/poi` and the like put them under /work/.mirror/OWNER+NAME/
repo); every .xlsx and .xlsm blob in their newest commit is extracted into --cache, never
committed. Each file is handled in a child process with a wall-clock limit (--seconds) and an
address-space limit (--memory-mb, resource.setrlimit): on a copy, `read_tabs`, then `write_tab`
of a small Kết quả, then a check that every other zip entry is byte-identical and that our reader
and openpyxl read the written file. A file we call damaged is opened by openpyxl and by
LibreOffice (`soffice --convert-to`): "damaged" is only right where both fail too.

Prints, per project and in all: files, read, written, each refusal by kind (damaged, password,
too big, unsupported...), crashes (any other exception, or the child killed), files over the
time limit, the slowest file and the largest peak memory.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

EXTENSIONS = (".xlsx", ".xlsm")
LFS = b"version https://git-lfs"
TAB = "Kết quả"


def extract(mirrors: Path, cache: Path) -> list[Path]:
    """Every .xlsx/.xlsm blob of each mirror's HEAD, as cache/PROJECT/PATH (kept between runs)."""
    found = []
    for git_dir in sorted(mirrors.glob("*/repo")):
        project = git_dir.parent.name
        listing = subprocess.run(
            ["git", "--git-dir", str(git_dir), "ls-tree", "-r", "-z", "HEAD"],
            capture_output=True,
            check=False,
        ).stdout
        for entry in listing.split(b"\0"):
            if not entry:
                continue
            meta, name = entry.split(b"\t", 1)
            path = name.decode("utf-8", "replace")
            if not path.lower().endswith(EXTENSIONS) or meta.split()[1] != b"blob":
                continue
            out = cache / project / path
            if not out.exists():
                data = subprocess.run(
                    ["git", "--git-dir", str(git_dir), "cat-file", "blob", meta.split()[2]],
                    capture_output=True,
                    check=False,
                ).stdout
                if not data or data.startswith(LFS):
                    continue  # not stored in the mirror (Git LFS): nothing to read
                out.parent.mkdir(parents=True, exist_ok=True)
                out.write_bytes(data)
            found.append(out)
    return found


def _kind(message: str) -> str:
    """Our refusal's kind, from the Vietnamese message (each kind has its own wording)."""
    for words, kind in (
        ("khai báo DTD", "DTD (OPC M1.18)"),
        ("OpenDocument", "ods"),
        ("mật khẩu", "password"),
        ("quá lớn", "too big"),
        ("vượt giới hạn", "too big"),
        ("không hỗ trợ", "unsupported"),
        (".xls)", "old xls"),
        ("bị hỏng", "damaged"),
        ("không tìm thấy", "not found"),
    ):
        if words in message:
            return kind
    return "other"


def one(path: Path) -> dict[str, Any]:
    """Read, write, check one workbook (in the child process)."""
    from worker.adapters.xlsx.read import read_tabs
    from worker.adapters.xlsx.write import write_tab
    from worker.core.errors import SheetError
    from worker.core.results import Grid

    out: dict[str, Any] = {"file": str(path)}
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / ("unit" + path.suffix.lower())
        shutil.copy(path, copy)
        out["openpyxl_before"] = _openpyxl_reads(copy)
        for step, action in (
            ("read", lambda: read_tabs(copy)),
            ("write", lambda: write_tab(copy, TAB, Grid([["Cập nhật lúc", datetime.now()]]))),
        ):
            try:
                action()
                out[step] = "ok"
            except SheetError as exc:
                out[step] = _kind(str(exc))
                out[step + "_message"] = str(exc)
            except Exception as exc:  # what the corpus is for: any other exception is a crash
                out[step] = "crash"
                out[step + "_message"] = f"{type(exc).__name__}: {exc}"
        if out["write"] == "ok":
            out["identical"] = _others_identical(path, copy)
            try:
                tabs = read_tabs(copy)
                out["reread"] = "ok" if TAB in tabs else "tab missing"
            except Exception as exc:
                out["reread"] = f"{type(exc).__name__}: {exc}"
            out["openpyxl_after"] = _openpyxl_reads(copy)
    out["seconds"] = round(time.monotonic() - started, 3)
    out["peak_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    return out


def _openpyxl_reads(path: Path) -> str:
    """ "ok" when openpyxl (read-only, its declared dimensions ignored) reads every tab."""
    import openpyxl

    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
        for ws in wb.worksheets:
            ws.reset_dimensions()  # type: ignore[union-attr]
            for _ in ws.iter_rows(values_only=True):
                pass
        wb.close()
        return "ok"
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"[:200]


def _others_identical(before: Path, after: Path) -> bool:
    """Every zip entry but the bookkeeping a write may change (the content types, the workbook
    part and its relationships, app.xml, the styles part, the calculation chain) is the same
    entry: the same compressed bytes and checksum (read raw: a wrong checksum is copied too)."""
    from worker.adapters.xlsx.package import Package
    from worker.adapters.xlsx.parts import key, kind, rels_name
    from worker.adapters.xlsx.zipcopy import raw_entry

    with Package(after.read_bytes()) as pkg:
        book = pkg.main_part()
        own = {"[content_types].xml", book, rels_name(book), "docprops/app.xml"}
        own |= {r.target for r in pkg.readable_relationships(book) if kind(r.type) == "styles"}
    own = {key(name) for name in own}
    old, new = before.read_bytes(), after.read_bytes()
    with zipfile.ZipFile(before) as a, zipfile.ZipFile(after) as b:
        written: dict[str, list[zipfile.ZipInfo]] = {}
        for info in b.infolist():
            written.setdefault(info.filename, []).append(info)
        for info in a.infolist():  # two entries of one name: each against its own, in order
            name = info.filename
            if not written.get(name) or key(name) in own or "calcchain" in key(name):
                continue
            x, y = raw_entry(old, info), raw_entry(new, written[name].pop(0))
            if (bytes(x.raw), x.crc, x.size) != (bytes(y.raw), y.crc, y.size):
                return False
    return True


def opens_in_openpyxl(path: Path) -> bool:
    import openpyxl

    try:
        openpyxl.load_workbook(path, read_only=False).close()
        return True
    except Exception:
        return False


def _limits(memory_mb: int) -> None:
    limit = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def child(args: list[str], seconds: float, memory_mb: int) -> dict[str, Any]:
    try:
        done = subprocess.run(
            [sys.executable, __file__, *args],
            capture_output=True,
            timeout=seconds,
            preexec_fn=lambda: _limits(memory_mb),
            check=False,
            text=True,
        )
    except subprocess.TimeoutExpired:
        return {"read": "timeout", "seconds": seconds}
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines:
        return {"read": "crash", "read_message": f"exit {done.returncode}: {done.stderr[-300:]}"}
    result: dict[str, Any] = json.loads(lines[-1])
    return result


def libreoffice_opens(files: list[Path], folder: Path) -> set[Path]:
    """The files LibreOffice converts (that is, opens), one soffice run for all of them."""
    if not files or shutil.which("soffice") is None:
        return set()
    out = folder / "lo"
    profile = folder / "profile"
    for start in range(0, len(files), 50):
        subprocess.run(
            [
                "soffice", f"-env:UserInstallation=file://{profile}", "--headless",
                "--convert-to", "csv", "--outdir", str(out), *map(str, files[start : start + 50]),
            ],
            capture_output=True, timeout=600, check=False,
        )  # fmt: skip
    return {f for f in files if (out / (f.stem + ".csv")).is_file()}


def report(results: list[dict[str, Any]], cache: Path, show: str | None) -> None:
    by_project: dict[str, Counter[str]] = {}
    for r in results:
        project = Path(r["file"]).relative_to(cache).parts[0]
        count = by_project.setdefault(project, Counter())
        count["files"] += 1
        count["read " + r["read"]] += 1
        if "write" in r:
            count["write " + r["write"]] += 1
        if r.get("identical") is False:
            count["other parts changed"] += 1
        if r.get("read") == "ok" and r.get("reread", "ok") != "ok":
            count["read before, not after the write"] += 1
        if r.get("openpyxl_before") == "ok" and r.get("openpyxl_after", "ok") != "ok":
            count["openpyxl read it before, not after"] += 1
        if r.get("seconds", 0) > 30:
            count["over 30 s"] += 1
    harmed = [
        r for r in results
        if r.get("identical") is False
        or (r.get("read") == "ok" and r.get("reread", "ok") != "ok")
        or (r.get("openpyxl_before") == "ok" and r.get("openpyxl_after", "ok") != "ok")
    ]  # fmt: skip
    crashes = [r for r in results if "crash" in (r.get("read"), r.get("write"))]
    print(f"damaged by the write: {len(harmed)}; crashes: {len(crashes)}")
    total: Counter[str] = Counter()
    for project, count in sorted(by_project.items()):
        total.update(count)
        print(f"{project}: " + ", ".join(f"{k} {v}" for k, v in sorted(count.items())))
    print("ALL: " + ", ".join(f"{k} {v}" for k, v in sorted(total.items())))
    slowest = max(results, key=lambda r: r.get("seconds", 0))
    largest = max(results, key=lambda r: r.get("peak_mb", 0))
    print(f"slowest: {slowest.get('seconds')} s ({slowest['file']})")
    print(f"largest peak memory: {largest.get('peak_mb')} MB ({largest['file']})")
    if show:
        for r in results:
            if show in (r.get("read"), r.get("write")) or show == "all":
                message = r.get("read_message") or r.get("write_message") or ""
                print(f"  {r['file']}: read {r.get('read')}, write {r.get('write')}: {message}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--mirrors", type=Path, default=Path("/work/.mirror"))
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "xlsx-corpus")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--memory-mb", type=int, default=2048)
    parser.add_argument("--show", help="list the files of a verdict (damaged, crash, all...)")
    parser.add_argument("--only", help="only the files whose path matches this expression")
    parser.add_argument("--save", type=Path, help="write every file's result here (JSON)")
    parser.add_argument("--one", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--openpyxl", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one(args.one)))
        return
    if args.openpyxl:
        print(json.dumps({"opens": opens_in_openpyxl(args.openpyxl)}))
        return
    files = extract(args.mirrors, args.cache)
    if args.only:
        files = [f for f in files if re.search(args.only, str(f))]
    projects = {f.relative_to(args.cache).parts[0] for f in files}
    print(f"{len(files)} workbooks from {len(projects)} projects")

    def run(path: Path) -> dict[str, Any]:
        return {**child(["--one", str(path)], args.seconds, args.memory_mb), "file": str(path)}

    with ThreadPoolExecutor(args.jobs) as pool:
        results = list(pool.map(run, files))
    damaged = [Path(r["file"]) for r in results if "damaged" in (r.get("read"), r.get("write"))]
    if damaged:
        with tempfile.TemporaryDirectory() as tmp:
            libre = libreoffice_opens(damaged, Path(tmp))
        for r in results:
            path = Path(r["file"])
            if path in damaged:
                opened = child(["--openpyxl", str(path)], args.seconds, args.memory_mb)
                r["openpyxl"] = opened.get("opens", False)
                r["libreoffice"] = path in libre
        wrong = [r for r in results if r.get("openpyxl") or r.get("libreoffice")]
        print(f"damaged: {len(damaged)}, of which openpyxl or LibreOffice opens {len(wrong)}:")
        for r in wrong:
            print(f"  {r['file']} (openpyxl {r['openpyxl']}, LibreOffice {r['libreoffice']})")
    report(results, args.cache, args.show)
    if args.save:
        args.save.write_text(json.dumps(results, ensure_ascii=False, indent=1), "utf-8")


if __name__ == "__main__":
    main()
