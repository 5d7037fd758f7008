"""The Google backend's cost and resilience, counted on the Sheets v4 + Drive v3 test server."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result

from tests.conftest import ACCOUNT, REPORTS, Routes, good_unit
from tests.conftest import FOLDER as FOLDER_OF_UNITS
from tests.google_api.server import OWNER
from worker.adapters.google.client import Limiter
from worker.adapters.google.read import sheet_key

Cli = Callable[..., Result]
on_google = pytest.mark.parametrize("backend", ["google"])
TODAY = "2026-10-29"


def unit_keys(fake: Any) -> list[str]:
    return [k for k, f in fake.files.items() if f.title.startswith("Công an xã")]


def sync(cli: Cli, root: Path, *extra: str) -> Result:
    return cli("sync", "--workspace", root, "--today", TODAY, *extra)


@pytest.fixture
def province(workspace: Callable[..., Path]) -> Path:
    return workspace(*[(f"U{n}", good_unit(2), f"u{n}@example.gov.vn") for n in range(1, 6)])


@on_google
def test_a_changed_unit_costs_one_read_and_one_write(
    province: Path, cli: Cli, fake_google: Any
) -> None:
    result = sync(cli, province)
    assert "5 cập nhật tab Kết quả" in result.output
    # the registry, one Drive listing before and one after the writes, and per unit 1 + 1
    assert fake_google.calls == {
        "spreadsheets.get": 1 + 5,
        "files.list": 2,
        "spreadsheets.batchUpdate": 5,
    }
    assert fake_google.scopes == [
        "https://www.googleapis.com/auth/spreadsheets",
        "https://www.googleapis.com/auth/drive.metadata.readonly",
    ]


@on_google
def test_an_unchanged_unit_costs_nothing(province: Path, cli: Cli, fake_google: Any) -> None:
    sync(cli, province)
    fake_google.calls.clear()
    result = sync(cli, province)
    assert "0 cập nhật tab Kết quả, 5 không đổi" in result.output
    # the sheets we wrote last time, their last change ours as Drive lists them: not read
    assert fake_google.calls == {"spreadsheets.get": 1, "files.list": 1}


@on_google
def test_force_reads_every_unit_again(province: Path, cli: Cli, fake_google: Any) -> None:
    sync(cli, province)
    fake_google.calls.clear()
    sync(cli, province, "--force")
    assert fake_google.calls["spreadsheets.get"] == 1 + 5
    assert fake_google.calls["spreadsheets.batchUpdate"] == 0  # nothing to write


@on_google
def test_a_unit_that_changed_is_read_again_and_rewritten(
    province: Path, cli: Cli, fake_google: Any
) -> None:
    sync(cli, province)
    key = unit_keys(fake_google)[0]
    fake_google.edit(key, "Chỉ tiêu", 1, 5, 6)  # MH-001: 6 of 10 and 5 of 4 -> 80 %, Khá
    fake_google.calls.clear()
    result = sync(cli, province)
    assert "1 cập nhật tab Kết quả, 4 không đổi" in result.output
    assert fake_google.calls == {
        "spreadsheets.get": 2,
        "files.list": 2,  # before the reads, and after the write
        "spreadsheets.batchUpdate": 1,
    }
    rows = fake_google.values(key, "Kết quả")
    assert next(r for r in rows if r and r[0] == "MH-001")[6] == "Khá"


@on_google
def test_the_results_tab_is_protected_values_only_and_repaired_after_an_edit(
    province: Path, cli: Cli, fake_google: Any
) -> None:
    sync(cli, province)
    key = unit_keys(fake_google)[0]
    sheet = fake_google.files[key].by_title("Kết quả")
    # Google adds the spreadsheet's owner to the editors (tests/google_api/server.py)
    assert [p["editors"] for p in sheet.protected] == [{"users": [ACCOUNT, OWNER]}]
    assert sheet.frozen_rows == 2  # the title and the stamp stay in view
    row = next(
        r
        for r, c in sheet.cells
        if c == 0 and sheet.cells[r, c]["userEnteredValue"].get("stringValue") == "MH-001"
    )
    fake_google.edit(key, "Kết quả", row, 6, "Tốt lắm")  # the owner overrides the protection
    fake_google.calls.clear()
    result = sync(cli, province)
    assert "1 cập nhật tab Kết quả" in result.output
    assert fake_google.values(key, "Kết quả")[row][6] == "Tốt"
    assert len(fake_google.files[key].by_title("Kết quả").protected) == 1  # not added twice


@on_google
def test_unit_text_is_written_as_text_never_as_a_formula(
    workspace: Callable[..., Path], cli: Cli, fake_google: Any
) -> None:
    rows = good_unit(1)
    rows["models"][0]["name"] = '=IMPORTXML("http://x.invalid","//a")'
    root = workspace(("U1", rows, "a@example.gov.vn"))
    sync(cli, root)
    (key,) = unit_keys(fake_google)
    formulas = fake_google.values(key, "Kết quả", render="FORMULA")
    assert next(r for r in formulas if r and r[0] == "MH-001")[1] == (
        '=IMPORTXML("http://x.invalid","//a")'
    )
    cells = fake_google.files[key].by_title("Kết quả").cells.values()
    assert not any("formulaValue" in c.get("userEnteredValue", {}) for c in cells)


@on_google
def test_a_storm_of_429_answers_is_waited_out(province: Path, cli: Cli, fake_google: Any) -> None:
    fake_google.fail("spreadsheets.get", 429, 429, 429, 429)
    fake_google.fail("spreadsheets.batchUpdate", 429, 503)
    result = sync(cli, province)
    assert result.exit_code == 0, result.output
    assert "5 cập nhật tab Kết quả, 0 không đổi, 0 không đọc được" in result.output
    # a 503 to a write may come after Google applied it: its tabs are read back, once
    assert fake_google.calls["spreadsheets.get"] == 1 + 5 + 4 + 1
    assert fake_google.calls["spreadsheets.batchUpdate"] == 5 + 2


@on_google
def test_retries_are_bounded_and_the_unit_is_reported(
    province: Path, cli: Cli, fake_google: Any
) -> None:
    sync(cli, province)  # the registry and the Drive listing are read, the units cached
    key = unit_keys(fake_google)[2]
    fake_google.edit(key, "Chỉ tiêu", 1, 5, 3)
    fake_google.calls.clear()
    fake_google.broken[key] = 500  # every try answers 500
    result = sync(cli, province)
    assert result.exit_code == 1
    assert (
        "Google Sheets không trả lời được (500 INTERNAL): dịch vụ của Google đang gián đoạn "
        "hoặc mạng chập chờn; lần chạy sau sẽ thử lại"
    ) in result.output
    assert "4 không đổi, 1 không đọc được" in result.output
    assert fake_google.calls["spreadsheets.get"] == 1 + 6


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (403, f"tài khoản {ACCOUNT} chưa được chia sẻ bảng tính"),
        (404, "không tìm thấy bảng tính Google"),
    ],
    ids=["not_shared", "not_found"],
)
@on_google
def test_a_sheet_that_cannot_be_opened_leaves_the_others_done(
    workspace: Callable[..., Path], cli: Cli, fake_google: Any, status: int, message: str
) -> None:
    root = workspace(
        ("U1", good_unit(1), "a@example.gov.vn"), ("U2", good_unit(1), "b@example.gov.vn")
    )
    fake_google.broken[unit_keys(fake_google)[1]] = status
    result = cli("run", "--once", "--workspace", root, "--today", TODAY)
    assert result.exit_code == 1
    assert f"! U2 Công an xã U2: {message}" in result.output
    assert "1 cập nhật tab Kết quả" in result.output
    assert fake_google.calls["spreadsheets.get"] == 1 + 2  # a permanent refusal is not retried


@on_google
def test_a_bad_key_is_a_configuration_error(
    workspace: Callable[..., Path], cli: Cli, fake_google: Any
) -> None:
    root = workspace(("U1", good_unit(1), "a@example.gov.vn"))
    (root / "khoa.json").write_text("{}", "utf-8")
    result = sync(cli, root)
    assert result.exit_code == 2
    assert "Không đọc được khóa tài khoản dịch vụ [google] key_file" in result.output


def test_sheet_keys_come_from_urls_or_ids() -> None:
    key = "1AbCdEfGhIjKlMnOpQrStUvWxYz0123456789"
    assert sheet_key(f"https://docs.google.com/spreadsheets/d/{key}/edit#gid=0") == key
    assert sheet_key(key) == key


def test_the_limiter_keeps_to_the_quota() -> None:
    now = [0.0]
    slept = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    limiter = Limiter(60, clock=lambda: now[0], sleep=sleep)
    for _ in range(60):
        limiter.wait()
        now[0] += 0.1
    assert slept == []
    limiter.wait()  # the 61st request within a minute waits until the first is a minute old
    assert slept == [pytest.approx(54.0)]


@on_google
def test_the_results_tab_is_found_by_its_id_when_renamed(
    province: Path, cli: Cli, fake_google: Any
) -> None:
    sync(cli, province)
    key = unit_keys(fake_google)[0]
    sheet = fake_google.files[key].by_title("Kết quả")
    sheet.title = "KQ cũ"  # renamed by a unit
    fake_google.touch(fake_google.files[key])
    sync(cli, province)
    titles = [s.title for s in fake_google.files[key].sheets]
    assert titles.count("Kết quả") == 1 and "KQ cũ" not in titles  # the same tab, renamed back
    assert fake_google.files[key].by_title("Kết quả").sheet_id == sheet.sheet_id


def publish_to(root: Path) -> None:
    config = root / "config.toml"
    config.write_text(config.read_text("utf-8") + f'reports_folder = "{REPORTS}"\n', "utf-8")


def report_of(fake: Any) -> Any:
    (report,) = [f for f in fake.files.values() if REPORTS in f.parents and f.sheets]
    return report


@on_google
def test_the_consolidation_is_published_as_a_shared_spreadsheet_with_charts(
    workspace: Callable[..., Path], cli: Cli, fake_google: Any
) -> None:
    rows = good_unit(2)
    rows["models"][0]["name"] = '=IMPORTXML("http://x.invalid","//a")'
    root = workspace(("U1", rows, "a@example.gov.vn"), ("U2", good_unit(1), "b@example.gov.vn"))
    publish_to(root)
    fake_google.calls.clear()
    result = cli("run", "--once", "--workspace", root, "--today", "2026-11-16")
    report = report_of(fake_google)
    assert f"trên Google Sheets: https://docs.google.com/spreadsheets/d/{report.key}" in (
        result.output
    )
    assert [s.title for s in report.sheets] == [
        "Tổng hợp đơn vị",
        "Theo lĩnh vực",
        "Danh sách mô hình",
        "Điển hình",
        "Đề xuất kết thúc",
        "Đề xuất nhân rộng",
        "Cần xem xét",
        "Đối chiếu xếp loại",
        "So sánh các năm",
        "Lỗi dữ liệu",
    ]
    assert [len(s.charts) for s in report.sheets[:2]] == [1, 1]
    assert report.shared == [
        {"type": "user", "role": "writer", "emailAddress": "tinh@example.gov.vn"}
    ]
    models = fake_google.values(report.key, "Danh sách mô hình", render="FORMULA")
    assert models[2][3] == '=IMPORTXML("http://x.invalid","//a")'  # text, never a formula
    assert fake_google.values(report.key, "Tổng hợp đơn vị")[2][:4] == [
        "U1",
        "Công an xã U1",
        "Xã",
        2,
    ]
    # a handful of requests: create, read its tabs, write the staging tabs, swap, share; and
    # the annual report (.docx) uploaded and shared beside it
    assert (fake_google.calls["files.create"], fake_google.calls["permissions.create"]) == (2, 2)
    assert fake_google.calls["spreadsheets.batchUpdate"] == 2 + 2  # 2 units' Kết quả
    from email import message_from_bytes
    from email.policy import default

    mail = [
        message_from_bytes(p.read_bytes(), policy=default)
        for p in (root / "outbox").glob("TINH-*.eml")
    ]
    text = mail[0].get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "Bảng tổng hợp trên Google Sheets: https://docs.google.com/spreadsheets/d/" in text


@on_google
def test_a_rebuild_replaces_the_tabs_and_a_failure_leaves_the_last_ones(
    workspace: Callable[..., Path], cli: Cli, fake_google: Any
) -> None:
    root = workspace(("U1", good_unit(1), "a@example.gov.vn"))
    publish_to(root)
    cli("consolidate", "--workspace", root, "--today", "2026-11-16")
    report = report_of(fake_google)
    before = [(s.sheet_id, s.title) for s in report.sheets]
    fake_google.fail("spreadsheets.batchUpdate", None, 400)  # staging written, swap refused
    failed = cli("consolidate", "--workspace", root, "--today", "2026-11-17")
    assert "! chưa đăng được lên Google Sheets: Google Sheets từ chối yêu cầu" in failed.output
    report = report_of(fake_google)
    assert [(s.sheet_id, s.title) for s in report.sheets if not s.title.endswith(" (mới)")] == (
        before
    )
    again = cli("consolidate", "--workspace", root, "--today", "2026-11-18")
    assert again.exit_code == 0, again.output
    report = report_of(fake_google)
    assert [s.title for s in report.sheets] == [t for _, t in before]  # no leftovers
    assert [s.sheet_id for s in report.sheets] != [i for i, _ in before]  # new tabs swapped in
    assert len(report.shared) == 1  # shared once, when created


@pytest.mark.parametrize("backend", ["local", "google"])
def test_provision_makes_a_unit_sheet_from_the_template_and_registers_it(
    workspace: Callable[..., Path], cli: Cli, backend: str, request: pytest.FixtureRequest
) -> None:
    root = workspace(("U1", good_unit(1), "a@example.gov.vn"))
    if backend == "google":
        fake = request.getfixturevalue("fake_google")
        (registry,) = [f for f in fake.files.values() if f.title == "Danh mục đơn vị"]
        fake.edit(registry.key, "Danh mục đơn vị", 2, 0, "U2")
        for col, value in enumerate(
            ["Công an xã U2", "Xã", "", "b@example.gov.vn; c@example.gov.vn", "", "Có"], start=1
        ):
            fake.edit(registry.key, "Danh mục đơn vị", 2, col, value)
    else:
        from worker.adapters.xlsx.workbook import set_cell

        for cell, value in zip(
            "ABCEG", ["U2", "Công an xã U2", "Xã", "b@example.gov.vn", "Có"], strict=True
        ):
            set_cell(root / "registry.xlsx", "Danh mục đơn vị", f"{cell}3", value)
    result = cli("provision", "--workspace", root)
    assert result.exit_code == 0, result.output
    assert "U2 Công an xã U2: " in result.output
    again = cli("provision", "--workspace", root)
    assert "Mọi đơn vị đang hoạt động đều đã có bảng tính." in again.output
    refused = cli("provision", "U1", "--workspace", root)
    assert refused.exit_code == 1 and "U1: đã có bảng tính" in refused.output
    synced = cli("sync", "--workspace", root, "--today", TODAY)
    assert "2 đang hoạt động, 2 cập nhật tab Kết quả" in synced.output  # the new sheet is read
    if backend == "google":
        new = next(
            f for f in fake.files.values() if f.title == "Mô hình, điển hình — Công an xã U2"
        )
        assert FOLDER_OF_UNITS in new.parents
        assert (new.locale, new.time_zone) == ("vi_VN", "Asia/Ho_Chi_Minh")  # not en_US
        assert [s.title for s in new.sheets] == [
            "Mô hình",
            "Chỉ tiêu",
            "Đánh giá",
            "Hồ sơ",
            "Điển hình",
            "Tiêu chí điển hình",
            "Kết quả",
        ]
        models = new.by_title("Mô hình")
        assert models.frozen_rows == 1
        assert models.cells[0, 0]["note"].startswith("Mã riêng của mô hình")
        rules = {(v[1], v[4]["condition"]["type"]) for v in models.validations}
        assert (3, "ONE_OF_LIST") in rules and (9, "ONE_OF_LIST") in rules
        checkbox = {(v[1], v[4]["condition"]["type"]) for v in new.by_title("Đánh giá").validations}
        assert (2, "BOOLEAN") in checkbox
        assert [p["editors"] for p in new.by_title("Kết quả").protected] == [{"users": [ACCOUNT]}]
        assert [p["emailAddress"] for p in new.shared] == ["b@example.gov.vn", "c@example.gov.vn"]
        assert fake.values(registry.key, "Danh mục đơn vị")[2][5] == (
            f"https://docs.google.com/spreadsheets/d/{new.key}"
        )
    else:
        assert (root / "units" / "u2.xlsx").exists()


@on_google
def test_a_request_that_times_out_is_tried_again(
    province: Path, cli: Cli, fake_google: Any
) -> None:
    config = province / "config.toml"
    config.write_text(config.read_text("utf-8") + "timeout = 0.5\n", "utf-8")
    fake_google.slow("spreadsheets.get", 0, 2)  # the registry answers; the first unit is slow
    result = sync(cli, province)
    assert result.exit_code == 0, result.output
    assert "5 cập nhật tab Kết quả, 0 không đổi, 0 không đọc được" in result.output
    assert fake_google.calls["spreadsheets.get"] == 1 + 5 + 1


@on_google
def test_user_entered_values_would_become_formulas_and_the_worker_never_sends_them(
    province: Path, cli: Cli, fake_google: Any, routes: Routes
) -> None:
    from worker.app.wiring import open_workspace

    key = unit_keys(fake_google)[0]
    # gspread's real client, as the backend holds it
    with open_workspace(province, routes.options()) as ws:
        sheet = ws.backend.client.open_by_key(key).worksheet("Mô hình")  # type: ignore[union-attr]
        sheet.update_acell("L2", '=IMPORTXML("http://x.invalid","//a")')  # USER_ENTERED
        sheet.update([['=IMPORTXML("http://x.invalid","//a")']], "L3", raw=True)  # RAW
    formulas = fake_google.files[key].by_title("Mô hình").cells
    assert formulas[1, 11]["userEnteredValue"] == {
        "formulaValue": '=IMPORTXML("http://x.invalid","//a")'
    }
    assert formulas[2, 11]["userEnteredValue"] == {
        "stringValue": '=IMPORTXML("http://x.invalid","//a")'
    }
    fake_google.calls.clear()
    cli("run", "--once", "--workspace", province, "--today", "2026-11-16")
    assert not [m for m in fake_google.calls if m.startswith("spreadsheets.values.")]


@on_google
def test_a_configured_spreadsheet_keeps_one_set_of_tabs_per_year(
    workspace: Callable[..., Path], cli: Cli, fake_google: Any
) -> None:
    root = workspace(("U1", good_unit(1), "a@example.gov.vn"))
    book = fake_google.add_spreadsheet("Tổng hợp của tỉnh", {"Ghi chú của tỉnh": [["giữ lại"]]})
    config = root / "config.toml"
    config.write_text(config.read_text("utf-8") + f'report_spreadsheet = "{book}"\n', "utf-8")
    cli("consolidate", "--workspace", root, "--today", "2025-11-16")
    cli("consolidate", "--workspace", root, "--today", "2026-11-16")
    first = [(s.sheet_id, s.title) for s in fake_google.files[book].sheets]
    cli("consolidate", "--workspace", root, "--today", "2026-11-20")  # a rebuild of 2026
    titles = [s.title for s in fake_google.files[book].sheets]
    assert titles[0] == "Ghi chú của tỉnh"  # the province's own tab stays
    assert {t for t in titles if t.endswith(" 2025")} == {
        "Tổng hợp đơn vị 2025",
        "Theo lĩnh vực 2025",
        "Danh sách mô hình 2025",
        "Điển hình 2025",
        "Đề xuất kết thúc 2025",
        "Đề xuất nhân rộng 2025",
        "Cần xem xét 2025",
        "Đối chiếu xếp loại 2025",
        "So sánh các năm 2025",
        "Lỗi dữ liệu 2025",
    }
    assert sum(t.endswith(" 2026") for t in titles) == 10
    kept = [(i, t) for i, t in first if t.endswith(" 2025")]
    assert [
        (s.sheet_id, s.title) for s in fake_google.files[book].sheets if s.title.endswith(" 2025")
    ] == kept  # 2025 untouched by the 2026 rebuild
    assert fake_google.files[book].shared == []  # the province's own spreadsheet


@on_google
def test_results_that_change_on_an_unchanged_sheet_are_written_at_small_cost(
    province: Path, cli: Cli, fake_google: Any
) -> None:
    sync(cli, province)
    fake_google.calls.clear()
    # 01/12 starts year 2027: no sheet changed, yet every Kết quả now says something else
    result = cli("sync", "--workspace", province, "--today", "2026-12-05")
    assert result.exit_code == 0, result.output
    assert "5 cập nhật tab Kết quả, 0 không đổi, 0 không đọc được" in result.output
    # the registry, the listings, and per unit one light read of its tab IDs and one write
    assert fake_google.calls == {
        "spreadsheets.get": 1 + 5,
        "files.list": 2,
        "spreadsheets.batchUpdate": 5,
    }
    assert all(
        [s.title for s in fake_google.files[k].sheets].count("Kết quả") == 1
        for k in unit_keys(fake_google)
    )
    fake_google.calls.clear()
    again = cli("sync", "--workspace", province, "--today", "2026-12-05")
    assert "0 cập nhật tab Kết quả, 5 không đổi" in again.output
    # cache kept up: no sheet read, no Drive request but the listing
    assert fake_google.calls == {"spreadsheets.get": 1, "files.list": 1}


@on_google
def test_the_sheets_read_are_a_cache_left_out_of_backups_and_taking_none(
    province: Path, cli: Cli, fake_google: Any
) -> None:
    """What each unit's sheet held is kept to spare a read (about 14 KB a unit of 20 models:
    28 MB at 2,000 units), and read again when lost: a backup holds none of it, and a sync that
    read sheets again and changed nothing else takes no backup (issue 20, item 2)."""
    sync(cli, province)
    (newest,) = sorted((province / "backups").iterdir())
    with closing(sqlite3.connect(newest)) as db:
        assert db.execute("SELECT count(*) FROM sheets").fetchone() == (0,)
    with closing(sqlite3.connect(province / "state.sqlite")) as db:
        assert db.execute("SELECT count(*) FROM sheets").fetchone() == (5,)
    taken = {p.name: p.stat().st_mtime_ns for p in (province / "backups").iterdir()}
    key = unit_keys(fake_google)[0]
    same = fake_google.values(key, "Chỉ tiêu")[1][5]
    fake_google.edit(key, "Chỉ tiêu", 1, 5, same)  # saved again as it was: a new version
    fake_google.calls.clear()
    assert "0 cập nhật tab Kết quả, 5 không đổi" in sync(cli, province).output
    assert fake_google.calls["spreadsheets.get"] == 2  # the registry, and the sheet read again
    assert {p.name: p.stat().st_mtime_ns for p in (province / "backups").iterdir()} == taken
