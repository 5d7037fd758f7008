"""The window after our writes: Drive's modifiedTime, listed after we wrote, also covers an edit a
unit made in between. A unit written in the last run is read again on its next sync unless
Drive's revision history shows that the last change was ours (one Drive request)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result

from tests.conftest import good_unit
from tests.test_google_strict import sync, unit_keys

Cli = Callable[..., Result]
on_google = pytest.mark.parametrize("backend", ["google"])


@on_google
def test_an_edit_right_after_our_write_is_read_on_the_next_sync_and_written(
    workspace: Callable[..., Path], cli: Cli, fake_google: Any
) -> None:
    root = workspace(("U1", good_unit(1), "a@example.gov.vn"))
    (key,) = unit_keys(fake_google)
    # between our batchUpdate and the listing after it, the unit halves a target's result
    fake_google.then(
        "spreadsheets.batchUpdate", lambda: fake_google.edit(key, "Chỉ tiêu", 1, 5, "5")
    )
    assert "1 cập nhật tab Kết quả" in sync(cli, root).output
    fake_google.calls.clear()
    again = sync(cli, root)
    assert "1 cập nhật tab Kết quả, 0 không đổi, 0 không đọc được" in again.output, again.output
    assert fake_google.calls == {
        "spreadsheets.get": 1 + 1,
        "files.list": 2,
        "revisions.list": 1,
        "spreadsheets.batchUpdate": 1,
    }
    shown = [row for row in fake_google.values(key, "Kết quả") if row and row[0] == "MH-001"]
    assert "Khá" in shown[0]  # 5 of 10 and 5 of 4: 75 %, no longer Tốt


@on_google
def test_a_sheet_whose_last_change_was_our_write_costs_one_drive_request_then_nothing(
    workspace: Callable[..., Path], cli: Cli, fake_google: Any
) -> None:
    root = workspace(("U1", good_unit(1), "a@example.gov.vn"))
    sync(cli, root)
    fake_google.calls.clear()
    assert "0 cập nhật tab Kết quả, 1 không đổi" in sync(cli, root).output
    assert fake_google.calls == {"spreadsheets.get": 1, "files.list": 1, "revisions.list": 1}
    fake_google.calls.clear()
    assert "0 cập nhật tab Kết quả, 1 không đổi" in sync(cli, root).output
    assert fake_google.calls == {"spreadsheets.get": 1, "files.list": 1}
