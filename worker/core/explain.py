"""Library and OS errors said in Vietnamese, for messages a user reads.

`OSError.strerror` ("No such file or directory"), `tomllib`'s "Expected '=' after a key …" and
`repr(exc)` are English: a user-facing message names the problem with these instead, and the
English detail goes to the log only. Pure: errno and the message's text, nothing is opened.
"""

from __future__ import annotations

import errno
import re

_OS = {
    errno.ENOENT: "không có tệp hoặc thư mục này",
    errno.EACCES: "không có quyền truy cập",
    errno.EPERM: "không có quyền truy cập",
    errno.EISDIR: "đây là một thư mục, không phải tệp",
    errno.ENOTDIR: "một phần của đường dẫn không phải thư mục",
    errno.ENOSPC: "ổ đĩa đã đầy",
    errno.ECONNREFUSED: "máy chủ từ chối kết nối (sai cổng, hoặc dịch vụ thư chưa chạy)",
    errno.ECONNRESET: "máy chủ ngắt kết nối giữa chừng",
    errno.ETIMEDOUT: "quá thời gian chờ máy chủ trả lời",
    errno.EHOSTUNREACH: "không tới được máy chủ (kiểm tra mạng)",
    errno.ENETUNREACH: "không có mạng tới máy chủ (kiểm tra mạng)",
    errno.EPIPE: "máy chủ ngắt kết nối giữa chừng",
}


def os_error(exc: BaseException) -> str:
    """What an OSError (or a timeout) means, in Vietnamese; never its English `strerror`."""
    if isinstance(exc, TimeoutError):
        return "quá thời gian chờ máy chủ trả lời"
    name = type(exc).__name__
    if name == "gaierror":  # socket.gaierror: the host name does not resolve
        return "không tìm thấy máy chủ theo tên này (kiểm tra tên máy chủ và mạng)"
    if name == "SSLCertVerificationError":
        return (
            "chứng chỉ của máy chủ không được tin cậy hoặc không đúng tên máy chủ (kiểm tra tên "
            "máy chủ; máy chủ dùng chứng chỉ riêng thì khai báo ca_file)"
        )
    if name.startswith("SSL"):
        return "không thiết lập được kết nối mã hóa (TLS) với máy chủ"
    code = getattr(exc, "errno", None)
    if code in _OS:
        return _OS[code]
    return "lỗi hệ điều hành" + (f" mã {code}" if code else "")


_AT = re.compile(r"\(at line (\d+), column (\d+)\)")


_TWICE = re.compile(r"Cannot declare \(([^)]*)\) twice")
_OVERWRITE = "Cannot overwrite a value"


def toml_error(exc: ValueError, text: str = "") -> str:
    """Where a TOML file is wrong, in Vietnamese (tomllib says it in English); `text`, the file's
    text, lets a section or a setting written twice be named with its lines."""
    if isinstance(exc, UnicodeDecodeError):
        return "tệp không được lưu dạng văn bản UTF-8 (lưu lại với mã hóa UTF-8)"
    where = _AT.search(str(exc))
    line = int(where[1]) if where else 0
    twice = _TWICE.match(str(exc))
    if twice and where:
        name = ".".join(part.strip().strip("'\"") for part in twice[1].split(",") if part.strip())
        first = _first_header(text, name, line)
        lines = f"dòng {first} và dòng {line}" if first else f"dòng {line}"
        return (
            f"mục [{name}] được khai báo hai lần ({lines}) — gộp các cấu hình của hai mục vào "
            f"một mục [{name}] rồi xóa dòng {line}"
        )
    if str(exc).startswith(_OVERWRITE) and where and 0 < line <= len(text.splitlines()):
        key = text.splitlines()[line - 1].partition("=")[0].strip()
        return (
            f"cấu hình {key} được ghi hai lần (dòng {line}) — giữ một dòng {key}, xóa dòng {line}"
        )
    place = f"dòng {where[1]}, cột {where[2]}" if where else "cuối tệp"
    return (
        f"sai cú pháp ở {place}: kiểm tra dấu =, dấu ngoặc kép quanh chữ và tên mục [...] "
        "quanh chỗ đó"
    )


def _first_header(text: str, name: str, before: int) -> int:
    """The line of the first `[name]` (or `[[name]]`) header before line `before`; 0 if none."""
    wanted = "".join(name.split())
    for number, line in enumerate(text.splitlines()[: before - 1], start=1):
        header = "".join(line.partition("#")[0].split())
        if header in (f"[{wanted}]", f"[[{wanted}]]"):
            return number
    return 0
