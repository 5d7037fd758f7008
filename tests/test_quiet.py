"""A unit whose sheet has not changed since the last run is not opened (issue 20): its result is
the one kept at its last read, and nothing the run makes differs from a run that read it."""

from __future__ import annotations

import io
import json
import os
import pickle
import shutil
import sqlite3
import zipfile
import zlib
from collections.abc import Callable
from datetime import date, datetime, time
from email import message_from_bytes
from email.policy import default
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from click.testing import Result

from tests.conftest import good_unit
from worker.adapters.xlsx.read import read_tabs
from worker.adapters.xlsx.workbook import write_workbook
from worker.core.layout import load
from worker.run import unchanged

Cli = Callable[..., Result]
TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def last_sync(root: Path) -> dict[str, Any]:
    """What the last sync recorded: its outcomes, and how many sheets it opened."""
    with sqlite3.connect(root / "state.sqlite") as db:
        (summary,) = db.execute(
            "SELECT summary FROM runs WHERE job = 'sync' ORDER BY id DESC LIMIT 1"
        ).fetchone()
    found: dict[str, Any] = json.loads(summary)
    return found


def sync(cli: Cli, root: Path, today: str, *extra: str) -> Result:
    result = cli("sync", "--workspace", root, "--today", today, *extra)
    assert result.exit_code in (0, 1), result.output
    return result


def results_tab(path: Path) -> list[list[Any]]:
    return [list(r) for r in read_tabs(path)["Kết quả"]]


def damage_in_place(path: Path) -> None:
    """Other bytes under the same size, mtime and inode: only a read could tell."""
    before = path.stat()
    with path.open("r+b") as handle:
        handle.write(b"\0" * before.st_size)
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = path.stat()
    assert (after.st_size, after.st_mtime_ns, after.st_ino) == (
        before.st_size,
        before.st_mtime_ns,
        before.st_ino,
    )


@pytest.fixture
def two_units(workspace: Callable[..., Path]) -> Path:
    return workspace(("U1", good_unit(2), "a@x.vn"), ("U2", good_unit(1), "b@x.vn"))


def test_a_sheet_unchanged_since_our_write_is_not_opened_and_force_reads_it(
    two_units: Path, cli: Cli
) -> None:
    first = sync(cli, two_units, "2026-10-29")
    assert "2 cập nhật tab Kết quả" in first.output
    assert last_sync(two_units)["opened"] == 2
    damage_in_place(two_units / "units" / "u1.xlsx")  # the stat recorded after our write
    quiet = sync(cli, two_units, "2026-10-30")
    assert quiet.exit_code == 0, quiet.output
    assert "0 cập nhật tab Kết quả, 2 không đổi" in quiet.output
    assert last_sync(two_units)["opened"] == 0
    forced = sync(cli, two_units, "2026-10-30", "--force")
    assert forced.exit_code == 1  # read: the damage shows
    assert "1 không đọc được" in forced.output
    assert last_sync(two_units)["opened"] == 2


def test_a_sheet_saved_again_is_read_again_and_takes_no_backup_when_nothing_changed(
    two_units: Path, cli: Cli
) -> None:
    sync(cli, two_units, "2026-10-29")
    cli("run", "--once", "--workspace", two_units, "--today", "2026-10-29")
    backups = sorted((two_units / "backups").iterdir())
    path = two_units / "units" / "u2.xlsx"
    later = path.stat().st_mtime_ns + 5_000_000_000
    os.utime(path, ns=(later, later))
    ran = cli("run", "--once", "--workspace", two_units, "--today", "2026-10-29")
    assert ran.exit_code == 0, ran.output
    assert last_sync(two_units)["opened"] == 1
    assert last_sync(two_units)["outcomes"] == {"unchanged": 2}
    # the same ratings, the run log and the results kept: no backup for those
    assert sorted((two_units / "backups").iterdir()) == backups


