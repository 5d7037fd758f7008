"""Every promise the README makes of a spreadsheet backend, tested on both: .xlsx files in a
workspace folder, and Google Sheets through gspread's real client on the test server.

Each backend has a `Probe`: how a test looks into (and, as a person would, edits) a unit's
sheet, the registry and the published report there. The cases only speak through the probe, the
CLI and the `Backend` protocol's methods, so a case is one promise; every method of the protocol
is held to its promise here.
"""

from __future__ import annotations

import copy
import hashlib
import io
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, Protocol

import docx
import openpyxl
import pytest
from click.testing import Result

from tests.conftest import ACCOUNT, Routes, good_unit
from tests.conftest import REPORTS as DRIVE_REPORTS
from worker.adapters.google.read import sheet_key
from worker.adapters.xlsx.workbook import set_cell
from worker.app.wiring import open_workspace
from worker.core.backend import Document, Part, Published, Report
from worker.core.errors import ConfigError
from worker.core.layout import load
from worker.core.registry import Unit, read_registry
from worker.core.results import Grid
from worker.run.workspace import Workspace

Cli = Callable[..., Result]
RESULTS = load("unit").results_tab or ""
REGISTRY = load("registry").tab("units")
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
    def edit(self, unit: str, tab: str, row: int, col: int, value: str) -> None: ...
    def tab_ids(self, unit: str) -> dict[str, int]: ...
    def requests(self) -> int: ...
    def add_unit(self, row: int, unit: str, emails: str) -> None: ...
    def set_sheet(self, row: int, sheet: str) -> None: ...
    def other_reference(self, unit: str) -> str: ...
    def registry_reference(self) -> str: ...
    def registry_tabs(self) -> list[str]: ...
    def break_registry(self) -> None: ...
    def publish_beyond_the_file(self) -> None: ...
    def report(self, published: Published) -> dict[str, list[list[Any]]]: ...
    def document(self, published: Published) -> bytes: ...
    def headers(self, address: str) -> dict[str, list[Any]]: ...


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

    def edit(self, unit: str, tab: str, row: int, col: int, value: str) -> None:
        wb = openpyxl.load_workbook(self.path(unit))
        wb[tab].cell(row + 1, col + 1).value = value
        wb.save(self.path(unit))

    def tab_ids(self, unit: str) -> dict[str, int]:
        return {}  # a file has no tab IDs for a link to open

    def requests(self) -> int:
        return 0  # files cost no request

    def add_unit(self, row: int, unit: str, emails: str) -> None:
        values = [unit, f"Công an xã {unit}", "Xã", emails, "Có"]
        for column, value in zip("ABCEG", values, strict=True):
            set_cell(self.root / "registry.xlsx", REGISTRY.name, f"{column}{row + 1}", value)

    def set_sheet(self, row: int, sheet: str) -> None:
        set_cell(self.root / "registry.xlsx", REGISTRY.name, f"F{row + 1}", sheet)

    def other_reference(self, unit: str) -> str:
        return f"./units/../units/{unit.lower()}.xlsx"  # the same file, written another way

    def registry_reference(self) -> str:
        return "registry.xlsx"

    def registry_tabs(self) -> list[str]:
        return openpyxl.load_workbook(self.root / "registry.xlsx").sheetnames

    def break_registry(self) -> None:
        (self.root / "registry.xlsx").unlink()

    def publish_beyond_the_file(self) -> None:
        pass  # on this backend the file is the report

    def report(self, published: Published) -> dict[str, list[list[Any]]]:
        wb = openpyxl.load_workbook(published.file)
        return {ws.title: trimmed(ws.iter_rows(values_only=True)) for ws in wb.worksheets}

    def document(self, published: Published) -> bytes:
        assert published.document is not None
        return published.document.read_bytes()

    def headers(self, address: str) -> dict[str, list[Any]]:
        wb = openpyxl.load_workbook(self.root / address)
        return {ws.title: trimmed(ws.iter_rows(max_row=1, values_only=True))[0] for ws in wb}


