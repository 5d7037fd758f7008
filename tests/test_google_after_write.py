"""The windows around our writes: what the unit typed is what the worker rated.

A unit may edit its sheet at any moment of a run: after Drive's listing, after our read, between
our write and the listing after it. Whatever the moment, the edit is rated by the next sync at
the latest, and a sheet nobody but us changed is not read again (no Drive request per unit)."""

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


def rating(fake: Any, key: str) -> str:
    (row,) = [r for r in fake.values(key, "Kết quả") if r and r[0] == "MH-001"]
    return "Khá" if "Khá" in row else "Tốt" if "Tốt" in row else str(row)


def halve_a_target(fake: Any, key: str) -> Callable[[], None]:
    """The unit types 5 where 10 were done: 5 of 10 and 5 of 4 is 75 %, Khá instead of Tốt."""
    return lambda: fake.edit(key, "Chỉ tiêu", 1, 5, "5")


@on_google
def test_an_edit_between_our_read_and_our_write_is_rated_by_the_next_sync(
    workspace: Callable[..., Path], cli: Cli, fake_google: Any
) -> None:
    root = workspace(("U1", good_unit(1), "a@example.gov.vn"))
    (key,) = unit_keys(fake_google)
    fake_google.then("spreadsheets.get", lambda: None)  # the registry
    fake_google.then("spreadsheets.get", halve_a_target(fake_google, key))  # the unit, read
    assert "1 cập nhật tab Kết quả" in sync(cli, root).output
    assert rating(fake_google, key) == "Tốt"  # rated as read, before the edit
    again = sync(cli, root)
    assert "1 cập nhật tab Kết quả, 0 không đổi" in again.output, again.output
    assert rating(fake_google, key) == "Khá"
    assert "0 cập nhật tab Kết quả, 1 không đổi" in sync(cli, root).output


@on_google
def test_an_edit_to_a_cached_sheet_rewritten_for_the_registry_is_rated_by_the_next_sync(
    workspace: Callable[..., Path], cli: Cli, fake_google: Any
) -> None:
    root = workspace(("U1", good_unit(1), "a@example.gov.vn"))
    (key,) = unit_keys(fake_google)
    sync(cli, root)
    assert "0 cập nhật tab Kết quả, 1 không đổi" in sync(cli, root).output  # served from cache
    (registry,) = [k for k, f in fake_google.files.items() if f.title == "Danh mục đơn vị"]
    fake_google.edit(registry, "Danh mục đơn vị", 1, 1, "Công an phường U1")  # renamed
    # the unit's sheet is served from the cache; the unit edits it once Drive has listed it
    fake_google.then("files.list", halve_a_target(fake_google, key))
    assert "1 cập nhật tab Kết quả, 0 không đổi" in sync(cli, root).output  # the new name
    assert rating(fake_google, key) == "Tốt"
    again = sync(cli, root)
    assert "1 cập nhật tab Kết quả, 0 không đổi" in again.output, again.output
    assert rating(fake_google, key) == "Khá"


@on_google
def test_an_edit_right_after_our_write_is_read_on_the_next_sync_and_written(
    workspace: Callable[..., Path], cli: Cli, fake_google: Any
) -> None:
    root = workspace(("U1", good_unit(1), "a@example.gov.vn"))
    (key,) = unit_keys(fake_google)
    # between our batchUpdate and the listing after it, the unit halves a target's result
    fake_google.then("spreadsheets.batchUpdate", halve_a_target(fake_google, key))
    assert "1 cập nhật tab Kết quả" in sync(cli, root).output
    fake_google.calls.clear()
    again = sync(cli, root)
    assert "1 cập nhật tab Kết quả, 0 không đổi, 0 không đọc được" in again.output, again.output
    assert fake_google.calls == {
        "spreadsheets.get": 1 + 1,
        "files.list": 2,
        "spreadsheets.batchUpdate": 1,
    }
    assert rating(fake_google, key) == "Khá"


@on_google
def test_a_sheet_whose_last_change_was_our_write_is_not_read_again(
    workspace: Callable[..., Path], cli: Cli, fake_google: Any
) -> None:
    root = workspace(("U1", good_unit(1), "a@example.gov.vn"))
    sync(cli, root)
    fake_google.calls.clear()
    assert "0 cập nhật tab Kết quả, 1 không đổi" in sync(cli, root).output
    assert fake_google.calls == {"spreadsheets.get": 1, "files.list": 1}  # the registry, Drive


@on_google
def test_an_edit_merged_into_our_revision_is_still_read(
    workspace: Callable[..., Path], cli: Cli, fake_google: Any
) -> None:
    """Drive merges revisions close in time: the unit's edit just before our write disappears
    into our revision, whose last modifier is us. The worker does not go by the history."""
    root = workspace(("U1", good_unit(1), "a@example.gov.vn"))
    (key,) = unit_keys(fake_google)
    fake_google.then("spreadsheets.get", lambda: None)
    fake_google.then("spreadsheets.get", halve_a_target(fake_google, key))
    sync(cli, root)
    (revision,) = fake_google.files[key].revisions[-1:]
    assert revision.by.endswith("iam.gserviceaccount.com")  # the edit is hidden in ours
    assert "1 cập nhật tab Kết quả" in sync(cli, root).output
    assert rating(fake_google, key) == "Khá"
