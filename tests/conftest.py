"""Small fixtures: unit rows as dicts, a workspace in tmp_path, the CLI."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from worker.cli import main
from worker.layout import load
from worker.xlsx import write_workbook

TODAY = date(2026, 10, 29)
Rows = dict[str, list[dict[str, Any]]]


def good_unit(models: int = 1) -> Rows:
    """A unit whose models are all rated Tốt for 2026 (each with two targets fully met)."""
    rows: Rows = {
        k: [] for k in ("models", "targets", "assessments", "dossiers", "exemplars", "criteria")
    }
    yes = {c.key: "Có" for c in load("unit").tab("assessments").columns if c.type == "yesno"}
    yes.update(formalistic="", disciplined="", untruthful="")
    for n in range(1, models + 1):
        mid = f"MH-{n:03d}"
        rows["models"].append(
            {
                "model_id": mid,
                "name": f"Tổ tự quản thôn {n}",
                "field": "Quốc phòng - an ninh",
                "decision_no": f"{n}/QĐ-UBND",
                "decision_date": date(2024, 3, 1),
                "authority": "UBND xã",
                "status": "Đang hoạt động",
            }
        )
        rows["targets"] += [
            {
                "model_id": mid,
                "year": 2026,
                "target": "Tuần tra",
                "unit": "buổi",
                "planned": 10,
                "achieved": 10,
            },
            {
                "model_id": mid,
                "year": 2026,
                "target": "Tuyên truyền",
                "unit": "buổi",
                "planned": 4,
                "achieved": 5,
            },
        ]
        rows["assessments"].append({"model_id": mid, "year": 2026, **yes})
        rows["dossiers"].append({"model_id": mid, **{f"doc{d}": "x" for d in range(1, 17)}})
    rows["exemplars"].append(
        {
            "exemplar_id": "ĐH-01",
            "name": "Tổ tự quản thôn 1",
            "kind": "Tập thể",
            "field": "Quốc phòng - an ninh",
            "plan_date": date(2025, 6, 1),
            "status": "Đang xây dựng",
        }
    )
    rows["criteria"] += [
        {
            "exemplar_id": "ĐH-01",
            "year": 2026,
            "criterion": f"Tiêu chí {i}",
            "met": "Có" if i < 2 else "",
        }
        for i in range(3)
    ]
    return rows


def as_tabs(rows: Rows) -> dict[str, list[list[Any]]]:
    """What a backend reads: tab name -> header row, then rows in the template's column order."""
    tabs = {}
    for tab in load("unit").tabs:
        header = [c.header for c in tab.columns]
        tabs[tab.name] = [header] + [
            [r.get(c.key) for c in tab.columns] for r in rows.get(tab.key, [])
        ]
    return tabs


@pytest.fixture
def workspace(tmp_path: Path) -> Callable[..., Path]:
    """A blank workspace with the given units: make(("U1", rows, "a@x.vn"), ...)."""

    def make(*units: tuple[str, Rows | None, str]) -> Path:
        root = tmp_path / "ws"
        assert CliRunner().invoke(main, ["init", str(root)]).exit_code == 0
        (root / "config.toml").write_text(
            (root / "config.toml")
            .read_text("utf-8")
            .replace('name = "Tỉnh (điền tên tỉnh)"', 'name = "Tỉnh Thử"')
            .replace("staff_emails = []", 'staff_emails = ["tinh@example.gov.vn"]'),
            "utf-8",
        )
        registry = []
        for unit_id, rows, emails in units:
            sheet = f"units/{unit_id.lower()}.xlsx"
            if rows is not None:
                write_workbook(root / sheet, load("unit"), rows)
            registry.append(
                {
                    "unit_id": unit_id,
                    "name": f"Công an xã {unit_id}",
                    "level": "Xã",
                    "emails": emails,
                    "sheet": sheet,
                    "active": "Có",
                }
            )
        write_workbook(root / "registry.xlsx", load("registry"), {"units": registry})
        return root

    return make


@pytest.fixture
def cli() -> Callable[..., Result]:
    def invoke(*args: str) -> Result:
        return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)

    return invoke