class GoogleProbe:
    def __init__(self, fake: Any, root: Path) -> None:
        self.fake = fake
        self.root = root

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

    def edit(self, unit: str, tab: str, row: int, col: int, value: str) -> None:
        self.fake.edit(self.key(unit), tab, row, col, value)

    def tab_ids(self, unit: str) -> dict[str, int]:
        return {s.title: s.sheet_id for s in self.fake.files[self.key(unit)].sheets}

    def requests(self) -> int:
        return sum(self.fake.calls.values())

    def _registry(self) -> str:
        (key,) = [k for k, f in self.fake.files.items() if f.title == REGISTRY.name]
        return key

    def add_unit(self, row: int, unit: str, emails: str) -> None:
        values = [unit, f"Công an xã {unit}", "Xã", "", emails, "", "Có"]
        for column, value in enumerate(values):
            self.fake.edit(self._registry(), REGISTRY.name, row, column, value)

    def set_sheet(self, row: int, sheet: str) -> None:
        self.fake.edit(self._registry(), REGISTRY.name, row, 5, sheet)

    def other_reference(self, unit: str) -> str:
        return self.key(unit)  # the bare ID, where the registry holds the sheet's URL

    def registry_reference(self) -> str:
        return f"https://docs.google.com/spreadsheets/d/{self._registry()}/edit"

    def registry_tabs(self) -> list[str]:
        return [sheet.title for sheet in self.fake.files[self._registry()].sheets]

    def break_registry(self) -> None:
        self.fake.broken[self._registry()] = 404  # deleted, or never shared

    def publish_beyond_the_file(self) -> None:
        config = self.root / "config.toml"  # its [google] section is the last
        text = config.read_text("utf-8") + f'reports_folder = "{DRIVE_REPORTS}"\n'
        config.write_text(text, "utf-8")

    def report(self, published: Published) -> dict[str, list[list[Any]]]:
        assert published.link is not None
        key = sheet_key(published.link)
        return {s.title: self.fake.values(key, s.title) for s in self.fake.files[key].sheets}

    def document(self, published: Published) -> bytes:
        assert published.document_link is not None
        key = published.document_link.removeprefix("https://drive.google.com/file/d/")
        return bytes(self.fake.files[key.removesuffix("/view")].content)

    def headers(self, address: str) -> dict[str, list[Any]]:
        key = sheet_key(address)
        return {
            s.title: (self.fake.values(key, s.title) or [[]])[0]
            for s in self.fake.files[key].sheets
        }


@pytest.fixture
def probe(backend: str, request: pytest.FixtureRequest) -> Callable[[Path], Probe]:
    if backend == "google":
        fake = request.getfixturevalue("fake_google")
        return lambda root: GoogleProbe(fake, root)
    return LocalProbe


def trimmed(rows: Iterable[Sequence[Any]]) -> list[list[Any]]:
    """Rows as a person sees them: no empty cells after the last filled one."""
    out = []
    for row in rows:
        cells = list(row)
        while cells and cells[-1] in (None, ""):
            cells.pop()
        out.append(cells)
    return out


def opened(root: Path, routes: Routes) -> Workspace:
    """The workspace as a run opens it, its backend reaching this test's servers."""
    return open_workspace(root, routes.options())


def unit_of(ws: Workspace, unit_id: str) -> Unit:
    units, _ = read_registry(ws.backend.read_registry())
    (unit,) = [u for u in units if u.unit_id == unit_id]
    return unit


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
        "Công nhận cao hơn mức tiêu chí: chưa thu hút được các nguồn lực xã hội hóa"
    )
    assert second["Xếp loại đề xuất"] == "Tốt"
    assert second["Xếp loại được công nhận"] in ("", None)  # no decision recorded


# read_registry


@both
def test_read_registry_gives_the_registrys_tabs(
    workspace: Callable[..., Path], probe: Callable[[Path], Probe], routes: Routes
) -> None:
    root = workspace(("U1", good_unit(1), "a@x.vn"), ("U2", good_unit(1), "b@x.vn; c@x.vn"))
    with opened(root, routes) as ws:
        tabs = ws.backend.read_registry()
    assert list(tabs) == [REGISTRY.name]
    header, *rows = tabs[REGISTRY.name]
    assert header == [c.header for c in REGISTRY.columns]
    assert [(r[0], r[1], r[4]) for r in rows] == [
        ("U1", "Công an xã U1", "a@x.vn"),
        ("U2", "Công an xã U2", "b@x.vn; c@x.vn"),
    ]


