"""A column's reader gives exactly what the general path gives, errors included."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pytest

from tests.conftest import TODAY
from tests.test_same_results import VALUES
from worker.core import readers
from worker.core.cells import CellProblem
from worker.core.layout import Column, load
from worker.core.tabs import ParseCache, _read_cell

COLUMNS = {
    f"{layout}/{tab.key}/{column.key}": column
    for layout in ("unit", "registry")
    for tab in load(layout).tabs
    for column in tab.columns
}
# Also what the pool lacks: text beyond the ASCII fast path, number types, a value no
# spreadsheet gives (a list: not remembered, but still read the general way).
# And two datetimes of one instant (equal in Python) on different days where they were taken.
SAME_INSTANT = [
    datetime(2025, 7, 4, 23, 30, tzinfo=UTC),
    datetime(2025, 7, 5, 6, 30, tzinfo=timezone(timedelta(hours=7))),
]
VALUES_TOO = [*VALUES, "Nguyễn Văn An", " Tổ tự quản ", "MH-00\u00a0", 10**30, 1.25, [1]]
VALUES_TOO += [*SAME_INSTANT, -0.0]


def outcome(read: Callable[[Any], Any], value: Any) -> tuple[str, Any]:
    try:
        result = read(value)
    except CellProblem as problem:
        return "error", (problem.code, problem.message, problem.fix)
    except TypeError as exc:  # the general path on a value no backend gives
        return "crash", str(exc)
    return "value", (type(result), result)


@pytest.mark.parametrize("column", COLUMNS.values(), ids=COLUMNS.keys())
def test_a_reader_reads_every_value_as_the_general_path_twice_over(column: Column) -> None:
    read = readers.reader(lambda v: _read_cell(column, v, TODAY))
    for _ in range(2):  # the second time, from what it remembers
        for value in VALUES_TOO:
            assert outcome(read, value) == outcome(lambda v: _read_cell(column, v, TODAY), value)


def test_a_reader_that_forgets_when_full_still_reads_right(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(readers, "REMEMBER_AT_MOST", 3)
    column = load("unit").tab("targets").column("planned")
    read = readers.reader(lambda v: _read_cell(column, v, TODAY))
    for value in [*range(-2, 10), *range(10), 0, 0.0, False, None]:
        assert outcome(read, value) == outcome(lambda v: _read_cell(column, v, TODAY), value)


def test_a_date_read_on_one_day_is_not_taken_for_read_on_an_earlier_one() -> None:
    tab, cell = load("unit").tab("models"), datetime(2026, 10, 20)
    cache = ParseCache()
    assert cache.readers(tab, TODAY)["decision_date"](cell) == date(2026, 10, 20)
    with pytest.raises(CellProblem) as problem:
        cache.readers(tab, date(2026, 10, 1))["decision_date"](cell)
    assert problem.value.code == "future_date"


def test_every_cell_with_the_same_error_gets_its_own() -> None:
    column = load("unit").tab("assessments").column("directed")
    read = readers.reader(lambda v: _read_cell(column, v, TODAY))
    problems = []
    for _ in range(2):
        with pytest.raises(CellProblem) as problem:
            read("maybe")
        problems.append(problem.value)
    assert problems[0] is not problems[1]
    assert [(p.code, p.message, p.fix) for p in problems] == [
        (problems[0].code, problems[0].message, problems[0].fix)
    ] * 2
    assert problems[0].code == "bad_yesno"


def test_a_reader_reads_each_distinct_value_once_and_each_error_every_time() -> None:
    seen: list[Any] = []

    def read(value: Any) -> Any:
        seen.append(value)
        if value == "?":
            raise CellProblem("bad", "sai", "sửa")
        return value

    remembered, results = readers.reader(read), []
    for value in ["Có", "Có", 1, 1.0, True, "Có", 1, "?", "?"]:
        try:
            results.append(remembered(value))
        except CellProblem:
            results.append("error")
    assert results == ["Có", "Có", 1, 1.0, True, "Có", 1, "error", "error"]
    assert [type(r) for r in results[2:5]] == [int, float, bool]  # 1, 1.0, True kept apart
    assert seen == ["Có", 1, 1.0, True, "?", "?"]


def test_a_reader_keeps_at_most_so_many_values_of_all_types_together(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(readers, "REMEMBER_AT_MOST", 3)
    seen: list[Any] = []
    remembered = readers.reader(lambda value: seen.append(value) or value)
    for value in ["a", "b", 1, "a", 2.5, "a", 2.5]:
        remembered(value)
    assert seen == ["a", "b", 1, 2.5, "a"]  # full at three: 2.5 made it start afresh


def test_a_run_shares_its_readers_and_another_run_starts_afresh() -> None:
    tab = load("unit").tab("models")
    run, other = ParseCache(), ParseCache()
    assert run.readers(tab, TODAY) is run.readers(tab, TODAY)  # units of a run share them
    assert run.readers(tab, TODAY)["name"] is not other.readers(tab, TODAY)["name"]
    assert run.readers(tab, TODAY)["name"] is not run.readers(tab, date(2026, 10, 1))["name"]
