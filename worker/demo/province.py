"""A realistic sample province for `mohinh init --demo`: 12 units of the province and of its
communes, wards and special zone, about 100 models, exemplars, last year's assessments and a few
deliberate data errors, so that a first run shows every kind of output; and the rating decisions
two establishing bodies take between 01/11 and 10/11, recorded once taken.

Generated from a fixed seed for the evaluation year of `today`; every date lies before it.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from itertools import count, islice
from pathlib import Path
from typing import Any

from worker.adapters.xlsx.workbook import set_cells, write_workbook
from worker.core.evaluate import Unit, evaluate_unit
from worker.core.layout import load
from worker.core.months import add_months
from worker.core.rules import LEVELS
from worker.core.tabs import column_letter
from worker.demo.sample import (
    AREAS,
    CRITERIA,
    DECIDING,
    ESTABLISHING,
    MISSING_FILE,
    MODELS,
    PEOPLE,
    TARGETS,
    UNITS,
)

PROVINCE = "Tỉnh Bình Thuận (dữ liệu mẫu)"
STAFF = ["thuongtruc.bcd@example.gov.vn", "phong.xdpt@example.gov.vn"]
SENDER = "mohinh@example.gov.vn"
SENDER_NAME = "Ban Chỉ đạo tỉnh Bình Thuận — dữ liệu mẫu"
# [report] of the demo's config.toml: the annual report's letterhead and signature (fictitious)
REPORT: dict[str, object] = {
    "parent": "UBND TỈNH BÌNH THUẬN",
    "issuer": "BAN CHỈ ĐẠO PHONG TRÀO TOÀN DÂN BẢO VỆ AN NINH TỔ QUỐC TỈNH",
    "place": "Bình Thuận",
    "symbol": "BC-BCĐ",
    "authority": "TM. BAN CHỈ ĐẠO",
    "title": "TRƯỞNG BAN",
    "signer": "Trần Văn Mẫu",
    "recipients": [
        "Ban Chỉ đạo Trung ương (Cục V05 - Bộ Công an)",
        "Thường trực Tỉnh ủy",
        "UBND tỉnh",
        "Thành viên Ban Chỉ đạo tỉnh",
        "Ban Chỉ đạo các xã, phường, đặc khu",
    ],
    "archive": "VT, PV01",
    "basis": "Hướng dẫn số 163/HD-BCĐ ngày 17/01/2023 của Ban Chỉ đạo tỉnh",
}


def _named(name: str, area: str) -> str:
    """ "Camera an ninh khu dân cư" + "khu dân cư Bình Hưng" without saying "khu dân cư" twice."""
    for kind in ("khu dân cư", "khu phố", "thôn", "xóm", "chợ"):
        if name.endswith(" " + kind) and area.startswith(kind + " "):
            return f"{name} {area.removeprefix(kind + ' ')}"
    return f"{name} {area}"


def _model(rng: random.Random, unit: str, n: int, year: int, latest: date) -> dict[str, Any]:
    name, field = MODELS[(n + len(unit)) % len(MODELS)]
    decided = min(
        latest, date(year - rng.choice([1, 1, 2, 3, 4, 5]), rng.randint(1, 12), rng.randint(1, 28))
    )
    if n % 9 == 4:  # a few recent ones, not yet 10 months old at the reference date
        decided = min(latest, date(year, rng.randint(1, 6), rng.randint(1, 28)))
    ended = n % 11 == 10  # the tenth of a unit's models, where it has ten
    return {
        "model_id": f"MH-{n:03d}",
        "name": _named(name, rng.choice(AREAS)),
        "field": field,
        "movement": "Toàn dân bảo vệ an ninh Tổ quốc",
        "area": rng.choice(AREAS),
        "decision_no": "" if n % 23 == 7 else f"{rng.randint(10, 999)}/{ESTABLISHING[unit][1]}",
        "decision_date": decided,
        "authority": ESTABLISHING[unit][0],
        "leader": rng.choice(PEOPLE),
        "status": "Đã kết thúc" if ended else "Đang hoạt động",
        "end_date": add_months(decided, 14) if ended and add_months(decided, 14) < latest else None,
        "note": "",
    }


def _unit_rows(rng: random.Random, unit: str, year: int, latest: date) -> dict[str, list]:
    rows: dict[str, list[dict[str, Any]]] = {
        k: [] for k in ("models", "targets", "assessments", "dossiers", "exemplars", "criteria")
    }
    quality = rng.random()
    for n in range(1, rng.randint(9, 13)):
        model = _model(rng, unit, n, year, latest)
        rows["models"].append(model)
        _model_rows(rng, rows, model["model_id"], year, rng.random() * 0.5 + quality * 0.5)
    for n in range(1, rng.randint(3, 5)):
        _exemplar_rows(rng, rows, n, year, latest)
    # The sheet was kept last year too: the rows of Y−1 stand above this year's in Đánh giá, one
    # for each model rated then (so (13), the decision on that rating, is required now).
    rated = {m["model_id"] for m in rows["models"] if _rated_in(m, year - 1)}
    last_year = [{**a, "year": year - 1} for a in rows["assessments"] if a["model_id"] in rated]
    rows["assessments"] = last_year + rows["assessments"]
    return rows


def _rated_in(model: dict[str, Any], year: int) -> bool:
    """Whether the model was eligible, and so rated, in `year` (seed 002 III.2.a at 31/10)."""
    reference = date(year, 10, 31)
    decided, ended = model["decision_date"], model["end_date"]
    return (
        bool(model["decision_no"])
        and add_months(decided, 10) <= reference
        and (ended is None or ended > reference)
    )


def _model_rows(
    rng: random.Random, rows: dict[str, list], model_id: str, year: int, good: float
) -> None:
    """A model's targets, assessment and dossier; `good` (0–1) how well it does."""
    for target, measure, planned in rng.sample(TARGETS, rng.randint(2, 5)):
        share = min(1.2, max(0.0, rng.gauss(0.7 + good * 0.45, 0.15)))
        rows["targets"].append(
            {
                "model_id": model_id,
                "year": year,
                "target": target,
                "unit": measure,
                "planned": planned,
                "achieved": round(planned * share),
            }
        )
    ticks = {
        c.key: rng.random() < 0.88 + good * 0.2
        for c in load("unit").tab("assessments").columns
        if c.type == "yesno"
    }
    ticks.update(formalistic=rng.random() < 0.04, disciplined=rng.random() < 0.03, untruthful=False)
    rows["assessments"].append(
        {"model_id": model_id, "year": year, **{k: "Có" if v else "" for k, v in ticks.items()}}
    )
    rows["dossiers"].append(
        {
            "model_id": model_id,
            **{f"doc{d}": "Có" if rng.random() < 0.975 + good * 0.05 else "" for d in range(1, 17)},
        }
    )


