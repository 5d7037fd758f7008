"""Every promise the README makes of a spreadsheet backend, tested on both: .xlsx files in a
workspace folder, and Google Sheets through gspread's real client on the test server.

Each backend has a `Probe`: how a test looks into (and, as a person would, edits) a unit's
sheet there. The cases only speak through the probe and the CLI, so a case is one promise.
"""

from __future__ import annotations

import copy
import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

import openpyxl
import pytest
from click.testing import Result

from tests.conftest import ACCOUNT, good_unit
from worker.core.layout import load

Cli = Callable[..., Result]
RESULTS = load("unit").results_tab or ""
EVIL = '=HYPERLINK("http://x.invalid","bấm")'
both = pytest.mark.parametrize("backend", ["local", "google"])


class Probe(Protocol):
    def results(self, unit: str) -> list[list[Any]]: ...
    def titles(self, unit: str) -> list[str]: ...
    def formulas(self, unit: str) -> list[str]: ...
    def protected(self, unit: str) -> int: ...
    def version(self, unit: str) -> object: ...
    def others(self, unit: str) -> object: ...
    def edit_results(self, unit: str, row: int, col: int, value: str) -> None: ...
    def rename_results(self, unit: str, title: str) -> None: ...


class LocalProbe:
    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, unit: str) -> Path:
        return self.root / "units" / f"{unit.lower()}.xlsx"

    def _results(self, wb: Any) -> Any:
        (ws,) = [ws for ws in wb.worksheets if ws.title == RESULTS]
        return ws

    def results(self, unit: str) -> list[list[Any]]:
        wb = openpyxl.load_workbook(self.path(unit))
        return [list(r) for r in self._results(wb).iter_rows(values_only=True)]

    def titles(self, unit: str) -> list[str]:
        return list(openpyxl.load_workbook(self.path(unit), read_only=True).sheetnames)

    def formulas(self, unit: str) -> list[str]:
        wb = openpyxl.load_workbook(self.path(unit))
        return [
            c.coordinate for r in self._results(wb).iter_rows() for c in r if c.data_type == "f"
        ]

    def protected(self, unit: str) -> int:
        return int(self._results(openpyxl.load_workbook(self.path(unit))).protection.sheet)

    def version(self, unit: str) -> object:
        path = self.path(unit)
        return path.stat().st_mtime_ns, hashlib.sha256(path.read_bytes()).hexdigest()

    def others(self, unit: str) -> object:
        wb = openpyxl.load_workbook(self.path(unit))
        return {
            ws.title: [(c.coordinate, c.value, c.data_type) for r in ws.iter_rows() for c in r]
            for ws in wb.worksheets
            if ws.title != RESULTS
        }

    def edit_results(self, unit: str, row: int, col: int, value: str) -> None:
        wb = openpyxl.load_workbook(self.path(unit))
        self._results(wb).cell(row + 1, col + 1).value = value  # protection lifted by hand
        wb.save(self.path(unit))

    def rename_results(self, unit: str, title: str) -> None:
        wb = openpyxl.load_workbook(self.path(unit))
        self._results(wb).title = title
        wb.save(self.path(unit))


class GoogleProbe:
    def __init__(self, fake: Any) -> None:
        self.fake = fake

    def key(self, unit: str) -> str:
        (key,) = [k for k, f in self.fake.files.items() if f.title == f"Công an xã {unit}"]
        return key

    def _results(self, unit: str) -> Any:
        return self.fake.files[self.key(unit)].by_title(RESULTS)

    def results(self, unit: str) -> list[list[Any]]:
        return self.fake.values(self.key(unit), RESULTS)

    def titles(self, unit: str) -> list[str]:
        return [s.title for s in self.fake.files[self.key(unit)].sheets]

    def formulas(self, unit: str) -> list[str]:
        cells = self._results(unit).cells
        return [
            f"{r},{c}" for (r, c), v in cells.items() if "formulaValue" in v["userEnteredValue"]
        ]

    def protected(self, unit: str) -> int:
        ranges = self._results(unit).protected
        return sum(ACCOUNT in p["editors"]["users"] for p in ranges)

    def version(self, unit: str) -> object:
        return self.fake.files[self.key(unit)].modified

    def others(self, unit: str) -> object:
        sheets = self.fake.files[self.key(unit)].sheets
        return [copy.deepcopy(s) for s in sheets if s.title != RESULTS]

    def edit_results(self, unit: str, row: int, col: int, value: str) -> None:
        self.fake.edit(self.key(unit), RESULTS, row, col, value)  # the owner may edit it

    def rename_results(self, unit: str, title: str) -> None:
        with self.fake.lock:
            self._results(unit).title = title
            self.fake.touch(self.fake.files[self.key(unit)])


@pytest.fixture
def probe(backend: str, request: pytest.FixtureRequest) -> Callable[[Path], Probe]:
    if backend == "google":
        fake = request.getfixturevalue("fake_google")
        return lambda root: GoogleProbe(fake)
    return LocalProbe


