"""Reads and writes pipelined: sync writes unit i while unit i+1 is being read (each in its own
quota bucket), still one read and one write per unit, in the registry's order; the stop event
ends the reading and what was read is written. Reads and writes have limits of their own."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Routes, good_unit
from tests.test_google_strict import configure
from worker.run.pipeline import ahead

on_google = pytest.mark.parametrize("backend", ["google"])
TODAY = date(2026, 10, 29)
NOW = datetime(2026, 10, 29, 6, 30)


def test_items_are_made_ahead_in_a_thread_of_their_own_and_come_in_order() -> None:
    made: list[str] = []

    def produce() -> Iterator[int]:
        for i in range(5):
            made.append(threading.current_thread().name)
            yield i

    assert list(ahead(produce(), depth=2)) == [0, 1, 2, 3, 4]
    assert threading.current_thread().name not in made


def test_a_failure_while_making_items_is_raised_to_the_consumer() -> None:
    def produce() -> Iterator[int]:
        yield 1
        raise RuntimeError("registry gone")

    got = []
    with pytest.raises(RuntimeError, match="registry gone"):
        for item in ahead(produce(), depth=1):
            got.append(item)
    assert got == [1]


def test_a_consumer_that_stops_early_ends_the_producer() -> None:
    made = []

    def produce() -> Iterator[int]:
        for i in range(1000):
            made.append(i)
            yield i

    for item in ahead(produce(), depth=2):
        if item == 3:
            break
    assert len(made) <= 3 + 1 + 2 + 1  # no further than the queue's depth past what was taken


@on_google
def test_unit_one_is_written_while_the_next_units_are_read(
    workspace: Callable[..., Path], fake_google: Any, routes: Routes
) -> None:
    from jobs import sync
    from worker.app.wiring import open_workspace

    root = workspace(*[(f"U{n}", good_unit(1), f"u{n}@example.gov.vn") for n in range(1, 6)])
    fake_google.slow("spreadsheets.get", 0, *[0.3] * 5)  # the registry, then slow units
    with open_workspace(root, routes.options()) as ws:
        report = sync.run(ws, TODAY, NOW)
        assert list(report.outcomes) == ["U1", "U2", "U3", "U4", "U5"]  # the registry's order
        assert set(report.outcomes.values()) == {sync.WRITTEN}
        fake_google.calls.clear()
        evaluation = ws.evaluate(TODAY)  # remind and consolidate: what sync read, not re-read
        assert [r.unit.unit_id for r in evaluation.units] == list(report.outcomes)
        assert fake_google.calls == {}
    reads = [s for s in fake_google.trace if s.method == "spreadsheets.get"][1:]  # the units'
    writes = [s for s in fake_google.trace if s.method == "spreadsheets.batchUpdate"]
    assert (len(reads), len(writes)) == (5, 5)
    # a write arrived while a read was under way: not one after the other
    assert any(r.arrived < w.arrived < r.answered for r in reads for w in writes)


@on_google
def test_a_stop_ends_the_reading_and_what_was_read_is_written(
    workspace: Callable[..., Path], fake_google: Any, routes: Routes
) -> None:
    from jobs import sync
    from worker.app.wiring import open_workspace

    root = workspace(*[(f"U{n}", good_unit(1), f"u{n}@example.gov.vn") for n in range(1, 6)])
    options = routes.options()
    fake_google.then("spreadsheets.get", lambda: None)  # the registry
    fake_google.then("spreadsheets.get", options.stop.set)  # SIGTERM while U1 is read
    with open_workspace(root, options) as ws:
        report = sync.run(ws, TODAY, NOW)
    assert report.outcomes == {"U1": sync.WRITTEN}
    assert fake_google.calls["spreadsheets.batchUpdate"] == 1


@pytest.mark.parametrize(
    ("lines", "reads", "writes"),
    [
        ("", 60, 60),
        ("per_minute = 100", 100, 100),
        ("per_minute = 100\nreads_per_minute = 30\nwrites_per_minute = 90", 30, 90),
    ],
    ids=["defaults", "per_minute_sets_both", "each_its_own"],
)
@on_google
def test_reads_and_writes_have_limits_of_their_own(
    workspace: Callable[..., Path], fake_google: Any, lines: str, reads: int, writes: int
) -> None:
    from worker.app.wiring import open_workspace

    root = workspace(("U1", good_unit(1), "a@example.gov.vn"))
    configure(root, lines)
    with open_workspace(root) as ws:
        quota = ws.backend.quota  # type: ignore[attr-defined]
        assert (quota.reads.per_minute, quota.writes.per_minute) == (reads, writes)


@on_google
def test_a_limit_below_one_a_minute_names_the_setting(
    workspace: Callable[..., Path], fake_google: Any, cli: Callable[..., Any]
) -> None:
    root = workspace(("U1", good_unit(1), "a@example.gov.vn"))
    configure(root, "reads_per_minute = 0")
    result = cli("sync", "--workspace", root, "--today", "2026-10-29")
    assert result.exit_code == 2
    assert f"Cấu hình [google] reads_per_minute = 0 trong {root / 'config.toml'} (dòng " in (
        result.output
    )
    assert "không hợp lệ: nhập một số nguyên từ 1 đến 1000000" in result.output