def _exemplar_rows(
    rng: random.Random, rows: dict[str, list], n: int, year: int, latest: date
) -> None:
    individual = n % 2 == 0
    plan_date = min(
        latest, date(year - rng.choice([0, 1, 1, 2]), rng.randint(1, 10), rng.randint(1, 28))
    )
    exemplar_id = f"ĐH-{n:02d}"
    rows["exemplars"].append(
        {
            "exemplar_id": exemplar_id,
            "kind": "Cá nhân" if individual else "Tập thể",
            "name": rng.choice(PEOPLE) if individual else f"Tổ tự quản {rng.choice(AREAS)}",
            "field": "Quốc phòng - an ninh",
            "plan_date": plan_date,
            "status": "Đang xây dựng" if plan_date > date(year - 2, 10, 31) else "Đã công nhận",
            "disciplined": "Có" if rng.random() < 0.1 else "",
            "title": rng.choice(["Chiến sỹ tiên tiến", "Lao động tiên tiến", ""])
            if individual
            else "",
            "note": "",
        }
    )
    for criterion in rng.sample(CRITERIA, rng.randint(4, 7)):
        rows["criteria"].append(
            {
                "exemplar_id": exemplar_id,
                "year": year,
                "criterion": criterion,
                "met": "Có" if rng.random() < 0.82 else "",
            }
        )


