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


def test_every_bad_registry_row_is_told_on_the_cli_with_its_unit_and_the_exit_status_is_1(
    bad_registry: Path, cli: Cli
) -> None:
    result = cli("run", "--once", "--workspace", bad_registry, "--today", "2026-10-29")
    assert result.exit_code == 1, result.output
    lines = [line for line in result.output.splitlines() if "Danh mục đơn vị" in line]
    assert lines == [
        "Danh mục đơn vị: 4 lỗi; 3 dòng chưa được đọc; 1 đơn vị đã đọc, xếp loại nhưng chưa "
        "được gửi thư (sửa danh mục rồi chạy lại)",
        "  ! Danh mục đơn vị, ô A2 — U1 Công an xã U1 (chưa được đọc): “U1” mã đơn vị trùng "
        "với dòng 4: chưa biết dòng nào là của đơn vị — mỗi đơn vị dùng một mã riêng; đổi mã "
        "hoặc xóa dòng trùng",
        "  ! Danh mục đơn vị, ô E3 — U2 Công an xã U2 (chưa gửi thư cho đơn vị): “abc@” không "
        "phải địa chỉ email hợp lệ — nhập địa chỉ dạng ten@donvi.gov.vn, nhiều địa chỉ cách "
        "nhau bằng ;",
        "  ! Danh mục đơn vị, ô A4 — U1 Công an xã U1 (chưa được đọc): “U1” mã đơn vị trùng "
        "với dòng 2: chưa biết dòng nào là của đơn vị — mỗi đơn vị dùng một mã riêng; đổi mã "
        "hoặc xóa dòng trùng",
        "  ! Danh mục đơn vị, ô A5 — Công an xã (chưa có mã) (chưa được đọc): ô bắt buộc đang "
        "trống — nhập Mã đơn vị",
    ]
    # U2's bad address withholds its mail only: its sheet is read and written all the same;
    # the code two rows share is read on neither
    assert "Kết quả" in openpyxl.load_workbook(bad_registry / "units" / "u2.xlsx").sheetnames
    assert "Kết quả" not in openpyxl.load_workbook(bad_registry / "units" / "u1.xlsx").sheetnames


def test_sync_alone_exits_1_on_a_bad_registry_row(bad_registry: Path, cli: Cli) -> None:
    result = cli("sync", "--workspace", bad_registry, "--today", "2026-10-29")
    assert result.exit_code == 1
    assert "  ! Danh mục đơn vị, ô E3 — U2 Công an xã U2 (chưa gửi thư cho đơn vị): “abc@”" in (
        result.output
    )


def test_the_consolidated_unit_summary_has_a_row_for_every_bad_registry_row(
    bad_registry: Path, cli: Cli
) -> None:
    cli("run", "--once", "--workspace", bad_registry, "--today", "2026-11-16")
    wb = openpyxl.load_workbook(bad_registry / "reports" / "tong-hop-2026.xlsx")
    head, *units = wb["Tổng hợp đơn vị"].iter_rows(min_row=2, values_only=True)
    errors_at, status_at = head.index("Lỗi dữ liệu"), head.index("Tình trạng bảng tính")
    assert [(u[0], u[3], u[errors_at], u[status_at]) for u in units] == [
        ("U2", 1, 0, "Không có lỗi"),
        ("U1", None, 1, "Lỗi danh mục"),  # not read: no count of models, its registry error
        ("U1", None, 1, "Lỗi danh mục"),
        (None, None, 1, "Lỗi danh mục"),
        ("Tổng cộng", 1, 3, "1 đọc được; 0 không đọc được; 3 lỗi danh mục"),
    ]
    errors = list(wb["Lỗi dữ liệu"].iter_rows(min_row=3, values_only=True))
    assert [(e[0], e[2], e[3]) for e in errors] == [
        ("U2", "Danh mục đơn vị", "E3"),
        ("U1", "Danh mục đơn vị", "A2"),
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


def test_a_bad_address_withholds_the_units_mail_and_nothing_else(
    workspace: Callable[..., Path], cli: Cli
) -> None:
    from docx import Document

    root = workspace(("U1", good_unit(2), "a@example.gov.vn"), ("U2", good_unit(3), "abc@"))
    reminded = cli("run", "--once", "--workspace", root, "--today", "2026-10-29")
    assert reminded.exit_code == 1, reminded.output
    assert "chưa gửi vì email trong danh mục có lỗi: U2" in reminded.output
    # read, rated and written back
    assert "Đơn vị: 2 đang hoạt động, 2 cập nhật tab Kết quả" in reminded.output
    assert "Kết quả" in openpyxl.load_workbook(root / "units" / "u2.xlsx").sheetnames
    messages = [
        message_from_bytes(p.read_bytes(), policy=default) for p in (root / "outbox").glob("*.eml")
    ]
    assert sorted(str(m["To"]) for m in messages) == ["a@example.gov.vn", "tinh@example.gov.vn"]
    (to_province,) = [m for m in messages if m["To"] == "tinh@example.gov.vn"]
    text = to_province.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert (
        "- Danh mục đơn vị, ô E3 — U2 Công an xã U2 (chưa gửi thư cho đơn vị): “abc@” không "
        "phải địa chỉ email hợp lệ — nhập địa chỉ dạng ten@donvi.gov.vn, nhiều địa chỉ cách "
        "nhau bằng ;"
    ) in text
    assert "ĐƠN VỊ CHƯA CÓ EMAIL ĐẦU MỐI" not in text  # it has one: a wrong one
    # and consolidated: its models in every total, the lists and the drafted report
    cli("run", "--once", "--workspace", root, "--today", "2026-11-16")
    wb = openpyxl.load_workbook(root / "reports" / "tong-hop-2026.xlsx")
    head, *units = wb["Tổng hợp đơn vị"].iter_rows(min_row=2, values_only=True)
    models, good, status = (head.index(h) for h in ("Số mô hình", "Tốt", "Tình trạng bảng tính"))
    assert [(u[0], u[models], u[good], u[status]) for u in units] == [
        ("U1", 2, 2, "Không có lỗi"),
        ("U2", 3, 3, "Không có lỗi"),
        ("Tổng cộng", 5, 5, "2 đọc được; 0 không đọc được; 0 lỗi danh mục"),
    ]
    replicate = [r[0] for r in wb["Đề xuất nhân rộng"].iter_rows(min_row=3, values_only=True)]
    assert replicate.count("U2") == 3
    report = Document(str(root / "reports" / "bao-cao-2026.docx"))
    assert "Kết quả xếp loại 5 mô hình năm 2026: Tốt 5 (100%); Khá 0 (0%)" in "\n".join(
        p.text for p in report.paragraphs
    )
