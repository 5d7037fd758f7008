"""Measure a unit digest of N models (default 40) made by the demo's generator:
python bench/digest_size.py --models 40 [--html digest.html]

Prints the plain text's lines and words, and those of its action part (the box, the errors and
the models: everything before the closing notes), with the lines it wraps to on a 390 px phone
(about 42 characters a line at 15 px Arial) and the phone screens that makes (about 33 lines a
screen in a mail app).
"""

from __future__ import annotations

import argparse
import random
import textwrap
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from notifications import compose
from worker.core.calendars import load_calendar
from worker.core.evaluate import Unit, evaluate_unit
from worker.core.layout import load
from worker.demo import province as demo

TODAY = date(2026, 10, 29)
PHONE_CHARS, PHONE_LINES = 42, 33


def unit_rows(models: int, seed: int = 7) -> dict[str, list[dict[str, Any]]]:
    """`models` models: batches of the demo generator, renumbered MH-001, MH-002, …"""
    rows: dict[str, list[dict[str, Any]]] = {tab.key: [] for tab in load("unit").tabs}
    batch = 0
    while len(rows["models"]) < models:
        rng = random.Random(seed + batch)
        part = demo._unit_rows(rng, f"U{batch}", 2026, TODAY)
        ids = {}
        for model in part["models"]:
            if len(rows["models"]) == models:
                break
            ids[model["model_id"]] = f"MH-{len(rows['models']) + 1:03d}"
            rows["models"].append({**model, "model_id": ids[model["model_id"]]})
        for tab in ("targets", "assessments", "dossiers"):
            rows[tab] += [
                {**r, "model_id": ids[r["model_id"]]} for r in part[tab] if r["model_id"] in ids
            ]
        if batch == 0:
            rows["exemplars"], rows["criteria"] = part["exemplars"], part["criteria"]
        batch += 1
    rows["models"][1]["decision_date"] = "31/02/2026"  # two of the demo's deliberate errors
    rows["models"][2]["field"] = "Kinh te"
    return rows


def as_tabs(rows: dict[str, list[dict[str, Any]]]) -> dict[str, list[list[Any]]]:
    return {
        tab.name: [[c.header for c in tab.columns]]
        + [[r.get(c.key) for c in tab.columns] for r in rows.get(tab.key, [])]
        for tab in load("unit").tabs
    }


def wrapped(text: str) -> int:
    return sum(max(1, len(textwrap.wrap(line, PHONE_CHARS))) for line in text.splitlines())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--models", type=int, default=40)
    parser.add_argument("--html", type=Path)
    args = parser.parse_args()
    unit = Unit("U1", "Công an phường Đức Long", "Xã", "", ("a@example.gov.vn",), "u1.xlsx", True)
    result = evaluate_unit(
        unit, as_tabs(unit_rows(args.models)), 2026, TODAY, date(2026, 10, 31), set(), "mean_ratio"
    )
    due = load_calendar().due_reminders(2026, TODAY)
    now = datetime(2026, 10, 29, 6, 30, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
    sender = compose.Letterhead("Tỉnh Bình Thuận", "mohinh@example.gov.vn")
    draft = compose.unit_digest("k", sender, result, due, TODAY, now)
    text, html = compose.render_parts(draft)
    # The action part: the box, the errors and the models to act on, before the others
    ends = [
        text.index(m) for m in ("CÁC MÔ HÌNH KHÁC", "ĐIỂN HÌNH\n", "\nCác mốc sau") if m in text
    ]
    action = text[: text.rfind("\n", 0, min(ends)) if ends else len(text)]
    print(f"Tiêu đề: {draft.subject}")
    levels = ("Tốt", "Khá", "Trung bình", "Yếu", "Chưa xếp loại")
    counts = ", ".join(f"{lv} {result.count(lv)}" for lv in levels)
    print(f"{len(result.models)} mô hình: {counts}")
    for label, part in (("whole text", text), ("action part", action)):
        lines = wrapped(part)
        print(
            f"{label}: {len(part.splitlines())} lines, {len(part.split())} words, "
            f"{lines} lines at {PHONE_CHARS} characters = {lines / PHONE_LINES:.1f} phone screens"
        )
    if args.html:
        args.html.write_text(html, "utf-8")


if __name__ == "__main__":
    main()