@both
def test_a_registry_that_cannot_be_read_is_a_configuration_error(
    workspace: Callable[..., Path], probe: Callable[[Path], Probe], routes: Routes
) -> None:
    root = workspace(("U1", good_unit(1), "a@x.vn"))
    probe(root).break_registry()
    with opened(root, routes) as ws, pytest.raises(ConfigError) as raised:
        ws.backend.read_registry()
    assert str(raised.value).startswith("Không đọc được danh mục đơn vị (")


# tab_ids


@both
def test_tab_ids_are_known_once_the_sheet_is_read_and_cost_no_request(
    workspace: Callable[..., Path], probe: Callable[[Path], Probe], routes: Routes
) -> None:
    root = workspace(("U1", good_unit(1), "a@x.vn"))
    with opened(root, routes) as ws:
        unit = unit_of(ws, "U1")
        before = probe(root).requests()
        assert ws.backend.tab_ids(unit) == {}  # nothing read, nothing kept
        assert probe(root).requests() == before
        ws.backend.read_unit(unit)
        read = probe(root).requests()
        assert ws.backend.tab_ids(unit) == probe(root).tab_ids("U1")
        assert probe(root).requests() == read


@both
def test_tab_ids_are_kept_with_what_was_read_for_the_next_run(
    workspace: Callable[..., Path], cli: Cli, probe: Callable[[Path], Probe], routes: Routes
) -> None:
    root = workspace(("U1", good_unit(1), "a@x.vn"))
    sync(cli, root)  # reads the sheet and adds its Kết quả tab
    with opened(root, routes) as ws:
        unit = unit_of(ws, "U1")
        before = probe(root).requests()
        assert ws.backend.tab_ids(unit) == probe(root).tab_ids("U1")
        assert probe(root).requests() == before


# after_writes and notices


def results_grid() -> Grid:
    return Grid([["Mã mô hình", "Tên mô hình"], ["MH-001", "Tổ tự quản thôn 1"]], headers={0})


@both
def test_what_a_run_wrote_is_what_the_next_run_reads(
    workspace: Callable[..., Path], probe: Callable[[Path], Probe], routes: Routes
) -> None:
    root = workspace(("U1", good_unit(1), "a@x.vn"))
    with opened(root, routes) as ws:
        assert ws.backend.notices == []
        unit = unit_of(ws, "U1")
        read = dict(ws.backend.read_unit(unit))
        ws.backend.write_results(unit, results_grid())
        ws.backend.after_writes([unit])
        assert ws.backend.notices == []  # nothing went wrong beyond the unit
    with opened(root, routes) as ws:
        again = dict(ws.backend.read_unit(unit_of(ws, "U1")))
    assert trimmed(again.pop(RESULTS)) == results_grid().rows
    assert again == read


@both
def test_an_edit_made_while_the_run_wrote_is_read_by_the_next_run(
    workspace: Callable[..., Path], probe: Callable[[Path], Probe], routes: Routes
) -> None:
    root = workspace(("U1", good_unit(1), "a@x.vn"))
    with opened(root, routes) as ws:
        unit = unit_of(ws, "U1")
        ws.backend.read_unit(unit)
        ws.backend.write_results(unit, results_grid())
        probe(root).edit("U1", "Mô hình", 1, 1, "Tổ tự quản thôn Mới")  # the unit, meanwhile
        ws.backend.after_writes([unit])
    with opened(root, routes) as ws:
        again = ws.backend.read_unit(unit_of(ws, "U1"))
    assert again["Mô hình"][1][1] == "Tổ tự quản thôn Mới"
    assert trimmed(again[RESULTS]) == results_grid().rows