def test_an_edited_sheet_is_read_and_its_results_written(two_units: Path, cli: Cli) -> None:
    sync(cli, two_units, "2026-10-29")
    rows = good_unit(2)
    rows["targets"][0]["achieved"] = 6  # MH-001: 6 of 10 and 5 of 4 -> 80 %, Khá
    write_workbook(two_units / "units" / "u1.xlsx", load("unit"), rows)
    result = sync(cli, two_units, "2026-10-30")
    assert "1 cập nhật tab Kết quả, 1 không đổi" in result.output
    assert last_sync(two_units)["opened"] == 1
    tab = results_tab(two_units / "units" / "u1.xlsx")
    assert next(r for r in tab if r and r[0] == "MH-001")[6] == "Khá"
    assert sync(cli, two_units, "2026-10-31").exit_code == 0
    assert last_sync(two_units)["opened"] == 0  # our write recorded: quiet again


def test_a_date_not_yet_come_keeps_a_result_for_its_day_only(
    workspace: Callable[..., Path], cli: Cli
) -> None:
    rows = good_unit(1)
    rows["models"][0]["decision_date"] = date(2026, 10, 31)  # not yet come on 29 and 30/10
    root = workspace(("U1", rows, "a@x.vn"), ("U2", good_unit(1), "b@x.vn"))
    sync(cli, root, "2026-10-29")
    assert "ngày chưa tới" in str(results_tab(root / "units" / "u1.xlsx"))
    sync(cli, root, "2026-10-29")
    assert last_sync(root)["opened"] == 0  # the same day: the same result
    sync(cli, root, "2026-10-30")
    assert last_sync(root)["opened"] == 1  # U1 alone: U2's dates have all come
    assert last_sync(root)["outcomes"] == {"unchanged": 2}
    result = sync(cli, root, "2026-10-31")
    assert last_sync(root)["opened"] == 1
    assert "1 cập nhật tab Kết quả, 1 không đổi" in result.output
    assert "ngày chưa tới" not in str(results_tab(root / "units" / "u1.xlsx"))


def test_a_day_before_the_read_reads_again(two_units: Path, cli: Cli) -> None:
    sync(cli, two_units, "2026-10-30")
    sync(cli, two_units, "2026-10-29")  # a date valid on 30/10 may not have come on 29/10
    assert last_sync(two_units)["opened"] == 2


def rename_unit(root: Path) -> None:
    registry = root / "registry.xlsx"
    tab = load("registry").tab("units")
    rows = read_tabs(registry)[tab.name]
    keys = [c.key for c in tab.columns]
    units = [dict(zip(keys, r, strict=False)) for r in rows[1:] if r and r[0]]
    units[0]["name"] = "Công an xã Đổi Tên"
    write_workbook(registry, load("registry"), {"units": units})


def method_share_met(root: Path) -> None:
    config = root / "config.toml"
    text = config.read_text("utf-8").replace(
        'completion_method = "mean_ratio"', 'completion_method = "share_met"'
    )
    assert "share_met" in text
    config.write_text(text, "utf-8")


def rated_last_year(root: Path) -> None:
    with sqlite3.connect(root / "state.sqlite") as db:
        db.execute("INSERT INTO ratings VALUES ('U1', 'MH-001', 2025, 'Tốt')")


@pytest.mark.parametrize(
    ("change", "opened"),
    [(rename_unit, 1), (method_share_met, 2), (rated_last_year, 1)],
    ids=["the_registry_row", "the_completion_method", "the_history_of_last_year"],
)
def test_a_change_of_what_results_depend_on_reads_the_sheets_again(
    two_units: Path, cli: Cli, change: Callable[[Path], None], opened: int
) -> None:
    sync(cli, two_units, "2026-10-29")
    change(two_units)
    sync(cli, two_units, "2026-10-29")
    assert last_sync(two_units)["opened"] == opened


def test_the_registry_name_a_results_tab_shows_is_written_when_it_changes(
    two_units: Path, cli: Cli
) -> None:
    sync(cli, two_units, "2026-10-29")
    rename_unit(two_units)
    result = sync(cli, two_units, "2026-10-29")
    assert "1 cập nhật tab Kết quả, 1 không đổi" in result.output
    assert "Đổi Tên" in results_tab(two_units / "units" / "u1.xlsx")[0][0]


