"""What each unit's sheet gave at its last read, kept in `state.sqlite` so that a sheet that has
not changed since is not opened again: its results (`UnitResult`), under the sheet's version (a
file's size, mtime and inode; Drive's version) and everything else they depend on (`inputs`).

A kept result is a cache: it is never backed up (a restored state reads every sheet once), and
it is taken only when the version and the inputs are those of this run, on a day it holds for.
What every run asks of a unit (its status, its levels, its number of errors) is kept beside it
as JSON; the whole result is loaded only when a digest or the consolidation needs it (`Kept`).

Results are pickled: they are nested frozen records (fractions, dates) that JSON would have to
be taught one by one. The state is the workspace's own file, but a pickle must never be able to
run code: only the worker's record types, dates and fractions are loaded; anything else (a file
edited by hand, a result of other code) is a miss, and the sheet is read.
"""

from __future__ import annotations

import gc
import io
import json
import pickle
import sqlite3
import sys
import zlib
from collections.abc import Callable
from dataclasses import is_dataclass
from datetime import date
from fractions import Fraction
from typing import Any

from worker.core.evaluate import ExemplarOutcome, ModelResult, UnitResult
from worker.core.registry import Unit
from worker.core.tabs import CellError

SCHEMA = """
CREATE TABLE IF NOT EXISTS kept_results (
    unit TEXT PRIMARY KEY, version TEXT NOT NULL, inputs TEXT NOT NULL,
    read_on TEXT NOT NULL, dated INTEGER NOT NULL, summary TEXT NOT NULL, result BLOB NOT NULL);
"""
TABLE = "kept_results"  # left out of backups


def _records() -> dict[tuple[str, str], type]:
    """What a kept result may be made of: the worker's records (frozen dataclasses of
    `worker.core`, imported by now), dates and fractions; nothing else is loaded."""
    found: dict[tuple[str, str], type] = {
        ("datetime", "date"): date,
        ("fractions", "Fraction"): Fraction,
    }
    for name, module in list(sys.modules.items()):
        if name.startswith("worker.core.") and module is not None:
            for value in vars(module).values():
                if isinstance(value, type) and is_dataclass(value) and value.__module__ == name:
                    found[name, value.__qualname__] = value
    return found


class _Records(pickle.Unpickler):
    def __init__(self, data: bytes, records: dict[tuple[str, str], type]) -> None:
        super().__init__(io.BytesIO(data))
        self.records = records

    def find_class(self, module: str, name: str) -> type:
        found = self.records.get((module, name))
        if found is None:
            raise pickle.UnpicklingError(f"{module}.{name} is not a record of a unit's results")
        return found


class Kept(UnitResult):
    """A unit's result as kept. What every run asks of it — its status, its levels and the
    number of its errors — is at hand; its models, exemplars and errors are loaded from the
    state when first asked for (a digest, the consolidation): a quiet run loads none."""

    def __init__(self, unit: Unit, summary: dict[str, Any], load: Callable[[], UnitResult]):
        self.unit = unit
        self.year = summary["year"]
        self.status = summary["status"]
        self.problem = summary["problem"]
        self.more_errors = summary["more_errors"]
        self.results_seen = None
        self.province_side = summary["province_side"]
        self._summary = summary
        self._load = load
        self._whole: UnitResult | None = None

    def _loaded(self) -> UnitResult:
        if self._whole is None:
            self._whole = self._load()
        return self._whole

    @property  # type: ignore[override]
    def models(self) -> list[ModelResult]:
        return self._loaded().models

    @models.setter
    def models(self, value: list[ModelResult]) -> None:
        self._loaded().models = value

    @property  # type: ignore[override]
    def exemplars(self) -> list[ExemplarOutcome]:
        return self._loaded().exemplars

    @exemplars.setter
    def exemplars(self, value: list[ExemplarOutcome]) -> None:
        self._loaded().exemplars = value

    @property  # type: ignore[override]
    def errors(self) -> list[CellError]:
        return self._loaded().errors

    @errors.setter
    def errors(self, value: list[CellError]) -> None:
        self._loaded().errors = value

    @property
    def error_count(self) -> int:
        return int(self._summary["errors"])

    def finals(self) -> list[str]:
        return list(self._summary["finals"])

    def unrated_kinds(self) -> list[str]:
        return list(self._summary["unrated"])


class KeptResults:
    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db
        db.executescript(SCHEMA)
        self._records: dict[tuple[str, str], type] | None = None  # made at the first load

    def get(
        self,
        unit: Unit,
        version: str,
        inputs: str,
        today: date,
        read: Callable[[], UnitResult],
    ) -> UnitResult | None:
        """The result kept for `unit` when it was read at `version` with `inputs`, and holds on
        `today`: a result that depends on its day (`UnitResult.dated`) holds on that day only,
        any other from that day on (a date that was valid stays valid). None otherwise.

        Its models are loaded when first needed; should what was kept not load then (a state
        edited by hand), `read` reads the sheet after all."""
        row = self.db.execute(
            "SELECT read_on, dated, summary FROM kept_results"
            " WHERE unit = ? AND version = ? AND inputs = ?",
            (unit.unit_id, version, inputs),
        ).fetchone()
        if row is None:
            return None
        read_on, dated = date.fromisoformat(row[0]), row[1]
        if today < read_on or (dated and today != read_on):
            return None
        try:
            summary = json.loads(row[2])
        except ValueError:
            return None

        def load() -> UnitResult:
            try:
                return self._whole(unit.unit_id)
            except Exception:  # any damage, or records of other code: never used
                return read()

        return Kept(unit, summary, load)

    def _whole(self, unit: str) -> UnitResult:
        (blob,) = self.db.execute(
            "SELECT result FROM kept_results WHERE unit = ?", (unit,)
        ).fetchone()
        if self._records is None:
            self._records = _records()
        # A result is a thousand small objects without cycles: while it is made the collector
        # would scan every result loaded before at each pass.
        collecting = gc.isenabled()
        gc.disable()
        try:
            found = _Records(zlib.decompress(blob), self._records).load()
        finally:
            if collecting:
                gc.enable()
        if not isinstance(found, UnitResult):
            raise pickle.UnpicklingError("not a unit's results")
        return found

    def put(self, result: UnitResult, version: str, inputs: str, read_on: date) -> None:
        """Keep what a read gave (the Kết quả tab as read is left out: it is not needed again)."""
        kept = UnitResult(**{**vars(result), "results_seen": None})
        summary = {
            "year": result.year,
            "status": result.status,
            "problem": result.problem,
            "more_errors": result.more_errors,
            "province_side": result.province_side,
            "errors": result.error_count,
            "finals": result.finals(),
            "unrated": result.unrated_kinds(),
        }
        self.db.execute(
            "INSERT OR REPLACE INTO kept_results VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                result.unit.unit_id,
                version,
                inputs,
                read_on.isoformat(),
                int(result.dated),
                json.dumps(summary, ensure_ascii=False),
                zlib.compress(pickle.dumps(kept, protocol=pickle.HIGHEST_PROTOCOL)),
            ),
        )
