"""API cost of the Google backend against the naive gspread pattern, on the test server.

    python bench/sheets_api.py --units 500 --models 20

Builds a province of N unit spreadsheets on the Sheets v4 + Drive v3 test server, then in one
run prints, side by side, the requests per unit and the least time they take at 60 requests a
minute (the per-user quota): for a first sync and a sync with nothing changed, through the
backend; and for the naive pattern (open_by_key + worksheet(title) and get_all_records() per
tab). Also the compute time of validate + rate for all models. Requests are counted by the
server; the quota is not enforced here, so the run itself is quick.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import date, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from jobs import sync
from tests.conftest import FOLDER, as_tabs, good_unit, use_google
from tests.google_api.server import (
    FakeGoogle,
    new_private_key,
    routed_session,
)
from worker import google
from worker.evaluate import evaluate_unit, read_registry
from worker.layout import load
from worker.scaffold import init_workspace
from worker.wiring import open_workspace

TODAY = date(2026, 10, 29)
QUOTA = 60  # requests a minute per user


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


def measure(fake: FakeGoogle, action: object) -> tuple[int, float]:
    fake.calls.clear()
    started = time.perf_counter()
    action()  # type: ignore[operator]
    return sum(fake.calls.values()), time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--units", type=int, default=500)
    parser.add_argument("--models", type=int, default=20)
    args = parser.parse_args()
    fake = FakeGoogle().start()
    google.session_factory = routed_session(fake)
    now = datetime.combine(TODAY, datetime.now().time())
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "ws"
        keys = province(fake, root, args.units, args.models)

        def run_sync() -> None:
            with open_workspace(root) as ws:
                sync.run(ws, TODAY, now)

        first, first_s = measure(fake, run_sync)
        again, again_s = measure(fake, run_sync)

        def naive() -> None:
            with open_workspace(root) as ws:
                assert isinstance(ws.backend, google.GoogleBackend)
                client = ws.backend.client
                for key in keys:
                    spreadsheet = client.open_by_key(key)
                    for tab in load("unit").tabs:
                        spreadsheet.worksheet(tab.name).get_all_records()

        naive_calls, naive_s = measure(fake, naive)

        with open_workspace(root) as ws:
            units, _ = read_registry(ws.backend.read_registry())
            tabs = [(u, ws.backend.read_unit(u)) for u in units]
        started = time.perf_counter()
        rated = sum(
            len(evaluate_unit(u, t, 2026, TODAY, date(2026, 10, 31), set(), "mean_ratio").models)
            for u, t in tabs
        )
        compute = time.perf_counter() - started
    fake.stop()

    n = args.units
    print(f"{n} units × {args.models} models, quota {QUOTA} requests/min per user\n")
    print(f"{'':34}{'requests':>10}{'per unit':>10}{'least time':>14}{'ran here':>10}")
    for label, calls, took in (
        ("mohinh, first sync (read+write)", first, first_s),
        ("mohinh, nothing changed", again, again_s),
        ("naive gspread (reads only)", naive_calls, naive_s),
    ):
        print(f"{label:34}{calls:>10}{calls / n:>10.2f}{calls / QUOTA:>10.1f} min{took:>9.1f}s")
    print(
        f"\nvalidate + rate, {rated} models: {compute:.2f} s "
        f"({1e3 * compute / max(rated, 1):.2f} ms a model)"
    )


if __name__ == "__main__":
    main()
