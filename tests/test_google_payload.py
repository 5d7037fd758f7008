"""Google advises request bodies of at most 2 MB (developers.google.com/sheets/api/limits); the
test server refuses larger ones (413). A consolidated report of several MB is written in pieces."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result

from tests.conftest import REPORTS, good_unit
from tests.google_api.strict import MAX_PAYLOAD
from tests.test_google_strict import configure

Cli = Callable[..., Result]
on_google = pytest.mark.parametrize("backend", ["google"])
UNITS, MODELS = 6, 500  # a report of about 3 MB: 3,000 models


@pytest.fixture
def big_province(workspace: Callable[..., Path]) -> Path:
    root = workspace(*[(f"U{n}", good_unit(MODELS), f"u{n}@x.vn") for n in range(UNITS)])
    configure(root, f'reports_folder = "{REPORTS}"\nper_minute = 100000')
    return root


@on_google
def test_a_report_of_several_megabytes_goes_in_bodies_under_two(
    big_province: Path, cli: Cli, fake_google: Any
) -> None:
    result = cli("consolidate", "--workspace", big_province, "--today", "2026-11-16")
    assert "chưa đăng được" not in result.output, result.output
    (report,) = [f for f in fake_google.files.values() if REPORTS in f.parents and f.sheets]
    bodies = [
        s.size
        for s in fake_google.trace
        if s.key == report.key and s.method == "spreadsheets.batchUpdate"
    ]
    assert sum(bodies) > 1.4 * MAX_PAYLOAD  # more than one body's worth
    assert max(bodies) <= MAX_PAYLOAD
    assert (
        len(fake_google.values(report.key, "Danh sách mô hình")) == 2 + UNITS * MODELS
    )  # the title row, the headers, the models


@on_google
def test_without_the_pieces_google_would_refuse_the_report(
    big_province: Path, cli: Cli, fake_google: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from worker.adapters.google import publish

    monkeypatch.setattr(publish, "MAX_BATCH", 10**9)  # one body for the whole report
    monkeypatch.setattr(publish, "CHUNK", 10**9)
    result = cli("consolidate", "--workspace", big_province, "--today", "2026-11-16")
    assert "chưa đăng được lên Google Sheets" in result.output, result.output
    assert "(413: Request payload size exceeds the limit)" in result.output
