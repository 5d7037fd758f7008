"""Workbooks as other programs make them (tests/fixtures/: XlsxWriter and LibreOffice, with
pictures, a chart, comments, merged cells, a hidden sheet, defined names, x14 dropdowns,
formulas with cached values, an autofilter, a protected tab) go through syncs unharmed."""

from __future__ import annotations

import re
import shutil
import zipfile
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
from click.testing import Result
from python_calamine import CalamineWorkbook

from tests.conftest import good_unit
from tests.test_xlsx_write import BOOKKEEPING  # the parts a write may change
from worker.adapters.xlsx.workbook import set_cell

FIXTURES = Path(__file__).parent / "fixtures"
Cli = Callable[..., Result]


def parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {name: z.read(name) for name in z.namelist()}


def ratings(output: str) -> str:
    found = re.search(r"Xếp loại: .*", output)
    assert found, output
    return found.group(0)


@pytest.mark.parametrize("fixture", ["xlsxwriter-unit.xlsx", "libreoffice-unit.xlsx"])
def test_three_syncs_leave_every_other_part_byte_identical_and_the_ratings_stable(
    workspace: Callable[..., Path], cli: Cli, fixture: str
) -> None:
    root = workspace(("U1", good_unit(1), "a@x.vn"))
    unit = root / "units" / "u1.xlsx"
    shutil.copy(FIXTURES / fixture, unit)
    original = parts(unit)
    outputs = []
    # Three dates, three writes: 2026, then 2027 after the rollover, then 2026 again.
    for today in ("2026-10-29", "2026-12-05", "2026-10-30"):
        outputs.append(cli("sync", "--workspace", root, "--today", today).output)
        assert "1 cập nhật tab Kết quả" in outputs[-1], outputs[-1]
    again = cli("sync", "--workspace", root, "--today", "2026-10-30").output
    assert "0 cập nhật tab Kết quả, 1 không đổi" in again
    assert ratings(outputs[0]) == ratings(outputs[2]) == ratings(again)
    assert "Tốt 1 · Khá 1 · Trung bình 1" in ratings(again)  # the cached =SUM results count
    written = parts(unit)
    kept = {n for n in original if n not in BOOKKEEPING and n in written}
    changed = sorted(n for n in kept if written[n] != original[n])
    assert changed == []
    assert [n for n in original if n not in written] == []  # nothing of the unit's dropped
    added = sorted(set(written) - set(original))
    assert len(added) == 1 and added[0].startswith("xl/worksheets/")  # only Kết quả's part
    wb = openpyxl.load_workbook(unit, read_only=True)  # it opens (openpyxl warns of the x14)
    assert "Kết quả" in wb.sheetnames
    with CalamineWorkbook.from_path(str(unit)) as calamine:
        assert calamine.sheet_names == wb.sheetnames
    wb.close()


def test_a_workbook_saved_by_libreoffice_reads_without_a_data_error(
    workspace: Callable[..., Path], cli: Cli
) -> None:
    root = workspace(("U1", good_unit(1), "a@x.vn"))
    shutil.copy(FIXTURES / "libreoffice-unit.xlsx", root / "units" / "lo.xlsx")
    set_cell(root / "registry.xlsx", "Danh mục đơn vị", "F2", "units/lo.xlsx")
    result = cli("sync", "--workspace", root, "--today", "2026-10-29")
    assert result.exit_code == 0, result.output
    assert "Lỗi dữ liệu: 0" in result.output


@pytest.mark.parametrize(
    ("fixture", "said"),
    [
        ("truncated-unit.xlsx", "tệp u2.xlsx bị hỏng hoặc không phải tệp .xlsx"),
        ("encrypted-unit.xlsx", "tệp u2.xlsx được đặt mật khẩu"),
    ],
    ids=["truncated", "password"],
)
def test_a_damaged_workbook_among_good_units_is_reported_and_the_others_are_done(
    workspace: Callable[..., Path], cli: Cli, fixture: str, said: str
) -> None:
    root = workspace(*[(f"U{n}", good_unit(1), f"u{n}@x.vn") for n in (1, 2, 3)])
    shutil.copy(FIXTURES / fixture, root / "units" / "u2.xlsx")
    result = cli("run", "--once", "--workspace", root, "--today", "2026-10-29")
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert "2 cập nhật tab Kết quả" in result.output
    assert f"! U2 Công an xã U2: {said}" in result.output
