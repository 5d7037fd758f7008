"""A unit with thousands of errors is shown the first 200 and told how many more there are, in
its Kết quả, its digest and the province's tables: never two million rows (issue 16)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from notifications import compose
from notifications.province_view import province_view
from tests.conftest import TODAY, as_tabs, good_unit
from tests.test_notifications import DUE, NOW, SENDER, body, parsed, unit
from worker.core.evaluate import MAX_ERRORS, UnitResult, evaluate_unit
from worker.core.layout import load
from worker.core.results import unit_grid
from worker.reports.tables import error_rows, unit_table
from worker.run.workspace import Evaluation

BAD_ROWS = 1_000


def many_errors() -> UnitResult:
    rows: dict[str, Any] = good_unit(2)
    rows["targets"] += [
        {"model_id": "MH-001", "year": 2026, "target": "Tuần tra", "planned": "x", "achieved": 1}
        for _ in range(BAD_ROWS)
    ]
    return evaluate_unit(
        unit(), as_tabs(rows), 2026, TODAY, date(2026, 10, 31), set(), "mean_ratio"
    )


def test_a_unit_keeps_the_first_errors_and_the_count_of_the_others() -> None:
    result = many_errors()
    assert MAX_ERRORS == 200
    assert len(result.errors) == 200 and result.error_count == BAD_ROWS
    assert result.errors[0].cell == "E6" and result.errors[-1].cell == "E205"
    assert result.more_errors_line() == "… và 800 lỗi khác"


def test_the_results_tab_lists_the_first_errors_then_how_many_more() -> None:
    grid = unit_grid(many_errors(), datetime(2026, 10, 29, 6, 30))
    titles = [row[0] for row in grid.rows if row and str(row[0]).startswith("Lỗi dữ liệu")]
    assert titles == ["Lỗi dữ liệu (1.000)"]
    assert grid.rows[-1] == [
        "… và 800 lỗi khác: sửa các lỗi trên, lần chạy sau sẽ liệt kê các lỗi còn lại"
    ]
    assert sum(1 for row in grid.rows if row and row[0] == "Chỉ tiêu") == 200


def test_the_digest_lists_the_first_errors_then_how_many_more() -> None:
    result = many_errors()
    text = body(parsed(compose.unit_digest("U1|2026-11-05|7", SENDER, result, DUE, TODAY, NOW)))
    assert "1. LỖI DỮ LIỆU CẦN SỬA (1.000)" in text
    assert text.count("- tab Chỉ tiêu, ô E") == 200
    assert "… và 800 lỗi khác" in text


def test_the_province_counts_every_error_and_lists_the_first() -> None:
    result = many_errors()
    head = load("consolidated").section("units").headers
    row = dict(zip(head, unit_table([result])[0], strict=True))
    assert row["Lỗi dữ liệu"] == BAD_ROWS
    assert province_view(Evaluation(2026, date(2026, 10, 31), [result])).errors == BAD_ROWS
    listed = error_rows([result])
    assert len(listed) == 201
    assert listed[-1][2:] == ["", "", "", "… và 800 lỗi khác", ""]
