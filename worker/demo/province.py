"""A realistic sample province for `mohinh init --demo`: 12 units, about 100 models, exemplars
and a few deliberate data errors, so that a first run shows every kind of output.

Generated from a fixed seed for the evaluation year of `today`; every date lies before it.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from worker.adapters.xlsx.workbook import write_workbook
from worker.core.evaluate import Unit, evaluate_unit
from worker.core.layout import load
from worker.core.months import add_months
from worker.core.rules import LEVELS

PROVINCE = "Tỉnh Bình Thuận (dữ liệu mẫu)"
STAFF = ["thuongtruc.bcd@example.gov.vn", "phong.xdpt@example.gov.vn"]
SENDER = "mohinh@example.gov.vn"
SENDER_NAME = "Ban Chỉ đạo tỉnh Bình Thuận — dữ liệu mẫu"

UNITS = [  # ID, name, level, parent, coordinators' mailbox (None: no coordinator yet)
    ("CA-PT", "Công an thành phố Phan Thiết", "Huyện", "Công an tỉnh", "pv05.phanthiet"),
    ("CA-HTB", "Công an huyện Hàm Thuận Bắc", "Huyện", "Công an tỉnh", "ctxd.htb"),
    ("CA-HL", "Công an xã Hàm Liêm", "Xã", "CA-HTB", "ca.hamliem"),
    ("CA-DL", "Công an phường Đức Long", "Xã", "CA-PT", "ca.duclong"),
    ("CA-LG", "Công an thị xã La Gi", "Huyện", "Công an tỉnh", "ca.lagi"),
    ("CA-TP", "Công an huyện Tuy Phong", "Huyện", "Công an tỉnh", "ca.tuyphong"),
    ("CA-TT", "Công an xã Tân Tiến", "Xã", "CA-LG", None),
    ("MT-BB", "Ủy ban MTTQ Việt Nam huyện Bắc Bình", "Huyện", "Ủy ban MTTQ tỉnh", "mttq.bacbinh"),
    ("HPN", "Hội Liên hiệp Phụ nữ tỉnh", "Tỉnh", "", "hlhpn"),
    ("TD", "Tỉnh đoàn Bình Thuận", "Tỉnh", "", "tinhdoan"),
    ("SGD", "Sở Giáo dục và Đào tạo", "Tỉnh", "", "sgddt.vp"),
    ("HND-DL", "Hội Nông dân huyện Đức Linh", "Huyện", "Hội Nông dân tỉnh", "hnd.duclinh"),
]
MISSING_FILE = "CA-TP"  # its workbook is listed in the registry but was never sent
AREAS = [
    "thôn 1",
    "thôn 2",
    "thôn 3",
    "khu phố 4",
    "khu phố 5",
    "khu phố Lạc Đạo",
    "thôn Dân Hòa",
    "xóm Cát",
    "khu dân cư Bình Hưng",
    "chợ trung tâm",
    "bến cá Phú Hài",
]
MODELS = [
    ("Tổ tự quản về an ninh trật tự", "Quốc phòng - an ninh"),
    ("Camera an ninh khu dân cư", "Quốc phòng - an ninh"),
    ("Dòng họ không có người vi phạm pháp luật", "Văn hóa - xã hội"),
    ("Tổ liên gia tự quản", "Quốc phòng - an ninh"),
    ("Bến thuyền an toàn về an ninh trật tự", "Kinh tế"),
    ("Chợ an toàn về an ninh trật tự", "Kinh tế"),
    ("Trường học an toàn, không có tệ nạn xã hội", "Văn hóa - xã hội"),
    ("Doanh nghiệp an toàn về an ninh trật tự", "Kinh tế"),
    ("Câu lạc bộ phòng, chống ma túy", "Văn hóa - xã hội"),
    ("Tổ hòa giải ở cơ sở", "Xây dựng hệ thống chính trị"),
    ("Nhóm Zalo an ninh trật tự khu dân cư", "Quốc phòng - an ninh"),
    ("Phụ nữ tham gia giữ gìn an ninh trật tự", "Xây dựng hệ thống chính trị"),
    ("Đội thanh niên xung kích tuần tra", "Quốc phòng - an ninh"),
    ("Tàu thuyền an toàn trên biển", "Kinh tế"),
]
TARGETS = [
    ("Tổ chức tuần tra, canh gác", "buổi", 48),
    ("Tuyên truyền pháp luật", "buổi", 12),
    ("Hòa giải thành các vụ mâu thuẫn", "vụ", 10),
    ("Hộ ký cam kết không vi phạm", "hộ", 120),
    ("Cung cấp tin có giá trị cho Công an", "tin", 6),
    ("Lắp đặt camera", "mắt", 20),
]
AUTHORITIES = ["UBND xã", "UBND huyện", "Công an huyện", "Ban Thường vụ Huyện ủy"]
PEOPLE = [
    "Nguyễn Văn An",
    "Trần Thị Bích",
    "Lê Văn Cường",
    "Phạm Thị Dung",
    "Hoàng Văn Em",
    "Võ Thị Hoa",
    "Đặng Văn Hùng",
    "Bùi Thị Lan",
    "Đỗ Văn Minh",
    "Huỳnh Thị Ngọc",
]
CRITERIA = [
    "Có đăng ký xây dựng điển hình",
    "Kết quả bảo đảm an ninh trật tự đạt hiệu quả cao",
    "Được cấp ủy, chính quyền, Nhân dân ghi nhận",
    "Được khen thưởng trong năm",
    "Cung cấp nhiều thông tin có giá trị",
    "Tham gia hiệu quả xây dựng Phong trào",
    "Không có vi phạm trong năm",
    "Hoàn thành tiêu chí riêng của điển hình",
]


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
    ended = n % 17 == 16
    return {
        "model_id": f"MH-{n:03d}",
        "name": _named(name, rng.choice(AREAS)),
        "field": field,
        "movement": "Toàn dân bảo vệ an ninh Tổ quốc",
        "area": rng.choice(AREAS),
        "decision_no": "" if n % 23 == 7 else f"{rng.randint(10, 999)}/QĐ-UBND",
        "decision_date": decided,
        "authority": rng.choice(AUTHORITIES),
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
    return rows


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
    elif unit == "TD":
        targets[0]["achieved"] = "12,5"  # decimal comma: accepted
        models[0]["decision_date"] = models[0]["decision_date"].strftime("%d/%m/%Y")  # text date
        rows["criteria"] = [c for c in rows["criteria"] if c["exemplar_id"] != "ĐH-01"]


def _period(today: date) -> tuple[int, date]:
    """The evaluation year of `today` and the latest date the sample data may hold."""
    year = today.year + 1 if today.month == 12 else today.year
    return year, min(today, date(year, 9, 30)) - timedelta(days=1)


# Units whose deciding authorities recorded their decisions (III.2.c) in the tab Đánh giá.
DECIDING = {"CA-PT": "UBND thành phố Phan Thiết", "HPN": "Ban Thường vụ Hội LHPN tỉnh"}


def _add_decisions(unit: str, rows: dict[str, list], year: int, on: date) -> None:
    """A few decisions: most as proposed; in CA-PT one above the criteria (Tốt for a model that
    did not attract social resources, so at best Khá) and in HPN one below its proposal."""
    authority = DECIDING.get(unit)
    if authority is None:
        return
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
    proposals = {m.model.model_id: m.level for m in result.models if m.level in LEVELS}
    ids = [a["model_id"] for a in rows["assessments"] if a["model_id"] in proposals]
    lowered = next((mid for mid in ids if proposals[mid] != "Yếu"), None)
    for number, assessment in enumerate(rows["assessments"]):
        mid = assessment["model_id"]
        if mid not in ids[:4] and mid != lowered:
            continue
        level = proposals[mid]
        if unit == "CA-PT" and mid == ids[0]:
            assessment["socialised"] = ""
            level = "Tốt"
        elif unit == "HPN" and mid == lowered:
            level = LEVELS[LEVELS.index(level) + 1]
        assessment.update(
            decided_level=level,
            decided_no=f"{100 + number}/QĐ-{unit}",
            decided_date=on,
            decided_by=authority,
        )


def build(root: Path, today: date) -> str:
    """Write registry.xlsx and units/*.xlsx for the evaluation year of `today`."""
    year, latest = _period(today)
    rng = random.Random(2026)
    registry = []
    for unit, name, level, parent, mailbox in UNITS:
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
        rows = _unit_rows(rng, unit, year, latest)
        _add_mistakes(unit, rows, year)
        _add_decisions(unit, rows, year, latest)
        if unit != MISSING_FILE:
            write_workbook(root / path, load("unit"), rows)
    write_workbook(root / "registry.xlsx", load("registry"), {"units": registry})
    return PROVINCE


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

    The first 12 are the demo's units, cell for cell as `read_tabs` reads their workbooks
    (CA-TP's too, which `build` does not write); then more alike, "CA-PT-13" and so on, with
    the same deliberate data errors. For measuring validation on thousands of units.
    """
    year, latest = _period(today)
    rng = random.Random(2026)
    for n in range(count):
        unit = UNITS[n % len(UNITS)][0]
        rows = _unit_rows(rng, unit, year, latest)
        _add_mistakes(unit, rows, year)
        if n < len(UNITS):  # the demo's own units, with their decisions
            _add_decisions(unit, rows, year, latest)
        yield (unit if n < len(UNITS) else f"{unit}-{n + 1}"), _as_read(rows)
