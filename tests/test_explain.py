"""No English from tomllib, the OS or sockets reaches a user: each is said in Vietnamese."""

import errno
import socket
import ssl
from pathlib import Path

import pytest

from worker.app.config import load_settings
from worker.core import explain
from worker.core.calendars import CalendarError, load_calendar
from worker.core.errors import ConfigError

ENGLISH = ("Expected", "line", "column", "No such", "Errno", "refused", "Error", "'", "invalid")


def test_a_config_syntax_error_names_line_and_column_in_vietnamese(tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text('province = "Bình Thuận"\nyear_starts =\n', "utf-8")
    with pytest.raises(ConfigError) as caught:
        load_settings(tmp_path)
    message = str(caught.value)
    assert message.endswith(
        "sai cú pháp ở dòng 2, cột 14: kiểm tra dấu =, dấu ngoặc kép "
        "quanh chữ và tên mục [...] quanh chỗ đó"
    )
    assert not any(word in message for word in ("Invalid", "Expected", "line", "column"))


def test_a_config_not_in_utf8_says_so(tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_bytes('province = "Bình Thuận"\n'.encode("utf-16"))
    with pytest.raises(ConfigError, match="không được lưu dạng văn bản UTF-8"):
        load_settings(tmp_path)


def test_a_missing_calendar_file_is_said_in_vietnamese(tmp_path: Path) -> None:
    with pytest.raises(CalendarError) as caught:
        load_calendar("lich-rieng.toml", tmp_path)
    message = str(caught.value)
    assert "lich-rieng.toml: không có tệp hoặc thư mục này; lịch có sẵn:" in message
    assert "No such file" not in message


@pytest.mark.parametrize(
    ("exc", "said"),
    [
        (ConnectionRefusedError(errno.ECONNREFUSED, "Connection refused"), "từ chối kết nối"),
        (TimeoutError("timed out"), "quá thời gian chờ"),
        (socket.gaierror(-2, "Name or service not known"), "không tìm thấy máy chủ"),
        (ssl.SSLCertVerificationError(1, "certificate verify failed"), "chứng chỉ của máy chủ"),
        (ssl.SSLError(1, "wrong version number"), "mã hóa (TLS)"),
        (PermissionError(errno.EACCES, "Permission denied"), "không có quyền truy cập"),
        (OSError(errno.EIO, "Input/output error"), f"lỗi hệ điều hành mã {errno.EIO}"),
    ],
    ids=["refused", "timeout", "dns", "certificate", "tls", "permission", "other"],
)
def test_os_errors_in_vietnamese(exc: OSError, said: str) -> None:
    message = explain.os_error(exc)
    assert said in message
    assert exc.strerror is None or exc.strerror not in message
    assert not any(word in message for word in ENGLISH)