@both
def test_after_writes_with_nothing_written_changes_nothing_and_costs_nothing(
    workspace: Callable[..., Path], probe: Callable[[Path], Probe], routes: Routes
) -> None:
    root = workspace(("U1", good_unit(1), "a@x.vn"))
    with opened(root, routes) as ws:
        unit = unit_of(ws, "U1")
        ws.backend.read_unit(unit)
        before, version = probe(root).requests(), probe(root).version("U1")
        ws.backend.after_writes([unit])
        assert (probe(root).requests(), probe(root).version("U1")) == (before, version)


# sheet_version and written_version


@both
def test_the_sheet_version_changes_with_an_edit_and_costs_no_read(
    workspace: Callable[..., Path], probe: Callable[[Path], Probe], routes: Routes
) -> None:
    root = workspace(("U1", good_unit(1), "a@x.vn"))
    with opened(root, routes) as ws:
        unit = unit_of(ws, "U1")
        first = ws.backend.sheet_version(unit)
        assert first is not None and ws.backend.sheet_version(unit) == first
        assert ws.backend.tab_ids(unit) == {}  # the sheet was not read
    probe(root).edit("U1", "Mô hình", 1, 1, "Tổ tự quản thôn Mới")
    with opened(root, routes) as ws:
        assert ws.backend.sheet_version(unit_of(ws, "U1")) not in (None, first)


@both
def test_the_version_our_write_left_is_told_only_when_the_backend_can_tell_it(
    workspace: Callable[..., Path], probe: Callable[[Path], Probe], routes: Routes, backend: str
) -> None:
    root = workspace(("U1", good_unit(1), "a@x.vn"), ("U2", good_unit(1), "b@x.vn"))
    with opened(root, routes) as ws:
        u1, u2 = unit_of(ws, "U1"), unit_of(ws, "U2")
        read1, read2 = ws.backend.sheet_version(u1), ws.backend.sheet_version(u2)
        assert read1 is not None and read2 is not None
        ws.backend.read_unit(u1)
        ws.backend.read_unit(u2)
        ws.backend.write_results(u1, results_grid())
        probe(root).edit("U2", "Mô hình", 1, 1, "Tổ tự quản thôn Mới")  # the unit, meanwhile
        ws.backend.write_results(u2, results_grid())
        ws.backend.after_writes([u1, u2])
        written = ws.backend.written_version(u1, read1)
        # an edit between the read and the write: never taken for what was read
        assert ws.backend.written_version(u2, read2) is None
    with opened(root, routes) as ws:
        now = ws.backend.sheet_version(unit_of(ws, "U1"))
    if backend == "local":
        assert written == now != read1  # the file as our write left it
    else:
        assert written is None  # Drive's version does not tell our write from an edit


# publish_report

TABS = [
    (
        "Theo lĩnh vực",
        Grid(
            [["Tổng hợp năm 2026"], ["Lĩnh vực", "Số mô hình"], ["Quốc phòng - an ninh", 2]],
            titles={0},
            headers={1},
            head=2,
        ),
    ),
    ("Danh sách mô hình", Grid([["Mã", "Tên"], ["MH-001", EVIL]], headers={0})),
]
DOCUMENT = Document(
    name="bao-cao-2026",
    title="Báo cáo kết quả xây dựng, nhân rộng mô hình, điển hình năm 2026",
    issuer="BAN CHỈ ĐẠO TỈNH THỬ",
    place="Tỉnh Thử",
    parts=[Part("I. Kết quả", ["Có 2 mô hình."], [["Lĩnh vực", "Số"], ["Quốc phòng", "2"]])],
)