def _add_mistakes(unit: str, rows: dict[str, list], year: int) -> None:
    """The deliberate data errors a real province has, one kind per unit."""
    models, targets = rows["models"], rows["targets"]
    if unit == "CA-HL":
        models[1]["decision_date"] = f"31/02/{year}"  # no such day
        targets[2]["achieved"] = "#REF!"  # a broken formula, never read as 0
    elif unit == "CA-DL":
        models[2]["field"] = "Kinh te"  # typed without diacritics: the closest value is named
        targets.append({**targets[0], "model_id": "MH-099"})  # a model that does not exist
    elif unit == "MT-BB":
        models.append({**models[0], "name": models[0]["name"] + " (nhập trùng)"})
        targets[1]["planned"] = 0
    elif unit == "CA-LG":  # last year's plan copied for MH-003, its year left as it was
        for target in targets:
            if target["model_id"] == "MH-003":
                target["year"] = year - 1
    elif unit == "TD":
        targets[0]["achieved"] = "12,5"  # decimal comma: accepted
        models[0]["decision_date"] = models[0]["decision_date"].strftime("%d/%m/%Y")  # text date
        rows["criteria"] = [c for c in rows["criteria"] if c["exemplar_id"] != "ĐH-01"]


def _period(today: date) -> tuple[int, date]:
    """The evaluation year of `today` and the latest date the sample data may hold."""
    year = today.year + 1 if today.month == 12 else today.year
    return year, min(today, date(year, 9, 30)) - timedelta(days=1)


def _decisions(unit: str, rows: dict[str, list], year: int) -> dict[int, dict[str, Any]]:
    """The decisions of a deciding unit, by row of its tab Đánh giá (0-based among its rows):
    one for each model rated this year, by the body that established it; most as proposed. In
    CA-PT one is above the criteria (Tốt for a model the criteria rate Khá); in HPN one is below
    its proposal."""
    day = DECIDING.get(unit)
    if day is None:
        return {}
    on = date(year, 11, day)
    proposals = _proposals(unit, rows, year, on)
    this_year = [
        (i, a["model_id"])
        for i, a in enumerate(rows["assessments"])
        if a["year"] == year and a["model_id"] in proposals
    ]
    levels = {i: proposals[mid] for i, mid in this_year}
    if unit == "CA-PT" and (above := _first(levels, "Khá")) is not None:
        levels[above] = "Tốt"
    elif unit == "HPN" and (below := _first(levels, "Tốt", "Khá", "Trung bình")) is not None:
        levels[below] = LEVELS[LEVELS.index(levels[below]) + 1]
    body, sign = ESTABLISHING[unit]
    return {
        i: {
            "decided_level": level,
            "decided_no": f"{101 + number}/{sign}",
            "decided_date": on,
            "decided_by": body,
        }
        for number, (i, level) in enumerate(levels.items())
    }


def _first(levels: dict[int, str], *wanted: str) -> int | None:
    return next((i for i, level in levels.items() if level in wanted), None)


def _proposals(unit: str, rows: dict[str, list], year: int, on: date) -> dict[str, str]:
    """The unit's models rated this year, with the level the criteria give each."""
    tabs = {
        tab.name: [
            [c.header for c in tab.columns],
            *([r.get(c.key) for c in tab.columns] for r in rows[tab.key]),
        ]
        for tab in load("unit").tabs
    }
    who = Unit(unit, unit, "", "", (), "", True)
    reference = date(year, 10, 31)  # the default R, as the demo's config.toml keeps it
    result = evaluate_unit(who, tabs, year, on, reference, set(), "mean_ratio")
    return {m.model.model_id: m.level for m in result.models if m.level in LEVELS}


Province = Iterator[tuple[tuple[str, str, str, str, str | None], dict[str, list], dict[int, Any]]]


def _province(today: date) -> Province:
    """Units drawn from a fixed seed, the demo's 12 first, each with its rows (deliberate errors
    included) and the decisions taken by `today`, not yet in its rows."""
    year, latest = _period(today)
    rng = random.Random(2026)
    for n in count():
        spec = UNITS[n % len(UNITS)]
        rows = _unit_rows(rng, spec[0], year, latest)
        _add_mistakes(spec[0], rows, year)
        decided = _decisions(spec[0], rows, year) if n < len(UNITS) else {}
        yield spec, rows, {i: d for i, d in decided.items() if d["decided_date"] <= today}