def test_results_kept_by_other_code_are_not_taken(
    two_units: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    sync(cli, two_units, "2026-10-29")
    monkeypatch.setattr(unchanged, "CODE_VERSION", "khac" + unchanged.CODE_VERSION)
    sync(cli, two_units, "2026-10-29")
    assert last_sync(two_units)["opened"] == 2


def test_the_code_version_changes_with_any_module_or_template_of_the_packages(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    package = tmp_path / "goi_thu"
    (package / "con").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "con" / "quy_tac.py").write_text("MUC = 90\n")
    (package / "con" / "mau.toml").write_text('ten = "Kết quả"\n')
    monkeypatch.syspath_prepend(str(tmp_path))
    first = unchanged.hash_sources(("goi_thu",))
    (package / "con" / "__pycache__").mkdir()
    (package / "con" / "__pycache__" / "quy_tac.cpython-311.pyc").write_bytes(b"\0")
    (package / "ghi-chu.txt").write_text("không phải mã")
    assert unchanged.hash_sources(("goi_thu",)) == first  # neither code nor template
    (package / "con" / "mau.toml").write_text('ten = "Kết quả mới"\n')
    second = unchanged.hash_sources(("goi_thu",))
    assert second != first
    (package / "con" / "quy_tac.py").write_text("MUC = 89\n")
    assert unchanged.hash_sources(("goi_thu",)) not in (first, second)


def test_a_backup_keeps_no_results_and_a_restored_state_reads_every_sheet(
    two_units: Path, cli: Cli
) -> None:
    assert cli("run", "--once", "--workspace", two_units, "--today", "2026-10-29").exit_code == 0
    (newest,) = sorted((two_units / "backups").iterdir())
    with sqlite3.connect(newest) as db:
        assert db.execute("SELECT count(*) FROM kept_results").fetchone() == (0,)
    with sqlite3.connect(two_units / "state.sqlite") as db:
        assert db.execute("SELECT count(*) FROM kept_results").fetchone() == (2,)
    (two_units / "state.sqlite").write_bytes(b"hong" * 1000)  # corrupt: restored from backup
    ran = cli("run", "--once", "--workspace", two_units, "--today", "2026-10-30")
    assert ran.exit_code == 0, ran.output
    assert "Đã khôi phục" in ran.output
    assert last_sync(two_units)["opened"] == 2


# Every output of the demo's cycle, run with every sheet read (--force) and with unchanged ones
# kept, at the same pretend instants: the same bytes.
DEMO_DAYS = (
    ("run", date(2026, 10, 29)),  # the first run, reminders 7 days before 05/11
    ("run", date(2026, 10, 30)),  # nothing changed
    ("run", date(2026, 11, 2)),  # reminders 3 days before 05/11
    ("decide", date(2026, 11, 10)),  # two units record their decisions
    ("run", date(2026, 11, 10)),
    ("run", date(2026, 11, 16)),  # the consolidation, its report and email
)


def content(name: str, data: bytes) -> object:
    """What a file says: a workbook or document by its parts (a zip entry's time is the clock's
    at writing), a message by its headers and parts (its MIME boundary is drawn at random)."""
    if name.endswith((".xlsx", ".docx")):
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            return {entry: package.read(entry) for entry in package.namelist()}
    if name.endswith(".eml"):
        message = message_from_bytes(data, policy=default)
        return [
            (
                [(k, v) for k, v in part.items() if k != "Content-Type" or "boundary" not in v],
                None
                if part.is_multipart()
                else content(str(part.get_filename() or ""), part.get_payload(decode=True)),
            )
            for part in message.walk()
        ]
    return data


def outputs(root: Path) -> dict[str, object]:
    return {
        str(p.relative_to(root)): content(p.name, p.read_bytes())
        for folder in ("units", "outbox", "reports")
        for p in sorted((root / folder).rglob("*"))
        if p.is_file()
    }


def demo_cycle(root: Path, cli: Cli, *extra: str) -> list[int]:
    from worker.demo.__main__ import main as decide

    opened = []
    for what, day in DEMO_DAYS:
        with time_machine.travel(datetime.combine(day, time(6, 30), TZ), tick=False):
            if what == "decide":
                decide([str(root), "--today", day.isoformat()])
                continue
            ran = cli("run", "--once", "--workspace", root, "--today", day.isoformat(), *extra)
            assert ran.exit_code in (0, 1), ran.output
            opened.append(last_sync(root)["opened"])
    return opened


def test_every_output_of_the_demo_cycle_is_the_same_whether_unchanged_units_are_read_or_not(
    tmp_path: Path, cli: Cli
) -> None:
    first = tmp_path / "doc-lai"
    assert cli("init", first, "--demo", "--today", "2026-10-29").exit_code == 0
    second = tmp_path / "giu-lai"
    shutil.copytree(first, second)
    read_every_time = demo_cycle(first, cli, "--force")
    kept = demo_cycle(second, cli)
    assert read_every_time == [12] * 5
    # 29/10 all; then only CA-TP (its file missing: never kept), and on 10/11 the two units
    # that recorded decisions
    assert kept == [12, 1, 1, 3, 1]
    made = outputs(first)
    assert len([n for n in made if n.startswith("outbox")]) > 20
    assert {n for n in made if n.startswith("reports")} == {
        "reports/tong-hop-2026.xlsx",
        "reports/bao-cao-2026.docx",
    }
    assert outputs(second) == made


@pytest.mark.parametrize("backend", ["google"])
def test_on_google_a_sheet_listed_at_the_version_it_was_kept_at_is_not_even_evaluated(
    workspace: Callable[..., Path], cli: Cli, fake_google: Any
) -> None:
    root = workspace(*[(f"U{n}", good_unit(2), f"u{n}@x.vn") for n in range(1, 4)])
    sync(cli, root, "2026-10-29")
    assert last_sync(root)["opened"] == 3
    fake_google.calls.clear()
    sync(cli, root, "2026-10-29")
    # our writes made new versions: each sheet is evaluated once more, from the copy our
    # write's answer gave, and kept then (the registry and the listing: no other request)
    assert last_sync(root)["opened"] == 3
    assert fake_google.calls == {"spreadsheets.get": 1, "files.list": 1}
    fake_google.calls.clear()
    sync(cli, root, "2026-10-30")
    assert last_sync(root)["opened"] == 0
    assert fake_google.calls == {"spreadsheets.get": 1, "files.list": 1}
    key = next(k for k, f in fake_google.files.items() if f.title == "Công an xã U2")
    fake_google.edit(key, "Chỉ tiêu", 1, 5, 6)
    result = sync(cli, root, "2026-10-30")
    assert "1 cập nhật tab Kết quả, 2 không đổi" in result.output
    assert last_sync(root)["opened"] == 1


class Planted:
    """What a state edited by hand could hold: a pickle that runs a command when loaded."""

    def __init__(self, mark: Path) -> None:
        self.mark = mark

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return os.system, (f"touch {self.mark}",)


def test_a_kept_result_that_is_not_the_workers_records_is_never_loaded(
    two_units: Path, cli: Cli, tmp_path: Path
) -> None:
    sync(cli, two_units, "2026-10-29")
    mark = tmp_path / "da-chay"
    with sqlite3.connect(two_units / "state.sqlite") as db:
        db.execute(
            "UPDATE kept_results SET result = ? WHERE unit = 'U1'",
            (zlib.compress(pickle.dumps(Planted(mark))),),
        )
    result = sync(cli, two_units, "2026-10-29")
    assert result.exit_code == 0, result.output
    assert last_sync(two_units)["opened"] == 0  # its levels and errors are at hand
    # a digest needs the whole result: what was kept is refused, and the sheet read instead
    reminded = cli("remind", "--workspace", two_units, "--today", "2026-10-29")
    assert reminded.exit_code == 0, reminded.output
    assert "3 thư mới" in reminded.output
    assert not mark.exists()
    with sqlite3.connect(two_units / "state.sqlite") as db:
        (body,) = db.execute("SELECT message FROM emails WHERE unit = 'U1'").fetchone()
    assert (
        "MH-002"
        in message_from_bytes(zlib.decompress(body), policy=default)
        .get_body(("plain",))
        .get_content()
    )
