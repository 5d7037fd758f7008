"""Validate + rate give, to the letter, the results of the original implementation.

`fixtures/same_results.json` holds a digest of every result (each model's eligibility, rating,
reasons and percent; each exemplar's outcome; every error with its tab, cell, code, value,
message and fix, in order) for the demo province and for units with random damage of every
kind. It was computed with the code of commit d9c344a, before validation was made faster:
`python -m tests.test_same_results` writes it again, which is only right when a change of
results is intended.
"""

from __future__ import annotations

import copy
import hashlib
import json
import random
import unicodedata
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

from tests.conftest import TODAY
from tests.openpyxl_baseline import read_tabs
from worker.app.scaffold import init_workspace
from worker.core.evaluate import Unit, UnitResult, evaluate_unit
from worker.demo.province import unit_tabs

FIXTURE = Path(__file__).parent / "fixtures" / "same_results.json"
REFERENCE = date(2026, 10, 31)
Tabs = dict[str, list[list[Any]]]

# What units put in cells, good and bad: every form each parser accepts or rejects.
VALUES: list[Any] = [
    *(None, "", " ", "\u00a0", "\u00a0 \u00a0", "#REF!", " #n/a ", "#DIV/0!", "x" * 50_001),
    *("Có", "có", "KHÔNG", "x", "X", "1", "0", 1, 0, 2, 1.0, 0.0, 0.5, -1, -0.5, True, False),
    *("TRUE", "false", "Đúng", "chưa đạt", "v", "✓", "yes", "maybe", "Co", "khong"),
    *("31/02/2026", "29/02/2024", "5/7/2025", "05.07.2025", "5-7-2025", "2025-07-05"),
    *("2025-07-05 00:00", "2025-07-05T00:00:00", "2025-07-05 12:30", "2027-01-01", "01/01/2027"),
    *(45843, 45843.0, 45843.5, 3_000_000, datetime(2025, 7, 5), date(2025, 7, 5), "5/7/25"),
    *(datetime(2026, 10, 30), date(2026, 10, 29), datetime(2030, 1, 1), "July 5, 2025"),
    *("1,5", "1.000", "1.500,5", "90%", " 12 ", "12 345", "1e3", "nan", "inf", "-3", "0,0"),
    *("2026", 2026, 2026.0, 2025, "2026.0", 1999, 2101, "năm 2026", 12.5, 1e20, 7, 120, 48),
    *("Kinh te", "kinh tế", "Kinh  tế", "KINH TẾ", "Quốc phòng - an ninh", "Quoc phong"),
    *("Đã kết thúc", "đang hoạt động", "Đang xây dựng", "Đã công nhận", "Tập thể", "Cá nhân"),
    *("ca nhan", "MH-001", "MH-002", "MH-003", "MH-999", 7.0, "007", "ĐH-01", "Đh-01", "ĐH-02"),
    *("Chiến sĩ thi đua", "Chiến sỹ tiên tiến", "Lao động tiên tiến", "=1+1", "'=A1"),
    unicodedata.normalize("NFD", "Có"),
    unicodedata.normalize("NFD", "Kinh tế"),
    unicodedata.normalize("NFD", "Đang hoạt động"),
    "\u200bMH-001",
    " MH-002 ",
]

NUMBERS = [v for v in VALUES if isinstance(v, int | float) and not isinstance(v, bool)]
NUMBERS += ["-3", "-1,5", "0", "12,5", "1.000", "75%", "1.500,5", "abc", "#VALUE!", None]

DATED = {"Ngày quyết định thành lập", "Ngày kết thúc", "Ngày ban hành kế hoạch"}
DATES = [v for v in VALUES if isinstance(v, date) or (isinstance(v, str) and v[:1].isdigit())]


def _header_variant(header: str, others: list[Any], rng: random.Random) -> Any:
    return rng.choice(
        [
            header.upper(),
            unicodedata.normalize("NFD", header),
            f"  {header}\u00a0 ",
            "\u200b" + header.replace(" ", "  "),
            rng.choice(others),  # a duplicated header
            None,
            "Cột thêm",
        ]
    )


def _mutate(tabs: Tabs, rng: random.Random, times: int) -> Tabs:
    """The tabs with `times` random edits a unit might make: bad cells, renamed or doubled
    headers, moved columns, missing tabs, doubled, blank and short rows, other years."""
    tabs = copy.deepcopy(tabs)
    for _ in range(times):
        name = rng.choice(list(tabs))
        rows = tabs[name]
        data = [i for i in range(1, len(rows)) if any(v is not None for v in rows[i])]
        kind = rng.choices(
            ["cell", "header", "tab", "double", "blank", "short", "swap", "year", "count", "date"],
            [60, 6, 2, 6, 4, 4, 4, 6, 6, 6],
        )[0]
        if kind == "cell" and data:
            row = rows[rng.choice(data)]
            at = rng.randrange(len(row) + 1)
            if at == len(row):
                row.append(rng.choice(VALUES))  # a value beyond the headers: ignored
            else:
                row[at] = rng.choice(VALUES)
        elif kind == "header" and rows:
            at = rng.randrange(len(rows[0]))
            rows[0][at] = _header_variant(str(rows[0][at]), rows[0], rng)
        elif kind == "tab":
            renamed = rng.choice([None, name.upper(), f" {name} ", name.replace(" ", "  ")])
            del tabs[name]
            if renamed is not None:
                tabs[renamed] = rows
        elif kind == "double" and data:
            rows.insert(rng.randrange(1, len(rows) + 1), list(rows[rng.choice(data)]))
        elif kind == "blank" and data:
            rows.insert(rng.choice(data), rng.choice([[], [None, ""], [" "] * 3]))
        elif kind == "short" and data:
            row = rows[rng.choice(data)]
            del row[rng.randrange(len(row)) :]
        elif kind == "swap" and rows:
            a, b = rng.randrange(len(rows[0])), rng.randrange(len(rows[0]))
            for row in rows:
                if max(a, b) < len(row):
                    row[a], row[b] = row[b], row[a]
        elif kind == "count" and data and rows[0][4:6] == ["Kế hoạch", "Thực hiện"]:
            rows[rng.choice(data)][rng.choice([4, 5])] = rng.choice(NUMBERS)
        elif (
            kind == "date" and data and (dated := [i for i, h in enumerate(rows[0]) if h in DATED])
        ):
            row, at = rows[rng.choice(data)], rng.choice(dated)
            if at < len(row):  # a row cut short by an earlier edit has no such cell
                row[at] = rng.choice(DATES)
        elif kind == "year" and data and rows[0][1] == "Năm đánh giá":
            rows[rng.choice(data)][1] = rng.choice([2025, 2027, "2025"])
    return tabs


