"""What a quiet run costs: python bench/quiet.py --units 2000

On a province of --units units built from the demo's workbooks (bench/cycle.py's `province`),
each a command in a process of its own, its CPU time (user + system, from the kernel's count
of the children):
- start: `mohinh --version`, the cost of starting the command at all; and stat-ing every unit
  workbook (in this process), which is all a run needs to tell them unchanged;
- cold: the first `run --once` (29/10: every sheet read, every Kết quả written, the digests);
- quiet: `run --once` the next day, nothing changed (no sheet opened);
- touched: `run --once` the day after, every tenth workbook saved again unchanged (read again);
then the sizes of state.sqlite and of its newest backup.
"""

from __future__ import annotations

import argparse
import os
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # bench.*

from bench.cycle import province

MOHINH = [sys.executable, "-m", "worker"]


def cpu_of(args: Sequence[str]) -> float:
    """CPU seconds (user + system) of one command run to its end."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(args, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def run_once(root: Path, today: str) -> float:
    return cpu_of([*MOHINH, "run", "--once", "--workspace", str(root), "--today", today])


def stat_all(root: Path) -> float:
    started = time.process_time()
    for path in (root / "units").iterdir():
        os.stat(path)
    return time.process_time() - started


def mb(path: Path) -> str:
    return f"{path.stat().st_size / 1e6:.1f} MB"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--units", type=int, default=2000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder) / "tinh"
        province(root, args.units)
        start = min(cpu_of([*MOHINH, "--version"]) for _ in range(3))
        stat = min(stat_all(root) for _ in range(3))
        cold = run_once(root, "2026-10-29")
        cold_backup = sorted((root / "backups").iterdir())[-1]
        with sqlite3.connect(root / "state.sqlite") as db:
            (models,) = db.execute("SELECT count(*) FROM ratings").fetchone()
        print(f"{args.units} units, {models} models rated")
        print(f"start {start:.2f} s, stat every workbook {stat * 1000:.0f} ms (CPU)")
        print(f"cold run   {cold:7.2f} s CPU; state {mb(root / 'state.sqlite')}")
        quiet = run_once(root, "2026-10-30")
        backups = len(list((root / "backups").iterdir()))
        print(
            f"quiet run  {quiet:7.2f} s CPU = {quiet / (start + stat):.1f}× start and stat; "
            f"backups taken: {backups - 1}"
        )
        for n, path in enumerate(sorted((root / "units").iterdir())):
            if n % 10 == 0:
                os.utime(path)
        touched = run_once(root, "2026-10-31")
        print(f"10 % saved again  {touched:7.2f} s CPU")
        print(
            f"state.sqlite {mb(root / 'state.sqlite')}, its backup {mb(cold_backup)} "
            f"(the results kept for the quiet runs left out)"
        )


if __name__ == "__main__":
    main()
