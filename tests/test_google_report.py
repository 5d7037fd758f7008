"""The consolidated report on Google Sheets when its spreadsheet or folder is gone, and when the
10 million cells of a spreadsheet run short (issue 21, item 3)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result

from tests.conftest import ACCOUNT, REPORTS, good_unit
from tests.google_api.model import Sheet
from tests.test_google_strict import configure
from worker.adapters.google import budget
from worker.adapters.google.budget import MAX_CELLS, NoRoom, Tab

Cli = Callable[..., Result]
on_google = pytest.mark.parametrize("backend", ["google"])
FINAL, PREVIEW = "2026-11-16", "2026-11-10"
ALMOST_FULL = MAX_CELLS // 26 - 2_000  # rows of 26 columns: a tab leaving room for a report


def consolidate(cli: Cli, root: Path, day: str = FINAL) -> Result:
    return cli("consolidate", "--workspace", root, "--today", day)


def reports(fake: Any) -> list[Any]:
    return [f for f in fake.files.values() if REPORTS in f.parents and f.sheets]


@pytest.fixture
def published(workspace: Callable[..., Path], cli: Cli, fake_google: Any) -> Path:
    root = workspace(("U1", good_unit(1), "a@example.gov.vn"))
    configure(root, f'reports_folder = "{REPORTS}"')
    assert "chưa đăng được" not in consolidate(cli, root).output
    return root


@pytest.mark.parametrize("gone", ["deleted", "trashed", "unshared"])
@on_google
def test_a_report_spreadsheet_gone_from_the_folder_is_made_again_and_shared(
    published: Path, cli: Cli, fake_google: Any, gone: str
) -> None:
    (old,) = reports(fake_google)
    if gone == "deleted":
        fake_google.delete(old.key)
    elif gone == "trashed":
        fake_google.trash(old.key)
    else:
        old.unshared = True
    result = consolidate(cli, published, "2026-11-17")
    assert "chưa đăng được" not in result.output, result.output
    (new,) = [f for f in reports(fake_google) if not f.trashed and not f.unshared]
    assert new.key != old.key
    assert new.sheets[0].title == "Tổng hợp đơn vị"
    assert [p["emailAddress"] for p in new.shared] == ["tinh@example.gov.vn"]
    assert (
        f"! bảng tính tổng hợp cũ (https://docs.google.com/spreadsheets/d/{old.key}) không còn "
        "trong thư mục [google] reports_folder (đã bị xóa, đưa vào Thùng rác hoặc thôi chia sẻ "
        f"cho {ACCOUNT}): đã tạo bảng tính mới và chia sẻ lại cho cán bộ tỉnh"
    ) in result.output
    again = consolidate(cli, published, "2026-11-18")
    assert "bảng tính tổng hợp cũ" not in again.output  # told once


@on_google
def test_a_reports_folder_gone_is_named_as_the_folder(
    published: Path, cli: Cli, fake_google: Any
) -> None:
    for report in reports(fake_google):
        fake_google.delete(report.key)
    del fake_google.folders[REPORTS]  # deleted, or the account removed from its shared drive
    result = consolidate(cli, published, "2026-11-17")
    assert (
        f"chưa đăng được lên Google Sheets: không tìm thấy thư mục Drive [google] reports_folder "
        f"= '{REPORTS}': thư mục đã bị xóa, nằm trong Thùng rác, hoặc {ACCOUNT} không còn là "
        "thành viên của Bộ nhớ dùng chung chứa nó"
    ) in result.output, result.output
    assert "bảng tính Google reports_folder" not in result.output


@pytest.fixture
def province_book(workspace: Callable[..., Path], fake_google: Any) -> tuple[Path, str]:
    """A workspace publishing into the province's own spreadsheet (report_spreadsheet)."""
    root = workspace(("U1", good_unit(1), "a@example.gov.vn"))
    book = fake_google.add_spreadsheet("Tổng hợp của tỉnh", {"Ghi chú của tỉnh": [["giữ lại"]]})
    configure(root, f'report_spreadsheet = "{book}"')
    return root, book


@pytest.mark.parametrize(
    ("gone", "said"),
    [
        ("deleted", "không tìm thấy bảng tính tổng hợp [google] report_spreadsheet = '{book}': "
         "bảng tính đã bị xóa hoặc thôi chia sẻ cho " + ACCOUNT),
        ("unshared", "không tìm thấy bảng tính tổng hợp [google] report_spreadsheet = '{book}': "
         "bảng tính đã bị xóa hoặc thôi chia sẻ cho " + ACCOUNT),
        ("trashed", "bảng tính tổng hợp [google] report_spreadsheet = '{book}' đang nằm trong "
         "Thùng rác của Google Drive — khôi phục bảng tính"),
    ],
)  # fmt: skip
@on_google
def test_the_provinces_spreadsheet_gone_is_told_by_its_setting(
    province_book: tuple[Path, str], cli: Cli, fake_google: Any, gone: str, said: str
) -> None:
    root, book = province_book
    if gone == "deleted":
        fake_google.delete(book)
    elif gone == "trashed":
        fake_google.trash(book)
    else:
        fake_google.files[book].unshared = True
    result = consolidate(cli, root)
    assert f"! chưa đăng được lên Google Sheets: {said.format(book=book)}" in result.output, (
        result.output
    )
    assert fake_google.calls["spreadsheets.batchUpdate"] == 0  # nothing written to the trash


