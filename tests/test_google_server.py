"""The test server itself: where it is as strict as Google (tests/google_api/strict.py, each rule
with its evidence). Routes are called directly, as the HTTP handler calls them."""

from __future__ import annotations

from collections.abc import Callable
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ACCOUNT, FOLDER, REPORTS, as_tabs, good_unit
from tests.google_api import drive, sheets
from tests.google_api.quota import Quotas, VirtualClock
from tests.google_api.strict import MAX_CELLS, ApiError

on_google = pytest.mark.parametrize("backend", ["google"])
ALL_DRIVES = {"supportsAllDrives": ["true"], "includeItemsFromAllDrives": ["true"]}


def test_the_sixty_first_read_of_a_minute_is_refused_as_google_words_it() -> None:
    clock = VirtualClock()
    quotas = Quotas(clock.now)
    for _ in range(60):
        quotas.check("sheets", "read", ACCOUNT, "mohinh-thu")
        quotas.check("sheets", "write", ACCOUNT, "mohinh-thu")  # a bucket of its own
    with pytest.raises(ApiError) as refused:
        quotas.check("sheets", "read", ACCOUNT, "mohinh-thu")
    error = refused.value.body()["error"]
    assert (error["code"], error["status"]) == (429, "RESOURCE_EXHAUSTED")
    assert error["message"].startswith(
        "Quota exceeded for quota metric 'Read requests' and limit 'Read requests per minute "
        "per user' of service 'sheets.googleapis.com'"
    )
    assert error["details"][0]["reason"] == "RATE_LIMIT_EXCEEDED"
    assert error["details"][0]["metadata"]["quota_limit"] == "ReadRequestsPerMinutePerUser"
    clock.sleep(60)  # a sliding minute later, the quota is there again
    quotas.check("sheets", "read", ACCOUNT, "mohinh-thu")


def test_the_project_quota_counts_every_user_of_the_project() -> None:
    quotas = Quotas(VirtualClock().now)
    quotas.others("write", "mohinh-thu", 300)
    with pytest.raises(ApiError, match="limit 'Write requests per minute' of service"):
        quotas.check("sheets", "write", ACCOUNT, "mohinh-thu")
    quotas.check("sheets", "write", "other@other-project.iam.gserviceaccount.com", "other")