def sync(cli: Cli, root: Path) -> Result:
    return cli("sync", "--workspace", root, "--today", "2026-10-29")


def row_of(rows: list[list[Any]], model_id: str) -> int:
    return next(i for i, r in enumerate(rows) if r and r[0] == model_id)


@both
def test_an_unreadable_sheet_is_reported_for_that_unit_and_the_others_go_on(
    workspace: Callable[..., Path], cli: Cli, probe: Callable[[Path], Probe]
) -> None:
    root = workspace(("U1", good_unit(1), "a@x.vn"), ("U2", None, "b@x.vn"))
    result = sync(cli, root)
    assert result.exit_code == 1
    assert "1 cập nhật tab Kết quả" in result.output
    assert "1 không đọc được" in result.output
    assert "! U2 Công an xã U2:" in result.output
    assert probe(root).results("U1")[row_of(probe(root).results("U1"), "MH-001")][6] == "Tốt"


@both
def test_text_from_units_is_written_as_text_never_as_a_formula(
    workspace: Callable[..., Path], cli: Cli, probe: Callable[[Path], Probe]
) -> None:
    rows = good_unit(1)
    rows["models"][0]["name"] = EVIL
    root = workspace(("U1", rows, "a@x.vn"))
    sync(cli, root)
    results = probe(root).results("U1")
    assert results[row_of(results, "MH-001")][1] == EVIL
    assert probe(root).formulas("U1") == []


@both
def test_the_results_tab_is_protected_once(
    workspace: Callable[..., Path], cli: Cli, probe: Callable[[Path], Probe]
) -> None:
    root = workspace(("U1", good_unit(1), "a@x.vn"))
    sync(cli, root)
    assert probe(root).protected("U1") == 1


@both
def test_an_unchanged_result_is_not_rewritten(
    workspace: Callable[..., Path], cli: Cli, probe: Callable[[Path], Probe]
) -> None:
    root = workspace(("U1", good_unit(2), "a@x.vn"))
    sync(cli, root)
    before = probe(root).version("U1")
    result = sync(cli, root)
    assert "0 cập nhật tab Kết quả, 1 không đổi" in result.output
    assert probe(root).version("U1") == before


@both
def test_a_hand_edited_results_tab_is_repaired(
    workspace: Callable[..., Path], cli: Cli, probe: Callable[[Path], Probe]
) -> None:
    root = workspace(("U1", good_unit(2), "a@x.vn"))
    sync(cli, root)
    row = row_of(probe(root).results("U1"), "MH-001")
    probe(root).edit_results("U1", row, 6, "Tốt lắm")
    result = sync(cli, root)
    assert "1 cập nhật tab Kết quả" in result.output
    assert probe(root).results("U1")[row][6] == "Tốt"
    assert probe(root).protected("U1") == 1


@both
@pytest.mark.parametrize("title", ["KẾT QUẢ", " kết quả ", "Kết quả cũ"])
def test_a_results_tab_renamed_or_retyped_is_found_not_duplicated(
    workspace: Callable[..., Path], cli: Cli, probe: Callable[[Path], Probe], title: str
) -> None:
    root = workspace(("U1", good_unit(2), "a@x.vn"))
    sync(cli, root)
    titles = probe(root).titles("U1")
    probe(root).rename_results("U1", title)
    for _ in range(2):
        sync(cli, root)
    assert probe(root).titles("U1") == titles  # renamed back, in its place, not added again
    assert probe(root).protected("U1") == 1


@both
def test_nothing_but_the_results_tab_is_written(
    workspace: Callable[..., Path], cli: Cli, probe: Callable[[Path], Probe]
) -> None:
    rows = good_unit(2)
    rows["models"][1]["note"] = "=1+1"
    root = workspace(("U1", rows, "a@x.vn"))
    before = probe(root).others("U1")
    sync(cli, root)
    probe(root).edit_results("U1", 5, 1, "sửa tay")
    sync(cli, root)
    assert probe(root).others("U1") == before


@both
def test_the_results_tab_shows_the_proposal_and_the_decision(
    workspace: Callable[..., Path], cli: Cli, probe: Callable[[Path], Probe]
) -> None:
    rows = good_unit(2)
    rows["assessments"][0].update(socialised="", decided_level="Tốt", decided_no="45/QĐ-UBND")
    root = workspace(("U1", rows, "a@x.vn"))
    sync(cli, root)
    results = probe(root).results("U1")
    headers = list(load("unit").section("models").headers)
    first = dict(zip(headers, results[row_of(results, "MH-001")], strict=False))
    second = dict(zip(headers, results[row_of(results, "MH-002")], strict=False))
    assert (first["Xếp loại đề xuất"], first["Xếp loại được công nhận"]) == ("Khá", "Tốt")
    assert first["Đối chiếu với tiêu chí"] == (
        "Công nhận cao hơn tiêu chí: chưa thu hút được các nguồn lực xã hội hóa"
    )
    assert second["Xếp loại đề xuất"] == "Tốt"
    assert second["Xếp loại được công nhận"] in ("", None)  # no decision recorded