@on_google
def test_a_years_preview_makes_room_for_its_final_report(
    province_book: tuple[Path, str], cli: Cli, fake_google: Any
) -> None:
    root, book = province_book
    assert "chưa đăng được" not in consolidate(cli, root, PREVIEW).output
    preview = fake_google.files[book].by_title("Danh sách mô hình 2026 xem trước")
    preview.rows = ALMOST_FULL  # someone filled the preview: no room for the final beside it
    result = consolidate(cli, root)
    assert "chưa đăng được" not in result.output, result.output
    titles = [s.title for s in fake_google.files[book].sheets]
    assert "Danh sách mô hình 2026" in titles and "Ghi chú của tỉnh" in titles
    assert not [t for t in titles if t.endswith("xem trước")]  # superseded, deleted first


@on_google
def test_a_year_without_room_beside_the_others_gets_a_spreadsheet_of_its_own(
    province_book: tuple[Path, str], cli: Cli, fake_google: Any
) -> None:
    root, book = province_book
    configure(root, f'reports_folder = "{REPORTS}"')
    older = Sheet(9000, "Danh sách mô hình 2025", rows=ALMOST_FULL, cols=26)
    fake_google.files[book].sheets.append(older)  # the years before fill the spreadsheet
    result = consolidate(cli, root)
    assert "chưa đăng được" not in result.output, result.output
    (own,) = reports(fake_google)
    assert own.sheets[0].title == "Tổng hợp đơn vị"
    assert f"trên Google Sheets: https://docs.google.com/spreadsheets/d/{own.key}" in (
        result.output
    )
    assert fake_google.files[book].by_title("Danh sách mô hình 2025") is not None  # kept
    consolidate(cli, root, "2026-11-17")
    assert len(reports(fake_google)) == 1  # the year stays in its own spreadsheet


@on_google
def test_without_a_reports_folder_a_full_spreadsheet_is_a_clear_refusal(
    province_book: tuple[Path, str], cli: Cli, fake_google: Any
) -> None:
    root, book = province_book
    older = Sheet(9000, "Danh sách mô hình 2025", rows=ALMOST_FULL + 1_000, cols=26)
    fake_google.files[book].sheets.append(older)
    result = consolidate(cli, root)
    assert (
        f"chưa đăng được lên Google Sheets: bảng tính tổng hợp [google] report_spreadsheet = "
        f"'{book}' không còn đủ chỗ cho "
    ) in result.output, result.output
    assert "trong giới hạn 10.000.000 ô của một bảng tính Google — đặt [google] " in result.output
    assert fake_google.calls["spreadsheets.batchUpdate"] == 0  # refused before any write
    assert (root / "reports" / "tong-hop-2026.xlsx").exists()


@on_google
def test_a_report_whose_old_tabs_leave_no_room_replaces_them_first(
    published: Path, cli: Cli, fake_google: Any
) -> None:
    (report,) = reports(fake_google)
    report.by_title("Danh sách mô hình").rows = ALMOST_FULL  # resized by someone
    result = consolidate(cli, published, "2026-11-17")
    assert "chưa đăng được" not in result.output, result.output
    (report,) = reports(fake_google)
    assert report.by_title("Danh sách mô hình").rows < ALMOST_FULL
    assert not [s for s in report.sheets if s.title.endswith(" (mới)")]


def test_the_plan_keeps_the_old_tabs_until_the_swap_when_there_is_room() -> None:
    present = [Tab("A 2025", 1, 100), Tab("A 2026", 2, 100), Tab("A 2026 (mới)", 3, 50)]
    plan = budget.plan(present, 200, lambda t: t == "A 2026", 2026)
    assert (plan.first, plan.later) == ([3], [2])


def test_the_plan_deletes_the_old_tabs_first_and_keeps_one_tab_in_the_spreadsheet() -> None:
    present = [Tab("Sheet1", 1, 26_000), Tab("A", 2, MAX_CELLS - 30_000)]
    plan = budget.plan(present, MAX_CELLS // 2, lambda t: True, 2026)
    assert (plan.first, plan.later) == ([2], [1])  # the smallest stays until the swap


def test_a_report_alone_over_the_limit_fits_no_spreadsheet() -> None:
    with pytest.raises(NoRoom) as refused:
        budget.plan([], MAX_CELLS + 1, lambda t: True, 2026)
    assert refused.value.alone
    with pytest.raises(NoRoom) as full:
        budget.plan([Tab("A 2025", 1, MAX_CELLS - 10)], 100, lambda t: False, 2026)
    assert not full.value.alone and full.value.free == 10
