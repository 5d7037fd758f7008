"""The registry of units (SPEC §5): every problem row is told on the CLI, in the consolidated
workbook and by the exit status; no unit is dropped in silence."""

from __future__ import annotations

from collections.abc import Callable
from email import message_from_bytes
from email.policy import default
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import Result

from tests.conftest import good_unit
from worker.adapters.xlsx.workbook import write_workbook
from worker.core.cells import CellProblem, parse_emails
from worker.core.layout import load

Cli = Callable[..., Result]


def registry_row(unit_id: str, emails: str, sheet: str = "") -> dict[str, Any]:
    return {
        "unit_id": unit_id,
        "name": f"Công an xã {unit_id or '(chưa có mã)'}",
        "level": "Xã",
        "emails": emails,
        "sheet": sheet or f"units/{unit_id.lower()}.xlsx",
        "active": "Có",
    }


@pytest.fixture
def bad_registry(workspace: Callable[..., Path]) -> Path:
    """U1 good; U2 with a bad email; U1 again; a row without an ID."""
    root = workspace(("U1", good_unit(1), "a@example.gov.vn"), ("U2", good_unit(1), ""))
    rows = [
        registry_row("U1", "a@example.gov.vn"),
        registry_row("U2", "abc@"),
        registry_row("U1", "d@example.gov.vn", "units/u2.xlsx"),
        registry_row("", "e@example.gov.vn", "units/u2.xlsx"),
    ]
    write_workbook(root / "registry.xlsx", load("registry"), {"units": rows})
    return root


def test_every_bad_registry_row_is_told_on_the_cli_and_the_exit_status_is_1(
    bad_registry: Path, cli: Cli
) -> None:
    result = cli("run", "--once", "--workspace", bad_registry, "--today", "2026-10-29")
    assert result.exit_code == 1, result.output
    lines = [line for line in result.output.splitlines() if "Danh mục đơn vị" in line]
    assert lines == [
        "Danh mục đơn vị: 3 dòng có lỗi, các đơn vị này chưa được đọc (sửa danh mục rồi chạy lại)",
        "  ! Danh mục đơn vị, ô E3: “abc@” không phải địa chỉ email hợp lệ — nhập địa chỉ dạng "
        "ten@donvi.gov.vn, nhiều địa chỉ cách nhau bằng ;",
        "  ! Danh mục đơn vị, ô A4: “U1” mã đơn vị trùng với dòng 2 — mỗi đơn vị dùng một "
        "mã riêng; đổi mã hoặc xóa dòng trùng",
        "  ! Danh mục đơn vị, ô A5: ô bắt buộc đang trống — nhập Mã đơn vị",
    ]
    assert "Kết quả" in openpyxl.load_workbook(bad_registry / "units" / "u1.xlsx").sheetnames


def test_sync_alone_exits_1_on_a_bad_registry_row(bad_registry: Path, cli: Cli) -> None:
    result = cli("sync", "--workspace", bad_registry, "--today", "2026-10-29")
    assert result.exit_code == 1
    assert "  ! Danh mục đơn vị, ô E3: “abc@”" in result.output


def test_the_consolidated_unit_summary_has_a_row_for_every_bad_registry_row(
    bad_registry: Path, cli: Cli
) -> None:
    cli("run", "--once", "--workspace", bad_registry, "--today", "2026-11-16")
    wb = openpyxl.load_workbook(bad_registry / "reports" / "tong-hop-2026.xlsx")
    head, *units = wb["Tổng hợp đơn vị"].iter_rows(min_row=2, values_only=True)
    errors_at, status_at = head.index("Lỗi dữ liệu"), head.index("Tình trạng bảng tính")
    assert [(u[0], u[3], u[errors_at], u[status_at]) for u in units] == [
        ("U1", 1, 0, "Không có lỗi"),
        ("U2", 0, 1, "Lỗi danh mục"),
        ("U1", 0, 1, "Lỗi danh mục"),
        (None, 0, 1, "Lỗi danh mục"),
        ("Tổng cộng", 1, 3, "1 đọc được; 0 không đọc được; 3 lỗi danh mục"),
    ]
    errors = list(wb["Lỗi dữ liệu"].iter_rows(min_row=3, values_only=True))
    assert [(e[0], e[2], e[3]) for e in errors] == [
        ("U2", "Danh mục đơn vị", "E3"),
        ("U1", "Danh mục đơn vị", "A4"),
        (None, "Danh mục đơn vị", "A5"),
    ]


def test_a_renamed_registry_tab_is_named_with_the_fix(
    workspace: Callable[..., Path], cli: Cli
) -> None:
    root = workspace(("U1", good_unit(1), "a@example.gov.vn"))
    wb = openpyxl.load_workbook(root / "registry.xlsx")
    wb["Danh mục đơn vị"].title = "DS đơn vị"
    wb.save(root / "registry.xlsx")
    result = cli("run", "--once", "--workspace", root, "--today", "2026-10-29")
    assert result.exit_code == 1
    assert (
        "  ! tab Danh mục đơn vị: không tìm thấy tab “Danh mục đơn vị” trong danh mục đơn vị "
        "(các tab hiện có: “DS đơn vị”) — đổi tên tab chứa danh sách đơn vị thành "
        "“Danh mục đơn vị”"
    ) in result.output


def test_an_address_with_a_display_name_is_read_as_the_address(
    workspace: Callable[..., Path], cli: Cli
) -> None:
    root = workspace(
        ("U1", good_unit(1), 'Nguyễn Văn A <a@example.gov.vn>; "Trần, B" <b@example.gov.vn>')
    )
    result = cli("run", "--once", "--workspace", root, "--today", "2026-10-29")
    assert result.exit_code == 0, result.output
    tos = [
        message_from_bytes(p.read_bytes(), policy=default)["To"]  # type: ignore[arg-type]
        for p in (root / "outbox").glob("*.eml")
    ]
    assert "a@example.gov.vn, b@example.gov.vn" in tos


@pytest.mark.parametrize(
    ("text", "read"),
    [
        ("Nguyễn Văn A <a@b.vn>", ("a@b.vn",)),
        ("a@b.vn, <c@d.vn>", ("a@b.vn", "c@d.vn")),
        ('"Trần, B" <b@b.vn>; x@y.vn', ("b@b.vn", "x@y.vn")),
    ],
    ids=["display_name", "bare_angle_brackets", "quoted_comma"],
)
def test_addresses_with_display_names_are_accepted(text: str, read: tuple[str, ...]) -> None:
    assert parse_emails(text) == read


@pytest.mark.parametrize("text", ["abc@", "Nguyễn Văn A <abc@>", "a@b.vn c@d.vn", "<a@b.vn"])
def test_a_bad_address_is_refused_with_the_fix(text: str) -> None:
    with pytest.raises(CellProblem) as refused:
        parse_emails(text)
    assert refused.value.code == "bad_email"
