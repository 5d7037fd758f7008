"""The Google backend against a test server as strict as Google (tests/google_api/strict.py):
grid limits, protected-range editors, titles unique in any case, locales, checkboxes, shared
drives, Drive's rate limits. Each test failed on the backend before the fix it names."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result

from tests.conftest import ACCOUNT, FOLDER, REPORTS, as_tabs, good_unit
from tests.google_api.server import OWNER
from tests.google_api.strict import ApiError, typed

Cli = Callable[..., Result]
on_google = pytest.mark.parametrize("backend", ["google"])
TODAY = "2026-10-29"


def sync(cli: Cli, root: Path, *extra: str) -> Result:
    return cli("sync", "--workspace", root, "--today", TODAY, *extra)


def unit_keys(fake: Any) -> list[str]:
    return [k for k, f in fake.files.items() if f.title.startswith("Công an xã")]


def configure(root: Path, line: str) -> None:
    config = root / "config.toml"
    config.write_text(config.read_text("utf-8") + line + "\n", "utf-8")


# The test server itself: what it refuses and how it reads typed text.


def test_the_server_reads_typed_text_as_google_does() -> None:
    assert typed("90%", "vi_VN")["userEnteredValue"] == {"numberValue": 0.9}
    may_7 = typed("05/07/2025", "en_US")["userEnteredValue"]["numberValue"]
    july_5 = typed("05/07/2025", "vi_VN")["userEnteredValue"]["numberValue"]
    assert july_5 - may_7 == 59  # 7 May vs 5 July
    assert typed("25/07/2025", "en_US") == {"userEnteredValue": {"stringValue": "25/07/2025"}}


@on_google
def test_the_server_refuses_writes_past_the_grid_and_titles_in_another_case(
    workspace: Callable[..., Path], fake_google: Any
) -> None:
    from tests.google_api.sheets import batch_update

    workspace(("U1", good_unit(1), "a@example.gov.vn"))
    (key,) = unit_keys(fake_google)
    path = f"/v4/spreadsheets/{key}:batchUpdate"
    far = {"updateCells": {"start": {"sheetId": 7, "rowIndex": 1000}, "rows": [{}], "fields": "*"}}
    with pytest.raises(ApiError, match=r"exceeds grid limits. Max rows: 1000, max columns: 26"):
        batch_update(fake_google, path, {}, {"requests": [far]})
    twin = {"addSheet": {"properties": {"title": "MÔ HÌNH"}}}
    with pytest.raises(ApiError, match="already exists"):
        batch_update(fake_google, path, {}, {"requests": [twin]})


# Grid limits: a tab is sized to its data wherever the worker writes one.


@on_google
def test_a_results_tab_longer_than_a_new_grid_is_written(
    workspace: Callable[..., Path], cli: Cli, fake_google: Any
) -> None:
    root = workspace(("U1", good_unit(1100), "a@example.gov.vn"))
    result = sync(cli, root)
    assert result.exit_code == 0, result.output
    assert "1 cập nhật tab Kết quả, 0 không đổi, 0 không đọc được" in result.output
    (key,) = unit_keys(fake_google)
    rows = fake_google.values(key, "Kết quả")
    assert sum(1 for r in rows if r and str(r[0]).startswith("MH-")) == 1100


@on_google
def test_sixty_units_of_twenty_models_are_synced_and_consolidated(
    workspace: Callable[..., Path], cli: Cli, fake_google: Any
) -> None:
    root = workspace(*[(f"U{n}", good_unit(20), f"u{n}@example.gov.vn") for n in range(60)])
    configure(root, f'reports_folder = "{REPORTS}"\nper_minute = 100000')
    result = cli("run", "--once", "--workspace", root, "--today", "2026-11-16")
    assert result.exit_code == 0, result.output
    assert "chưa đăng được" not in result.output
    (report,) = [f for f in fake_google.files.values() if REPORTS in f.parents and f.sheets]
    assert [s.title for s in report.sheets][:3] == [
        "Tổng hợp đơn vị",
        "Theo lĩnh vực",
        "Danh sách mô hình",
    ]
    assert len(fake_google.values(report.key, "Danh sách mô hình")) == 2 + 60 * 20  # title, headers
    assert max(size for method, size in fake_google.log if method.endswith("batchUpdate")) < (
        2_000_000
    )


# Protected ranges: Google adds the owner to the editors; ours is found by its description.


@on_google
def test_three_syncs_with_edits_leave_exactly_one_protected_range(
    workspace: Callable[..., Path], cli: Cli, fake_google: Any
) -> None:
    root = workspace(("U1", good_unit(2), "a@example.gov.vn"))
    (key,) = unit_keys(fake_google)
    for achieved in (6, 7, 8):
        fake_google.edit(key, "Chỉ tiêu", 1, 5, achieved)
        assert "1 cập nhật tab Kết quả" in sync(cli, root).output
    (protected,) = fake_google.files[key].by_title("Kết quả").protected
    assert protected["editors"] == {"users": [ACCOUNT, OWNER]}


# Titles are unique regardless of case.


@on_google
def test_a_units_own_results_tab_in_capitals_is_taken_over_not_duplicated(
    workspace: Callable[..., Path], cli: Cli, fake_google: Any
) -> None:
    tabs = as_tabs(good_unit(1))
    tabs["KẾT QUẢ"] = [["ghi chú của đơn vị"]]
    key = fake_google.add_spreadsheet("Công an xã U1", tabs, FOLDER)
    registry = [
        ["U1", "Công an xã U1", "Xã", "", "a@example.gov.vn", key, "Có"],
    ]
    root = workspace()
    regkey = next(k for k, f in fake_google.files.items() if f.title == "Danh mục đơn vị")
    for col, value in enumerate(registry[0]):
        fake_google.edit(regkey, "Danh mục đơn vị", 1, col, value)
    result = sync(cli, root)
    assert "1 cập nhật tab Kết quả, 0 không đổi, 0 không đọc được" in result.output, result.output
    titles = [s.title.casefold() for s in fake_google.files[key].sheets]
    assert titles.count("kết quả") == 1
    assert fake_google.files[key].titled("Kết quả").title == "Kết quả"  # type: ignore[union-attr]


# Unchecked checkboxes hold FALSE: such rows are blank.


@on_google
def test_rows_of_unchecked_checkboxes_are_blank_not_errors(
    workspace: Callable[..., Path], cli: Cli, fake_google: Any
) -> None:
    root = workspace(("U1", good_unit(2), "a@example.gov.vn"))
    (key,) = unit_keys(fake_google)
    sheet = fake_google.files[key].by_title("Đánh giá")
    width = max(c for _, c in sheet.cells) + 1
    for row in range(3, 999):  # what a checkbox column leaves below the data
        for col in range(2, width):
            sheet.cells[row, col] = {"userEnteredValue": {"boolValue": False}}
    fake_google.touch(fake_google.files[key])
    result = sync(cli, root)
    assert "1 cập nhật tab Kết quả, 0 không đổi, 0 không đọc được" in result.output, result.output


# Locale: a sheet reading dates month first is told; the worker's own sheets are vi_VN.


@on_google
def test_a_unit_sheet_that_reads_dates_month_first_is_reported(
    workspace: Callable[..., Path], cli: Cli, fake_google: Any
) -> None:
    root = workspace(("U1", good_unit(1), "a@example.gov.vn"), ("U2", good_unit(1), "b@x.vn"))
    key = unit_keys(fake_google)[0]
    fake_google.files[key].locale = "en_US"
    fake_google.touch(fake_google.files[key])
    result = sync(cli, root)
    assert "1 cập nhật tab Kết quả, 0 không đổi, 1 không đọc được" in result.output, result.output
    assert (
        "Công an xã U1: bảng tính đặt Ngôn ngữ/Vùng (locale) en_US: ngày gõ 05/07/2025 "
        "được hiểu là ngày 7 tháng 5 — vào Tệp > Cài đặt, chọn Vùng 'Việt Nam', "
        "rồi kiểm tra lại các ngày đã nhập"
    ) in result.output


# Shared drives: a service account owns no files.


@on_google
def test_creating_outside_a_shared_drive_names_the_setting_and_the_fix(
    workspace: Callable[..., Path], cli: Cli, fake_google: Any
) -> None:
    root = workspace(("U1", good_unit(1), "a@example.gov.vn"))
    for folder in fake_google.folders.values():  # the folders are in a person's My Drive
        folder.drive = ""
    configure(root, f'reports_folder = "{REPORTS}"')
    result = cli("consolidate", "--workspace", root, "--today", "2026-11-16")
    assert (
        f"thư mục [google] reports_folder = '{REPORTS}' không nằm trong một Bộ nhớ dùng chung "
        "(shared drive): tài khoản dịch vụ không có dung lượng riêng nên không tạo được tệp "
        "trong Drive của một người — tạo Bộ nhớ dùng chung, thêm "
        f"{ACCOUNT} làm Người quản lý nội dung và đặt thư mục vào đó"
    ) in result.output
    assert "chưa được chia sẻ" not in result.output


# The report is shared on every publish, idempotently.


@on_google
def test_the_report_is_shared_by_a_later_run_when_the_first_failed_after_creating_it(
    workspace: Callable[..., Path], cli: Cli, fake_google: Any
) -> None:
    root = workspace(("U1", good_unit(1), "a@example.gov.vn"))
    configure(root, f'reports_folder = "{REPORTS}"')
    fake_google.fail("spreadsheets.get", None, None, 400)  # registry, unit, then the report
    failed = cli("consolidate", "--workspace", root, "--today", "2026-11-16")
    assert "chưa đăng được lên Google Sheets" in failed.output, failed.output
    cli("consolidate", "--workspace", root, "--today", "2026-11-17")
    (report,) = [f for f in fake_google.files.values() if REPORTS in f.parents and f.sheets]
    assert [p["emailAddress"] for p in report.shared] == ["tinh@example.gov.vn"]
    cli("consolidate", "--workspace", root, "--today", "2026-11-18")
    assert len(report.shared) == 1  # not shared twice


@on_google
def test_a_report_shared_with_more_than_a_page_of_people_is_not_shared_twice(
    workspace: Callable[..., Path], cli: Cli, fake_google: Any
) -> None:
    root = workspace(("U1", good_unit(1), "a@example.gov.vn"))
    configure(root, f'reports_folder = "{REPORTS}"')
    cli("consolidate", "--workspace", root, "--today", "2026-11-16")
    (report,) = [f for f in fake_google.files.values() if REPORTS in f.parents and f.sheets]
    # shared by hand with 120 people since: the staff's address is now on the second page
    others = [{"type": "user", "role": "reader", "emailAddress": f"u{n}@x.vn"} for n in range(120)]
    report.shared[:0] = others
    fake_google.calls.clear()
    cli("consolidate", "--workspace", root, "--today", "2026-11-17")
    assert fake_google.calls["permissions.create"] == 0
    assert fake_google.calls["permissions.list"] == 2 + 1  # two pages; the .docx's one


# Drive's rate limits are 403s: waited out; a listing that fails is told.


@on_google
def test_a_drive_rate_limit_is_waited_out(
    workspace: Callable[..., Path], cli: Cli, fake_google: Any
) -> None:
    root = workspace(("U1", good_unit(1), "a@example.gov.vn"))
    sync(cli, root)
    fake_google.rate_limit("files.list", 2, "rateLimitExceeded")
    fake_google.calls.clear()
    result = sync(cli, root)
    assert "0 cập nhật tab Kết quả, 1 không đổi" in result.output, result.output
    assert fake_google.calls == {"spreadsheets.get": 1, "files.list": 1 + 2}


@on_google
def test_a_listing_that_fails_is_told_and_every_unit_is_read(
    workspace: Callable[..., Path], cli: Cli, fake_google: Any
) -> None:
    root = workspace(("U1", good_unit(1), "a@example.gov.vn"))
    sync(cli, root)
    fake_google.fail("files.list", 400)
    fake_google.calls.clear()
    result = sync(cli, root)
    assert (
        f"Không liệt kê được thư mục [google] folder = '{FOLDER}' (400): đọc lại mọi bảng tính"
        in result.output
    ), result.output
    assert fake_google.calls["spreadsheets.get"] == 1 + 1


# Quota: Sheets reads and writes are separate buckets of 60 a minute; Drive is apart.


def test_sixty_reads_and_sixty_writes_fit_in_one_minute() -> None:
    from worker.adapters.google.client import Limiter, Quota

    now, slept = [0.0], []

    def limiter(per_minute: int) -> Limiter:
        return Limiter(per_minute, clock=lambda: now[0], sleep=slept.append)

    quota = Quota(limiter(60), limiter(60), limiter(12_000))
    sheet = "https://sheets.googleapis.com/v4/spreadsheets/k"
    for _ in range(60):
        quota.bucket("get", sheet).wait()
        quota.bucket("post", f"{sheet}:batchUpdate").wait()
        quota.bucket("get", "https://www.googleapis.com/drive/v3/files").wait()
        now[0] += 0.5
    assert slept == []  # 180 requests in 30 s, none waited: three buckets
    assert quota.bucket("put", f"{sheet}/values/A1") is quota.writes