@both
@pytest.mark.parametrize("drafted", [False, True], ids=["workbook", "with_annual_report"])
def test_publish_report_keeps_the_workbook_and_publishes_its_tabs(
    workspace: Callable[..., Path], probe: Callable[[Path], Probe], routes: Routes, drafted: bool
) -> None:
    root = workspace(("U1", good_unit(1), "a@x.vn"))
    probe(root).publish_beyond_the_file()
    report = Report("tong-hop-2026", "Tổng hợp 2026", TABS, document=DOCUMENT if drafted else None)
    with opened(root, routes) as ws:
        published = ws.backend.publish_report(report)
    assert published.problem == ""
    assert published.file == root / "reports" / "tong-hop-2026.xlsx"
    assert openpyxl.load_workbook(published.file).sheetnames == [t for t, _ in TABS]
    where = probe(root).report(published)  # the file, or the spreadsheet it is published as
    assert list(where) == [t for t, _ in TABS]
    assert where == {t: g.rows for t, g in TABS}
    if drafted:
        assert published.document == root / "reports" / "bao-cao-2026.docx"
        lines = [
            p.text for p in docx.Document(io.BytesIO(probe(root).document(published))).paragraphs
        ]
        assert DOCUMENT.title in lines and "Có 2 mô hình." in lines
    else:
        assert (published.document, published.document_link) == (None, None)


# provision


@both
def test_provision_lays_a_sheet_out_as_the_template_says_and_registers_it(
    workspace: Callable[..., Path], probe: Callable[[Path], Probe], routes: Routes
) -> None:
    root = workspace(("U1", good_unit(1), "a@x.vn"))
    probe(root).add_unit(2, "U2", "b@x.vn")
    with opened(root, routes) as ws:
        unit = unit_of(ws, "U2")
        assert unit.sheet == ""
        address = ws.backend.provision(unit)
        registered = unit_of(ws, "U2")
        tabs = ws.backend.read_unit(registered)
    assert registered.sheet == address
    template = [(tab.name, [c.header for c in tab.columns]) for tab in load("unit").tabs]
    laid_out = [(t, h) for t, h in probe(root).headers(address).items() if t != RESULTS]
    assert laid_out == template
    assert [(t, rows[0]) for t, rows in tabs.items() if t != RESULTS] == template  # read back
    assert [row for rows in tabs.values() for row in trimmed(rows[1:]) if row] == []  # blank


@both
def test_two_registry_rows_on_one_sheet_are_both_set_aside_and_nothing_is_written_there(
    workspace: Callable[..., Path], cli: Cli, probe: Callable[[Path], Probe]
) -> None:
    root = workspace(
        ("U1", good_unit(1), "a@x.vn"),
        ("U2", good_unit(1), "b@x.vn"),
        ("U3", good_unit(1), "c@x.vn"),
    )
    p = probe(root)
    p.set_sheet(2, p.other_reference("U1"))  # U2's row names U1's sheet, written another way
    before = p.version("U1")
    result = sync(cli, root)
    assert result.exit_code == 1
    assert ("  ! Danh mục đơn vị, ô F2 — U1 Công an xã U1 (chưa được đọc): “") in result.output
    assert (
        "dòng 3 (U2 Công an xã U2) cũng ghi bảng tính này: kết quả của đơn vị này sẽ ghi đè kết "
        "quả của đơn vị kia, nên các dòng này đều chưa được đọc — mỗi đơn vị một bảng tính "
        "riêng: sửa cột Bảng tính của các dòng này"
    ) in result.output
    assert "ô F3 — U2 Công an xã U2 (chưa được đọc)" in result.output
    assert "dòng 2 (U1 Công an xã U1) cũng ghi bảng tính này" in result.output
    assert "Đơn vị: 1 đang hoạt động, 1 cập nhật tab Kết quả" in result.output  # U3
    assert p.version("U1") == before


@both
def test_a_registry_row_on_the_registry_itself_is_set_aside_and_nothing_is_written_there(
    workspace: Callable[..., Path], cli: Cli, probe: Callable[[Path], Probe]
) -> None:
    root = workspace(("U1", good_unit(1), "a@x.vn"), ("U2", good_unit(1), "b@x.vn"))
    p = probe(root)
    p.set_sheet(2, p.registry_reference())
    tabs = p.registry_tabs()
    result = sync(cli, root)
    assert result.exit_code == 1
    assert "ô F3 — U2 Công an xã U2 (chưa được đọc)" in result.output
    assert "danh mục đơn vị, không phải bảng tính của đơn vị" in result.output
    assert p.registry_tabs() == tabs