def build(root: Path, today: date) -> str:
    """Write registry.xlsx and units/*.xlsx as they stand on `today`, in its evaluation year:
    the decisions taken by then (01–10/11) recorded."""
    registry = []
    for (unit, name, level, parent, mailbox), rows, decided in islice(_province(today), len(UNITS)):
        path = f"units/{unit.lower()}.xlsx"
        registry.append(
            {
                "unit_id": unit,
                "name": name,
                "level": level,
                "parent": parent,
                "emails": f"{mailbox}@example.gov.vn" if mailbox else "",
                "sheet": path,
                "active": "Có",
            }
        )
        for i, decision in decided.items():
            rows["assessments"][i].update(decision)
        if unit != MISSING_FILE:
            write_workbook(root / path, load("unit"), rows)
    write_workbook(root / "registry.xlsx", load("registry"), {"units": registry})
    return PROVINCE


def decision_cells(today: date) -> dict[str, dict[tuple[int, int], Any]]:
    """What the deciding units type into their tab Đánh giá once their decisions are taken
    (by `today`): unit ID -> (row, column), 0-based in the tab's grid -> value."""
    tab = load("unit").tab("assessments")
    columns = {c.key: index for index, c in enumerate(tab.columns)}
    return {
        spec[0]: {
            (1 + i, columns[key]): value
            for i, decision in decided.items()
            for key, value in decision.items()
        }
        for spec, _, decided in islice(_province(today), len(UNITS))
        if decided
    }


def record_decisions(root: Path, today: date) -> list[str]:
    """The demo's units record in their workbooks the decisions taken by `today`, as their staff
    would between two runs (the workspace was made before 01/11); returns the units written."""
    name = load("unit").tab("assessments").name
    written = []
    for unit, cells in decision_cells(today).items():
        path = root / f"units/{unit.lower()}.xlsx"
        if path.is_file():
            set_cells(
                path, name, {f"{column_letter(c + 1)}{r + 1}": v for (r, c), v in cells.items()}
            )
            written.append(unit)
    return written


# template_tab formats the cells of the first rows of every tab, so a workbook it writes holds
# rows down to at least this one, read back as rows of empty cells.
FORMATTED_ROWS = 49


def _read_back(value: Any) -> Any:
    """A value as a workbook gives it back: "" is an empty cell, a date a datetime."""
    if value == "":
        return None
    if isinstance(value, date) and not isinstance(value, datetime):
        return datetime.combine(value, time())
    return value


def _as_read(rows: dict[str, list]) -> dict[str, list[list[Any]]]:
    """A unit's rows as `read_tabs` reads the workbook `build` writes: header row first, empty
    cells None, dates as datetimes, the formatted empty rows at the end."""
    tabs = {}
    for tab in load("unit").tabs:
        grid: list[list[Any]] = [[c.header for c in tab.columns]]
        for row in rows.get(tab.key, ()):
            grid.append([_read_back(row.get(c.key)) for c in tab.columns])
        grid += [[None] * len(tab.columns) for _ in range(len(grid), FORMATTED_ROWS)]
        tabs[tab.name] = grid
    return tabs


def unit_tabs(count: int, today: date) -> Iterator[tuple[str, dict[str, list[list[Any]]]]]:
    """`count` units drawn as the demo's, in memory: (unit ID, tab name -> rows as read).

    The first 12 are the demo's units, cell for cell as `read_tabs` reads the workbooks `build`
    writes on `today` (CA-TP's too, which `build` does not write); then more alike, "CA-PT-13"
    and so on, with the same deliberate data errors. For measuring validation on thousands of
    units.
    """
    for unit, rows in unit_rows(count, today):
        yield unit, _as_read(rows)


def unit_rows(count: int, today: date) -> Iterator[tuple[str, dict[str, list]]]:
    """`count` units drawn as the demo's: (unit ID, tab key -> rows as `write_workbook` takes
    them), the decisions taken by `today` recorded. The first 12 are the demo's; then "CA-PT-13"
    and so on, alike, with the same deliberate data errors (bench/scale.py builds provinces of
    thousands from them)."""
    for n, ((unit, *_), rows, decided) in enumerate(islice(_province(today), count)):
        for i, decision in decided.items():
            rows["assessments"][i].update(decision)
        yield (unit if n < len(UNITS) else f"{unit}-{n + 1}"), rows
