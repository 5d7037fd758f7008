"""Retries that are safe: a write whose answer was lost may have been applied by Google.

The test server applies the request and then answers 500, or answers after the client gave up
(`fake.fail_after`). Reads are retried as they are; a write is sent again only once what the
sheet (or the Drive folder) now holds has been read back.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result

from tests.conftest import REPORTS, good_unit
from tests.test_google_strict import configure, sync, unit_keys

Cli = Callable[..., Result]
on_google = pytest.mark.parametrize("backend", ["google"])
LOST_ANSWERS = pytest.mark.parametrize(
    "outcome", [500, 1.5], ids=["applied_then_500", "applied_then_answered_too_late"]
)


@LOST_ANSWERS
@on_google
def test_a_results_write_that_google_applied_is_rebuilt_from_the_sheet_not_resent(
    workspace: Callable[..., Path], cli: Cli, fake_google: Any, outcome: float
) -> None:
    root = workspace(("U1", good_unit(2), "a@example.gov.vn"))
    configure(root, "timeout = 0.5")
    fake_google.fail_after("spreadsheets.batchUpdate", outcome)
    result = sync(cli, root)
    assert "1 cập nhật tab Kết quả, 0 không đổi, 0 không đọc được" in result.output, result.output
    (key,) = unit_keys(fake_google)
    titles = [s.title for s in fake_google.files[key].sheets]
    assert titles.count("Kết quả") == 1
    assert len(fake_google.files[key].by_title("Kết quả").protected) == 1
    # the registry, the unit, then one light read of its tabs before the write went again
    assert fake_google.calls["spreadsheets.get"] == 1 + 1 + 1
    assert fake_google.calls["spreadsheets.batchUpdate"] == 2


@on_google
def test_a_write_refused_for_the_rate_limit_is_sent_again_as_it_is(
    workspace: Callable[..., Path], cli: Cli, fake_google: Any
) -> None:
    root = workspace(("U1", good_unit(1), "a@example.gov.vn"))
    fake_google.fail("spreadsheets.batchUpdate", 429)  # refused before anything was applied
    result = sync(cli, root)
    assert "1 cập nhật tab Kết quả, 0 không đổi, 0 không đọc được" in result.output, result.output
    assert fake_google.calls["spreadsheets.get"] == 1 + 1  # nothing to read back
    assert fake_google.calls["spreadsheets.batchUpdate"] == 2


@LOST_ANSWERS
@on_google
def test_a_report_file_that_google_created_is_found_again_not_created_twice(
    workspace: Callable[..., Path], cli: Cli, fake_google: Any, outcome: float
) -> None:
    root = workspace(("U1", good_unit(1), "a@example.gov.vn"))
    configure(root, f'reports_folder = "{REPORTS}"\ntimeout = 0.5')
    fake_google.fail_after("files.create", outcome)
    result = cli("consolidate", "--workspace", root, "--today", "2026-11-16")
    assert "chưa đăng được" not in result.output, result.output
    (report,) = [f for f in fake_google.files.values() if REPORTS in f.parents and f.sheets]
    assert report.properties == {"mohinh_report": "tong-hop-2026"}
    assert fake_google.calls["files.create"] == 1 + 1  # the spreadsheet, the annual report


@LOST_ANSWERS
@on_google
def test_an_annual_report_that_google_uploaded_is_found_again_not_uploaded_twice(
    workspace: Callable[..., Path], cli: Cli, fake_google: Any, outcome: float
) -> None:
    root = workspace(("U1", good_unit(1), "a@example.gov.vn"))
    configure(root, f'reports_folder = "{REPORTS}"\ntimeout = 0.5')
    fake_google.fail_after("files.create", 0.0, outcome)  # the spreadsheet's, then the .docx's
    result = cli("consolidate", "--workspace", root, "--today", "2026-11-16")
    assert "chưa đăng được" not in result.output, result.output
    (document,) = [f for f in fake_google.files.values() if REPORTS in f.parents and not f.sheets]
    assert document.properties == {"mohinh_document": "bao-cao-2026.docx"}
    assert document.content == (root / "reports" / "bao-cao-2026.docx").read_bytes()
    assert fake_google.calls["files.create"] == 2


@on_google
def test_a_report_created_by_a_run_that_died_before_saving_it_is_found_by_its_tag(
    workspace: Callable[..., Path], cli: Cli, fake_google: Any
) -> None:
    root = workspace(("U1", good_unit(1), "a@example.gov.vn"))
    configure(root, f'reports_folder = "{REPORTS}"')
    cli("consolidate", "--workspace", root, "--today", "2026-11-16")
    from sqlite3 import connect

    with connect(root / "state.sqlite") as db:  # as if the run had died before its commit
        db.execute("DELETE FROM published")
    cli("consolidate", "--workspace", root, "--today", "2026-11-17")
    assert len([f for f in fake_google.files.values() if REPORTS in f.parents and f.sheets]) == 1


@LOST_ANSWERS
@on_google
def test_provisioning_whose_create_was_applied_makes_one_sheet(
    workspace: Callable[..., Path], cli: Cli, fake_google: Any, outcome: float
) -> None:
    root = workspace(("U1", good_unit(1), "a@example.gov.vn"))
    configure(root, "timeout = 0.5")
    (registry,) = [f for f in fake_google.files.values() if f.title == "Danh mục đơn vị"]
    for col, value in enumerate(["U2", "Công an xã U2", "Xã", "", "b@example.gov.vn", "", "Có"]):
        fake_google.edit(registry.key, "Danh mục đơn vị", 2, col, value)
    fake_google.fail_after("files.create", outcome)
    result = cli("provision", "--workspace", root)
    assert result.exit_code == 0, result.output
    made = [f for f in fake_google.files.values() if f.properties.get("mohinh_unit") == "U2"]
    assert len(made) == 1
    assert "Kết quả" in [s.title for s in made[0].sheets]


@on_google
def test_a_layout_write_that_google_applied_is_not_laid_out_twice(
    workspace: Callable[..., Path], cli: Cli, fake_google: Any
) -> None:
    root = workspace(("U1", good_unit(1), "a@example.gov.vn"))
    (registry,) = [f for f in fake_google.files.values() if f.title == "Danh mục đơn vị"]
    for col, value in enumerate(["U2", "Công an xã U2", "Xã", "", "b@example.gov.vn", "", "Có"]):
        fake_google.edit(registry.key, "Danh mục đơn vị", 2, col, value)
    fake_google.fail_after("spreadsheets.batchUpdate", 503)  # the layout: applied, then 503
    result = cli("provision", "--workspace", root)
    assert result.exit_code == 0, result.output
    (made,) = [f for f in fake_google.files.values() if f.properties.get("mohinh_unit") == "U2"]
    assert [s.title for s in made.sheets].count("Kết quả") == 1
