"""The mutation scores of the core, per module, from what `mutmut run` left in mutants/.

python bench/mutation_scores.py (run by `make mutation` after mutmut). A mutant is caught when
a test failed or timed out under it. The equivalent mutants, which no test can catch because
they change no behaviour, are those named in docs/mutation-equivalents.md: they are counted
apart, and every other survivor is listed by name (`mutmut show NAME` prints its change).
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The modules under test, grouped as the README states their scores, each with its floor.
GROUPS = {
    "rules": (("rules.py", "months.py", "decisions.py"), 95),
    "validation": (("tabs.py", "validation.py"), 90),
    "cells": (("cells.py",), 85),
}
CAUGHT = {1, 3, 36, 37, -24, 24, 152, 255}  # killed, pytest's internal error, timeouts, mypy
SURVIVED = 0
EQUIVALENTS = ROOT / "docs" / "mutation-equivalents.md"


def equivalents() -> set[str]:
    """The mutants named in the list of equivalent ones (`worker.core…__mutmut_N`)."""
    return set(re.findall(r"`(worker\.core\.[^`\s]+__mutmut_\d+)`", EQUIVALENTS.read_text()))


def outcomes(module: str) -> dict[str, int | None]:
    meta = ROOT / "mutants" / "worker" / "core" / f"{module}.meta"
    return json.loads(meta.read_text())["exit_code_by_key"]


def main() -> int:
    known = equivalents()
    below, survivors, seen = [], [], set()
    print(f"{'module':22} {'mutants':>7} {'caught':>6} {'equiv.':>6} {'other':>5} {'score':>7}")
    for group, (modules, floor) in GROUPS.items():
        totals = [0, 0, 0, 0]
        for module in modules:
            codes = outcomes(module)
            seen.update(codes)
            caught = sum(1 for c in codes.values() if c in CAUGHT)
            equivalent = sum(1 for n, c in codes.items() if c == SURVIVED and n in known)
            left = [n for n, c in codes.items() if c not in CAUGHT and n not in known]
            survivors += left
            row = [len(codes), caught, equivalent, len(left)]
            totals = [a + b for a, b in zip(totals, row, strict=True)]
            print(f"  {module:20} {row[0]:7} {row[1]:6} {row[2]:6} {row[3]:5} {score(row):>7}")
        print(f"{group:22} {totals[0]:7} {totals[1]:6} {totals[2]:6} {totals[3]:5}", end="")
        print(f" {score(totals):>7}  (at least {floor} %)")
        if totals[1] * 100 < floor * (totals[0] - totals[2]):
            below.append(group)
    for name in survivors:
        print(f"not caught: {name}")
    stale = known - seen
    for name in sorted(stale):
        print(f"listed as equivalent but no longer a mutant: {name}")
    if below:
        print(f"below the floor: {', '.join(below)}")
    return 1 if below or stale else 0


def score(row: list[int]) -> str:
    """Caught of the mutants that can be caught (the equivalent ones apart), in percent."""
    total, caught, equivalent, _ = row
    return f"{100 * caught / (total - equivalent):.1f} %" if total > equivalent else "—"


if __name__ == "__main__":
    sys.exit(main())
