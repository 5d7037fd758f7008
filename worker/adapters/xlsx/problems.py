"""What goes wrong with a unit's workbook file, said once for the reader and the writer: each kind
(not found, a folder, no permission, damaged, password-protected, an old .xls, an .ods, a DTD,
too big) has its own message, naming the file and the fix."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from worker.adapters.xlsx.limits import LIMITS, TooBig, size_text
from worker.adapters.xlsx.parts import Encrypted, HasDTD, OpenDocument, PackageError
from worker.core.errors import SheetError

_CFB = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # OLE compound file: old .xls or encrypted .xlsx
_ENCRYPTED = "EncryptedPackage".encode("utf-16-le")  # the stream an encrypted .xlsx keeps


def not_found(path: Path) -> SheetError:
    return SheetError(
        f"không tìm thấy tệp {path.name}: kiểm tra cột Bảng tính trong danh mục đơn vị"
    )


def no_permission(path: Path) -> SheetError:
    return SheetError(
        f"không có quyền đọc tệp {path.name}: cấp quyền đọc cho tài khoản chạy mohinh"
    )


def damaged(path: Path, exc: BaseException | str) -> SheetError:
    # the library's English detail is for the log, not for the unit's email
    logging.getLogger("mohinh").info("%s không đọc được: %r", path, exc)
    return SheetError(
        f"tệp {path.name} bị hỏng hoặc không phải tệp .xlsx: mở bằng Excel hoặc "
        "LibreOffice, lưu lại dạng .xlsx, hoặc chép lại bản còn tốt"
    )


def encrypted(path: Path) -> SheetError:
    return SheetError(
        f"tệp {path.name} được đặt mật khẩu: bỏ mật khẩu "
        "(Tệp > Thông tin > Bảo vệ sổ làm việc) rồi lưu lại"
    )


def dtd(path: Path, part: str) -> SheetError:
    logging.getLogger("mohinh").info("%s: %s khai báo DTD", path, part)
    return SheetError(
        f"tệp {path.name} có phần {part} khai báo DTD, điều tệp .xlsx không được có (Excel "
        "không mở, và có thể phình ra vô hạn khi đọc): mở bằng LibreOffice, lưu lại dạng "
        ".xlsx, hoặc chép lại bản còn tốt"
    )


def open_document(path: Path) -> SheetError:
    return SheetError(
        f"tệp {path.name} là bảng tính OpenDocument (.ods), không phải .xlsx: mở bằng "
        "LibreOffice rồi lưu lại dạng Excel 2007-365 (.xlsx)"
    )


def too_big(path: Path, exc: TooBig) -> SheetError:
    logging.getLogger("mohinh").info("%s quá lớn: %s", path, exc.what)
    return SheetError(f"tệp {path.name} quá lớn để đọc ({exc.what}): {exc.fix}")


def before_opening(path: Path) -> None:
    """Raise what can be told of the file before it is opened as a zip: not found, a folder,
    not readable, too big on disk, an encrypted workbook or an old .xls (OLE compound files)."""
    try:
        info = path.stat()
        if path.is_dir():
            raise SheetError(
                f"{path.name} là một thư mục, không phải tệp .xlsx: sửa cột Bảng tính trong "
                "danh mục cho đúng tên tệp"
            )
        with path.open("rb") as f:
            head = f.read(len(_CFB))
    except FileNotFoundError:
        raise not_found(path) from None
    except PermissionError:
        raise no_permission(path) from None
    if not os.access(path, os.R_OK):
        raise no_permission(path)
    if info.st_size > LIMITS.file_bytes:
        raise too_big(
            path,
            TooBig(
                f"tệp nặng {size_text(info.st_size)}, vượt giới hạn {size_text(LIMITS.file_bytes)}",
                "xóa ảnh, tab không dùng đến hoặc tách bảng tính, rồi lưu lại",
            ),
        )
    if head == _CFB:
        raise compound_file(path)


def compound_file(path: Path) -> SheetError:
    """An OLE compound file: what Excel saves when a password protects opening, or an .xls."""
    with suppress(OSError), path.open("rb") as f:
        if _ENCRYPTED in f.read(LIMITS.file_bytes):
            return encrypted(path)
    return SheetError(
        f"tệp {path.name} là tệp Excel cũ (.xls), không phải .xlsx: mở bằng Excel hoặc "
        "LibreOffice rồi lưu lại dạng .xlsx (Sổ làm việc Excel)"
    )


@contextmanager
def told(path: Path, *damage: type[BaseException]) -> Iterator[None]:
    """What opening the package of `path` refused, as the message of its kind: too big, a DTD,
    an OpenDocument file, encrypted, or damaged (a `PackageError`, or one of `damage`)."""
    broken: tuple[type[BaseException], ...] = (PackageError, *damage)
    try:
        yield
    except TooBig as exc:
        raise too_big(path, exc) from None
    except HasDTD as exc:
        raise dtd(path, str(exc)) from None
    except OpenDocument:
        raise open_document(path) from None
    except Encrypted:
        raise encrypted(path) from None
    except broken as exc:
        raise damaged(path, exc) from None