@on_google
def test_a_batch_over_ten_million_cells_is_refused_whole(
    workspace: Callable[..., Path], fake_google: Any
) -> None:
    workspace(("U1", good_unit(1), "a@example.gov.vn"))
    key = next(k for k, f in fake_google.files.items() if f.title == "Công an xã U1")
    path = f"/v4/spreadsheets/{key}:batchUpdate"
    fits = {"addSheet": {"properties": {"title": "A", "gridProperties": {"rowCount": 100}}}}
    huge = {
        "addSheet": {"properties": {"title": "B", "gridProperties": {"rowCount": MAX_CELLS // 26}}}
    }
    with pytest.raises(ApiError, match=r"Invalid requests\[1\].addSheet: This action would"):
        sheets.batch_update(fake_google, path, {}, {"requests": [fits, huge]})
    assert [s.title for s in fake_google.files[key].sheets if s.title in "AB"] == []


@on_google
def test_versions_grow_by_steps_a_client_cannot_count_on(
    workspace: Callable[..., Path], fake_google: Any
) -> None:
    workspace(("U1", good_unit(1), "a@example.gov.vn"))
    key = next(k for k, f in fake_google.files.items() if f.title == "Công an xã U1")
    seen = []
    for value in range(3, 8):
        fake_google.edit(key, "Chỉ tiêu", 1, 5, value)
        seen.append(fake_google.files[key].version)
    steps = {b - a for a, b in pairwise(seen)}
    assert len(steps) > 1 and min(steps) >= 1


@on_google
def test_edits_close_in_time_are_merged_into_one_revision_by_the_last_editor(
    workspace: Callable[..., Path], fake_google: Any
) -> None:
    workspace(("U1", good_unit(1), "a@example.gov.vn"))
    key = next(k for k, f in fake_google.files.items() if f.title == "Công an xã U1")
    fake_google.edit(key, "Chỉ tiêu", 1, 5, 3)
    fake_google.edit(key, "Chỉ tiêu", 1, 5, 4, by=ACCOUNT)
    (revision,) = fake_google.files[key].revisions
    assert revision.by == ACCOUNT


@on_google
def test_the_listing_gives_version_and_last_editor_only_when_asked(
    workspace: Callable[..., Path], fake_google: Any
) -> None:
    workspace(("U1", good_unit(1), "a@example.gov.vn"))
    query = {"q": [f"'{FOLDER}' in parents"], **ALL_DRIVES}
    (plain,) = drive.list_files(fake_google, "/drive/v3/files", query, None)["files"]
    assert set(plain) == {"kind", "id", "name", "mimeType"}
    asked = {**query, "fields": ["files(id,version,lastModifyingUser)"]}
    (full,) = drive.list_files(fake_google, "/drive/v3/files", asked, None)["files"]
    assert full["lastModifyingUser"]["emailAddress"] == "chu.bang@example.gov.vn"
    assert int(full["version"]) >= 1
    fake_google.files[full["id"]].trashed = True
    trashed = {**query, "q": [f"'{FOLDER}' in parents and trashed=false"]}
    assert drive.list_files(fake_google, "/drive/v3/files", trashed, None)["files"] == []


@on_google
def test_permissions_of_a_shared_drive_file_come_a_hundred_a_page(
    workspace: Callable[..., Path], fake_google: Any
) -> None:
    workspace()
    key = fake_google.add_spreadsheet("Báo cáo", as_tabs(good_unit(1)), REPORTS)
    fake_google.files[key].shared = [
        {"type": "user", "role": "reader", "emailAddress": f"u{n}@x.vn"} for n in range(150)
    ]
    path = f"/drive/v3/files/{key}/permissions"
    shared = {"supportsAllDrives": ["true"]}
    first = drive.list_permissions(fake_google, path, {**shared, "pageSize": ["500"]}, None)
    assert len(first["permissions"]) == 100 and first["nextPageToken"]
    second = {**shared, "pageToken": [first["nextPageToken"]]}
    rest = drive.list_permissions(fake_google, path, second, None)
    assert len(rest["permissions"]) == 50 and "nextPageToken" not in rest


@on_google
def test_files_out_of_reach_are_not_found_and_trashed_sheets_still_open(
    workspace: Callable[..., Path], fake_google: Any
) -> None:
    workspace(("U1", good_unit(1), "a@example.gov.vn"))
    key = next(k for k, f in fake_google.files.items() if f.title == "Công an xã U1")
    fake_google.trash(key)
    assert sheets.get_spreadsheet(fake_google, f"/v4/spreadsheets/{key}", {}, None)["sheets"]
    fake_google.files[key].unshared = True
    with pytest.raises(ApiError, match="The caller does not have permission"):
        sheets.get_spreadsheet(fake_google, f"/v4/spreadsheets/{key}", {}, None)
    with pytest.raises(ApiError, match="File not found"):
        drive.get_file(fake_google, f"/drive/v3/files/{key}", {"supportsAllDrives": ["true"]}, 0)


@on_google
def test_a_contributor_adds_files_and_only_a_content_manager_trashes_them(
    workspace: Callable[..., Path], fake_google: Any
) -> None:
    workspace()
    fake_google.folders[REPORTS].role = "writer"  # Người đóng góp
    contributor = drive.folder_json(fake_google.folders[REPORTS])["capabilities"]
    assert contributor["canAddChildren"] and not contributor["canTrashChildren"]
    manager = drive.folder_json(fake_google.folders[FOLDER])["capabilities"]  # fileOrganizer
    assert manager["canAddChildren"] and manager["canTrashChildren"]
