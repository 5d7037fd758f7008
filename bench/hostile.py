"""One hostile unit among the demo province's: time, peak memory and what the others got.

    .venv/bin/python bench/hostile.py                       # every kind of tests/hostile.py
    .venv/bin/python bench/hostile.py far_cell zip_bomb

For each kind, a fresh demo workspace (`mohinh init --demo`), the unit CA-DL's workbook replaced
by the hostile one, then `mohinh run --once --today 16/11/2026` in a process of its own; its
peak resident memory is the kernel's (VmHWM, read by the process itself at exit: see
tests/hostile.py). Also a run with no hostile unit, the baseline. Prints, per kind: exit
status, seconds, peak MB, the units written, and the hostile unit's line of the summary.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests import hostile  # noqa: E402  (tests is found through the path set above)

VICTIM = "ca-dl.xlsx"
TODAY = "2026-11-16"


def mohinh(*args: str) -> list[str]:
    return [sys.executable, "-m", "worker", *args]


def run(kind: str | None, folder: Path) -> dict[str, object]:
    root = folder / (kind or "baseline")
    init = mohinh("init", str(root), "--demo", "--today", "2026-10-29")  # the demo of year 2026
    subprocess.run(init, check=True, capture_output=True)
    if kind:
        hostile.KINDS[kind](root / "units" / VICTIM)
    log = folder / f"{kind or 'baseline'}.log"
    started = time.monotonic()
    args = ["run", "--once", "--workspace", str(root), "--today", TODAY]
    status, output, peak = hostile.run_measured(args, log, cwd=ROOT)
    seconds = time.monotonic() - started
    written = re.search(r"(\d+) cập nhật tab Kết quả", output)
    line = next((x.strip() for x in output.splitlines() if "CA-DL" in x and "!" in x), "")
    return {
        "status": status,
        "seconds": round(seconds, 1),
        "peak_mb": round(peak),
        "written": written[1] if written else "?",
        "hostile": line[:220],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("kinds", nargs="*", default=list(hostile.KINDS))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        for kind in [None, *args.kinds]:
            result = run(kind, Path(tmp))
            print(
                f"{kind or 'no hostile unit':14} "
                + ", ".join(f"{k} {v}" for k, v in result.items())
            )


if __name__ == "__main__":
    main()
