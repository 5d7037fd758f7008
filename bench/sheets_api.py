"""API cost of the Google backend against the naive gspread pattern, on the test server.

    python bench/sheets_api.py --units 500 --models 20

Builds a province of N unit spreadsheets on the Sheets v4 + Drive v3 test server, runs a cold
sync (every unit changed), the next sync (after those writes), a sync with nothing changed, and
the naive gspread pattern
(open_by_key + worksheet(title) + get_all_records() per tab), and replays each request log
(time-compressed: zero latency) against Google's quota model (developers.google.com/sheets/api/
limits: 60 reads and 60 writes a minute per user, separate buckets; Drive apart) to give the
least wall time of three schedules side by side:

- 1 bucket: every request, Drive's included, through one 60/min limiter in log order
  (the worker before issue 9);
- 2 buckets: the run's own requests replayed from the server's trace: each no sooner than every
  request answered before it arrived (the order the run kept, whichever thread sent what), each
  Sheets bucket at 60 a minute in order of arrival, Drive apart. A worker that reads and writes
  one after the other replays at the 1-bucket time; a pipelined one at about half.
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
import tempfile
import time
from collections import Counter
from contextlib import closing
from datetime import date, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from jobs import sync
from tests.conftest import FOLDER, as_tabs, good_unit, use_google
from tests.google_api.server import (
    FakeGoogle,
    Served,
    new_private_key,
    routed_session,
)
from worker.adapters.google.backend import GoogleBackend
from worker.adapters.store import backups
from worker.app.scaffold import init_workspace
from worker.app.wiring import CACHES, open_workspace
from worker.core.evaluate import evaluate_unit
from worker.core.layout import load
from worker.core.registry import read_registry
from worker.core.settings import BACKUPS
from worker.run.workspace import RunOptions

TODAY = date(2026, 10, 29)
QUOTA = 60  # requests a minute per user, per bucket
READS = {"spreadsheets.get", "spreadsheets.values.get", "spreadsheets.values.batchGet"}
WRITES = {"spreadsheets.batchUpdate", "spreadsheets.values.update"}


def at_quota(ready: list[float], per_minute: int = QUOTA) -> list[float]:
    """When each request goes, in order, each no sooner than `ready` and no more than
    `per_minute` in any 60 seconds."""
    sent: list[float] = []
    for i, earliest in enumerate(ready):
        t = max(earliest, sent[-1] if sent else 0.0)
        if i >= per_minute:
            t = max(t, sent[i - per_minute] + 60)
        sent.append(t)
    return sent


def single_bucket(log: list[str]) -> float:
    sent = at_quota([0.0] * len(log))
    return sent[-1] if sent else 0.0


def replay(trace: list[Served], per_minute: int = QUOTA) -> float:
    """The least wall time of the traced requests under the two-bucket quota (zero latency).

    Each request goes, in order of arrival, no sooner than every request that was answered
    before it arrived (what it may have waited for: the run's own order, whatever its threads),
    and no more than `per_minute` of a Sheets bucket in any 60 seconds, in order of arrival
    within the bucket; Drive's requests wait for no Sheets bucket. Requests that overlapped in
    the run may overlap here: a worker that reads and writes one after the other replays at the
    one-bucket time, a pipelined one at about half."""
    answered = sorted(range(len(trace)), key=lambda i: trace[i].answered)
    at: list[float] = [0.0] * len(trace)
    done, before = 0, 0.0  # answered[:done] came back before the current request arrived
    buckets: dict[str, list[float]] = {"read": [], "write": []}
    for i, served in enumerate(trace):
        while done < len(answered) and trace[answered[done]].answered < served.arrived:
            before = max(before, at[answered[done]])
            done += 1
        t = before
        bucket = "read" if served.method in READS else "write" if served.method in WRITES else ""
        if bucket:
            sent = buckets[bucket]
            if sent:
                t = max(t, sent[-1])
            if len(sent) >= per_minute:
                t = max(t, sent[-per_minute] + 60)
            sent.append(t)
        at[i] = t
    return max(at, default=0.0)


def province(fake: FakeGoogle, root: Path, units: int, models: int) -> list[str]:
    init_workspace(root, demo=False, today=TODAY)
    tab = load("registry").tab("units")
    registry, keys = [], []
    for n in range(units):
        key = fake.add_spreadsheet(f"Công an xã {n}", as_tabs(good_unit(models)), FOLDER)
        keys.append(key)
        registry.append(
            [f"U{n:04d}", f"Công an xã {n}", "Xã", "", f"u{n}@example.gov.vn", key, "Có"]
        )
    registry_id = fake.add_spreadsheet(
        "Danh mục", {tab.name: [[c.header for c in tab.columns], *registry]}
    )
    use_google(root, fake, new_private_key(), registry_id, "per_minute = 1000000")
    return keys


def measure(fake: FakeGoogle, action: object) -> tuple[list[Served], float]:
    fake.calls.clear()
    fake.log.clear()
    fake.trace.clear()
    started = time.perf_counter()
    action()  # type: ignore[operator]
    return list(fake.trace), time.perf_counter() - started


def state_sizes(root: Path) -> str:
    """The sizes of state.sqlite, of the sheets it keeps (Google's raw-tab cache), and of its
    newest backup."""
    state = root / "state.sqlite"
    with closing(sqlite3.connect(state)) as db:
        cache = db.execute("SELECT sum(length(tabs) + length(ids)) FROM sheets").fetchone()[0]
    newest = max((root / "backups").glob("state-*.sqlite"), default=None)
    backup = f"{newest.stat().st_size / 1e6:.1f} MB" if newest else "none"
    kept = (cache or 0) / 1e6
    return (
        f"state.sqlite {state.stat().st_size / 1e6:.1f} MB (the sheets kept {kept:.1f} MB), "
        f"its newest backup {backup}"
    )


def show(units: int, models: int, runs: list[tuple[str, list[Served], float]]) -> None:
    """Each run's requests, per unit, least time at quota (one bucket, two) and time here."""
    print(f"{units} units × {models} models; quota {QUOTA}/min per user per Sheets bucket\n")
    print(f"{'':35}{'requests':>6}{'per unit':>9}{'1 bucket':>11}{'2 buckets':>11}{'ran here':>10}")
    for label, trace, took in runs:
        log = [s.method for s in trace]
        print(
            f"{label:35}{len(log):>6}{len(log) / units:>9.2f}{single_bucket(log) / 60:>7.1f} min"
            f"{replay(trace) / 60:>7.1f} min{took:>9.1f}s"
        )
    for short, (_, trace, _) in zip(("cold sync", "next sync", "unchanged"), runs, strict=False):
        methods = Counter(s.method for s in trace)
        print(f"  {short}: " + ", ".join(f"{m} {c}" for m, c in sorted(methods.items())))
    print(
        "\n1 bucket: every request through one 60/min limiter in log order (the worker before "
        "issue 9); 2 buckets: the run's own trace replayed (each request after those answered "
        "before it arrived), reads and writes in their own 60/min buckets, Drive apart"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--units", type=int, default=500)
    parser.add_argument("--models", type=int, default=20)
    args = parser.parse_args()
    fake = FakeGoogle().start()
    # The runs go as fast as the machine allows (per_minute = 1000000) and their traces are
    # replayed against the quota model below: the server does not hold them to real minutes.
    fake.quotas.enforced = False
    options = RunOptions(google_sessions=routed_session(fake))  # the worker's sessions, routed
    now = datetime.combine(TODAY, datetime.now().time())
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "ws"
        keys = province(fake, root, args.units, args.models)

        def run_sync() -> None:
            with open_workspace(root, options) as ws:
                sync.run(ws, TODAY, now)

        first, first_s = measure(fake, run_sync)
        checked, checked_s = measure(fake, run_sync)
        again, again_s = measure(fake, run_sync)

        def naive() -> None:
            with open_workspace(root, options) as ws:
                assert isinstance(ws.backend, GoogleBackend)
                client = ws.backend.client
                for key in keys:
                    spreadsheet = client.open_by_key(key)
                    for tab in load("unit").tabs:
                        spreadsheet.worksheet(tab.name).get_all_records()

        naive_calls, naive_s = measure(fake, naive)

        with open_workspace(root, options) as ws:
            units, _ = read_registry(ws.backend.read_registry())
            tabs = [(u, ws.backend.read_unit(u)) for u in units]
        started = time.perf_counter()
        rated = sum(
            len(evaluate_unit(u, t, 2026, TODAY, date(2026, 10, 31), set(), "mean_ratio").models)
            for u, t in tabs
        )
        compute = time.perf_counter() - started
        with open_workspace(root, options) as ws:  # a backup, as a run that changed more takes
            backups.back_up(ws.state.db, root / BACKUPS, now, caches=CACHES)
        stored = state_sizes(root)
    fake.stop()

    show(
        args.units,
        args.models,
        [
            ("mohinh, cold sync (read+write)", first, first_s),
            ("mohinh, next sync (after writes)", checked, checked_s),
            ("mohinh, nothing changed", again, again_s),
            ("naive gspread (reads only)", naive_calls, naive_s),
        ],
    )
    print(
        f"\nvalidate + rate, {rated} models: {compute:.2f} s "
        f"({1e3 * compute / max(rated, 1):.2f} ms a model)"
    )
    print(stored)


if __name__ == "__main__":
    main()
