"""What a unit types, as Google keeps it: a typed 90% is 0.9 with a PERCENT format, a typed date a
serial number with a DATE format. A percentage in a count column is reported; a date in an error
is shown as the unit typed it, not as a serial number."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result

from tests.conftest import good_unit
from tests.test_google_strict import sync, unit_keys

Cli = Callable[..., Result]
on_google = pytest.mark.parametrize("backend", ["google"])


def error_rows(fake: Any, key: str) -> list[list[Any]]:
    rows = fake.values(key, "Kết quả")
    return [r[:5] for r in rows if len(r) >= 5 and r[0] in ("Mô hình", "Chỉ tiêu")]


@on_google
def test_a_percentage_typed_in_a_count_column_is_reported_not_read_as_a_fraction(
    workspace: Callable[..., Path], cli: Cli, fake_google: Any
) -> None:
    root = workspace(("U1", good_unit(1), "a@example.gov.vn"))
    (key,) = unit_keys(fake_google)
    fake_google.edit(key, "Chỉ tiêu", 1, 5, "90%")  # Thực hiện of MH-001's first target
    result = sync(cli, root)
    assert "Lỗi dữ liệu: 1" in result.output, result.output
    assert error_rows(fake_google, key) == [
        [
            "Chỉ tiêu",
            "F2",
            "90%",
            "ô đang ở dạng phần trăm (90%) nhưng cột này ghi số lượng",
            "đổi định dạng ô sang Số rồi nhập số lượng, ví dụ 90",
        ]
    ]
    # read from the cache next time (the sheet unchanged), the percentage is still one
    again = cli("sync", "--workspace", root, "--today", "2026-10-30")
    assert "0 cập nhật tab Kết quả, 1 không đổi" in again.output, again.output
    assert "Lỗi dữ liệu: 1" in again.output


@on_google
def test_a_date_in_an_error_is_shown_as_the_unit_typed_it(
    workspace: Callable[..., Path], cli: Cli, fake_google: Any
) -> None:
    root = workspace(("U1", good_unit(1), "a@example.gov.vn"))
    (key,) = unit_keys(fake_google)
    fake_google.edit(key, "Mô hình", 1, 6, "05/07/2027")  # a decision date yet to come
    sync(cli, root)
    assert error_rows(fake_google, key) == [
        [
            "Mô hình",
            "G2",
            "05/07/2027",
            "ngày 05/07/2027 là ngày chưa tới",
            "kiểm tra lại ngày; không nhập ngày chưa tới",
        ]
    ]
