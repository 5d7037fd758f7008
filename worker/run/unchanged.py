"""What a unit's results depend on besides its sheet, so that a sheet unchanged since its last
read is not opened while everything else is the same too (`worker.adapters.store.kept`).

A unit's results (its `UnitResult`: ratings, reasons, errors; its Kết quả tab; what the digests
and the consolidation say of it) are a function of:
- its sheet: its version (`Backend.sheet_version`), compared apart;
- the code that reads, validates and rates it, and the sheet templates: `CODE_VERSION`;
- its registry row (the name heads its Kết quả);
- the evaluation year, the reference date R (months operated, eligibility, exemplars due), the
  calendar's decision day (decisions dated after it are noted), the completion method;
- the models the history holds a rating of for Y−1 (document (13) is then required);
- the day of the read, only through dates not yet come (refused until their day comes):
  `UnitResult.dated`, which `KeptResults.get` compares with today.
The days left before a cutoff, and the time stamp, are not in a unit's results: the digest and
the Kết quả stamp are made from the day of each run.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date
from importlib import resources
from importlib.abc import Traversable

from worker.core.registry import Unit

# The packages whose code and data turn a sheet into results: reading (.xlsx, Google), the
# pure core, the templates. The whole of worker/ is hashed, not a list of its modules: a list
# would have to be kept in step with the code, and a change it missed would keep stale results.
# Any change of the code costs one read of every sheet, once.
_SOURCES = ("worker", "sheet_templates")


def hash_sources(packages: tuple[str, ...] = _SOURCES) -> str:
    """A short hash of the .py and .toml files of `packages`, their paths and bytes."""
    digest = hashlib.sha256()

    def walk(folder: Traversable, prefix: str) -> None:
        for item in sorted(folder.iterdir(), key=lambda t: t.name):
            if item.is_dir() and item.name != "__pycache__":
                walk(item, f"{prefix}{item.name}/")
            elif item.name.endswith((".py", ".toml")):
                digest.update(f"{prefix}{item.name}\n".encode())
                digest.update(item.read_bytes())

    for package in packages:
        walk(resources.files(package), f"{package}/")
    return digest.hexdigest()[:16]


CODE_VERSION = hash_sources()


def unit_inputs(
    unit: Unit,
    year: int,
    reference: date,
    decision_day: date,
    method: str,
    rated_before: set[str],
) -> str:
    """Everything but the sheet and the day a unit's results depend on, as one short string."""
    inputs = [
        CODE_VERSION,
        repr(unit),
        year,
        reference.isoformat(),
        decision_day.isoformat(),
        method,
        sorted(rated_before),
    ]
    return hashlib.sha256(json.dumps(inputs, ensure_ascii=False).encode()).hexdigest()
