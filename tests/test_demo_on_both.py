"""The demo province's cycle gives the same results on Google Sheets as on .xlsx files."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import docx
import openpyxl
from click.testing import Result

from tests.conftest import FOLDER, use_google
from worker.adapters.xlsx.read import read_tabs
from worker.core.layout import load
from worker.core.rules import LEVELS
from worker.demo.province import decision_cells, record_decisions

Cli = Callable[..., Result]


def mirror_to_google(local: Path, root: Path, fake: Any, private_key: str) -> dict[str, str]:
    """The same province, its workbooks uploaded as Google spreadsheets; returns unit ID ->
    spreadsheet key."""
    shutil.copytree(local, root, ignore=shutil.ignore_patterns("units", "state.sqlite*"))
    registry = read_tabs(local / "registry.xlsx")["Danh mục đơn vị"]
    keys = {}
    for row in registry[1:]:
        if row and row[0] and (local / row[5]).exists():
            tabs = {t: rows for t, rows in read_tabs(local / row[5]).items() if t != "Kết quả"}
            row[5] = keys[row[0]] = fake.add_spreadsheet(row[1], tabs, FOLDER)
        elif row and row[0]:
            row[5] = "https://docs.google.com/spreadsheets/d/daXoaKhoiDriveAbCdEfGhIjKl/edit"
    registry_id = fake.add_spreadsheet("Danh mục đơn vị", {"Danh mục đơn vị": registry})
    use_google(root, fake, private_key, registry_id)
    return keys


def record_decisions_on_both(local: Path, keys: dict[str, str], fake: Any) -> None:
    """The deciding units type their decisions of 01–10/11 into their sheets, on both sides."""
    on = date(2026, 11, 10)
    assert record_decisions(local, on) == ["CA-PT", "HPN"]
    tab = load("unit").tab("assessments").name
    for unit, cells in decision_cells(on).items():
        for (row, column), value in cells.items():
            fake.edit(keys[unit], tab, row, column, value)


def what_users_see(result: Result) -> list[str]:
    """The summary lines, less paths and the one unit whose sheet is missing either way."""
    keep = ("Đơn vị:", "Lỗi dữ liệu:", "Xếp loại:", "Nhắc hạn", "Thư", "Tổng hợp năm")
    lines = [line for line in result.output.splitlines() if line.startswith(keep)]
    return [re.sub(r"\(/[^)]*\)|/\S+", "…", line) for line in lines]


def told_on_google(line: str) -> str:
    """A summary line on files as it reads on Google, where the missing sheet's unit is mailed."""
    if line.startswith("Nhắc hạn"):
        line = line.replace("11 thư mới", "12 thư mới").replace(
            "; chờ tỉnh tìm tệp bảng tính: CA-TP", ""
        )
    return line.replace("Thư …: 11 ", "Thư …: 12 ")


def test_the_demo_cycle_is_the_same_on_both_backends(
    tmp_path: Path, cli: Cli, fake_google: Any, private_key: str
) -> None:
    local, remote = tmp_path / "local", tmp_path / "google"
    assert cli("init", local, "--demo", "--today", "2026-10-29").exit_code == 0
    keys = mirror_to_google(local, remote, fake_google, private_key)
    for day in ("2026-10-29", "2026-11-16"):
        if day == "2026-11-16":
            record_decisions_on_both(local, keys, fake_google)
        on_files = cli("run", "--once", "--workspace", local, "--today", day)
        on_google = cli("run", "--once", "--workspace", remote, "--today", day)
        assert on_files.exit_code == on_google.exit_code == 1  # the one missing sheet
        assert what_users_see(on_google) == [
            told_on_google(line) for line in what_users_see(on_files)
        ]
    # The missing sheet, on files a file the province cannot find (told to the province only),
    # is on Google the unit's own sheet gone from Drive: the unit is told, as it can act on it
    on_files_sent = {p.name for p in (local / "outbox").glob("*.eml")}
    on_google_sent = {p.name for p in (remote / "outbox").glob("*.eml")}
    assert on_files_sent < on_google_sent
    assert [name.split("-")[:2] for name in on_google_sent - on_files_sent] == [["CA", "TP"]]
    books = [openpyxl.load_workbook(w / "reports" / "tong-hop-2026.xlsx") for w in (local, remote)]
    for tab in ("Theo lĩnh vực", "Danh sách mô hình", "Lỗi dữ liệu", "Đối chiếu xếp loại"):
        files, google = ([[c.value for c in row] for row in b[tab].iter_rows()] for b in books)
        if tab == "Lỗi dữ liệu":  # the missing sheet's message names the backend's own place
            files, google = ([r[:5] for r in rows] for rows in (files, google))
        assert google == files, tab

    # Kết quả and the consolidation show proposals and decisions; the audit tab lists exactly
    # the models whose Kết quả shows a decided level other than the proposed one.
    headers = list(load("unit").section("models").headers)
    proposed, decided = headers.index("Xếp loại đề xuất"), headers.index("Xếp loại được công nhận")
    differing = []
    for unit in sorted((local / "units").glob("*.xlsx")):
        for row in read_tabs(unit)["Kết quả"]:
            if len(row) > decided and row[decided] in LEVELS and row[decided] != row[proposed]:
                differing.append((unit.stem.upper(), row[0], row[proposed], row[decided]))
    for book in books:
        audit = [list(r) for r in book["Đối chiếu xếp loại"].iter_rows(min_row=3, values_only=True)]
        assert sorted((r[0], r[2], r[4], r[5]) for r in audit) == sorted(differing)
        assert sum("Công nhận cao hơn mức tiêu chí" in str(r[7]) for r in audit) == 1
    assert len(differing) == 2
    # the drafted report opens on both, with the workbook's totals
    for root, book in zip((local, remote), books, strict=True):
        document = docx.Document(str(root / "reports" / "bao-cao-2026.docx"))
        table = next(t for t in document.tables if t.rows[0].cells[0].text == "Lĩnh vực")
        in_word = [[c.text for c in row.cells] for row in table.rows]
        fields = [[str(c.value) for c in row] for row in book["Theo lĩnh vực"].iter_rows(min_row=2)]
        assert in_word == fields