def variants() -> Iterator[tuple[str, Tabs, set[str], str]]:
    """(name, tabs, models rated before, method): the demo, then damaged units."""
    demo = list(unit_tabs(12, TODAY))
    for unit, tabs in demo:
        yield f"demo/{unit}", tabs, set(), "mean_ratio"
    for unit, tabs in demo:
        yield f"share_met/{unit}", tabs, {"MH-001", "MH-003", "MH-004"}, "share_met"
    rng = random.Random(8)
    for n, (unit, tabs) in enumerate(unit_tabs(132, TODAY)):
        if n >= 12:
            yield (
                f"damaged/{unit}",
                _mutate(tabs, rng, rng.randint(1, 40)),
                {"MH-002"},
                "mean_ratio",
            )


def _digest(value: object) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def summary(result: UnitResult) -> dict[str, Any]:
    """Counts to read, and a digest of every field a unit sees, in the order it sees them."""
    models = [
        [
            *(m.model.model_id, m.model.name, m.model.field, m.model.status, m.model.area),
            *(m.model.decision_no, m.model.decision_date, m.model.authority, m.model.end_date),
            *((m.eligibility.eligible, m.eligibility.months) if m.eligibility else (None, None)),
            list(m.eligibility.reasons) if m.eligibility else None,
            *(m.rating.level, list(m.rating.reasons), m.rating.percent),
            list(m.rating.missing_documents),
        ]
        for m in result.models
    ]
    exemplars = [
        [
            *(e.exemplar.exemplar_id, e.exemplar.name, e.exemplar.kind, e.exemplar.status),
            *(e.exemplar.plan_date, e.exemplar.field, e.exemplar.disciplined, e.exemplar.title),
            e.reason,
            *(
                (e.result.percent, e.result.flagged, e.result.due, list(e.result.blockers))
                if e.result
                else (None,)
            ),
        ]
        for e in result.exemplars
    ]
    errors = [[e.tab, e.cell, e.code, e.value, e.message, e.fix] for e in result.errors]
    return {
        "status": result.status,
        "counts": [len(models), len(exemplars), len(errors)],
        "models": _digest(models),
        "exemplars": _digest(exemplars),
        "errors": _digest(errors),
    }


def summaries() -> dict[str, dict[str, Any]]:
    out = {}
    for name, tabs, rated_before, method in variants():
        unit = Unit(name, name, "Xã", "", (), "", True)
        result = evaluate_unit(unit, tabs, 2026, TODAY, REFERENCE, rated_before, method)
        out[name] = summary(result)
    return out


def test_every_result_is_the_original_implementations() -> None:
    expected = json.loads(FIXTURE.read_text("utf-8"))["units"]
    assert summaries() == expected


def test_the_damage_reaches_every_kind_of_error() -> None:
    codes = set()
    for name, tabs, rated_before, method in variants():
        unit = Unit(name, name, "Xã", "", (), "", True)
        result = evaluate_unit(unit, tabs, 2026, TODAY, REFERENCE, rated_before, method)
        codes |= {e.code for e in result.errors}
    assert codes >= {
        *("bad_date", "future_date", "bad_number", "not_positive", "negative", "bad_year"),
        *("bad_yesno", "not_allowed", "formula_error", "too_long", "empty_required"),
        *("missing_tab", "missing_header", "duplicate_header", "duplicate_id", "unknown_id"),
        "no_criteria",
    }


def test_the_demo_in_memory_is_the_demo_as_read_from_its_workbooks(tmp_path: Path) -> None:
    init_workspace(tmp_path / "ws", demo=True, today=TODAY)
    written = sorted((tmp_path / "ws" / "units").glob("*.xlsx"))
    in_memory = {unit.lower(): tabs for unit, tabs in unit_tabs(12, TODAY)}
    assert len(written) == 11  # CA-TP's workbook is never sent, on purpose
    for path in written:
        assert in_memory[path.stem] == read_tabs(path), path.name


if __name__ == "__main__":
    FIXTURE.parent.mkdir(exist_ok=True)
    note = (
        "Digests of validate + rate by the straightforward implementation (before the readers "
        "of worker/core/readers.py), written by `python -m tests.test_same_results`; "
        "rewritten only "
        "when results change on purpose (the code of the change is checked to give them too)."
    )
    lines = [
        f"  {json.dumps(k)}: {json.dumps(v, ensure_ascii=False)}" for k, v in summaries().items()
    ]
    body = ",\n".join(lines)
    FIXTURE.write_text(f'{{"_note": {json.dumps(note)},\n "units": {{\n{body}\n}}}}\n', "utf-8")
