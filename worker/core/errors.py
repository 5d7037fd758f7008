"""The environment's failures: what stops a whole run although no unit and no setting is wrong.

A unit's own trouble is a `SheetError` (that unit is reported, the others go on); a bad setting
is a `ConfigError`; another worker holding the workspace is `WorkspaceBusy`. What remains is the
machine the worker runs on: a full disk, a state store it cannot use, a network it cannot
reach. Those stop the run with an `EnvironmentProblem` (exit status 4): the message says what
and the fix, and since every write is atomic, nothing is left half-written.

Pure: this module names the problems; the adapters and `worker.app.wiring` recognise them.
"""

from __future__ import annotations

import errno
from pathlib import Path

# errno values that say the disk (not the file or the data) is the trouble
DISK_FULL = (errno.ENOSPC, errno.EDQUOT)


class EnvironmentProblem(Exception):
    """The disk, the state store or the network stops the run; the message is for the user,
    in Vietnamese: what happened, where, and what to do. The next run retries."""


def disk_full(where: Path | str) -> EnvironmentProblem:
    return EnvironmentProblem(
        f"Ổ đĩa chứa {where} đã đầy, không ghi thêm được: lần chạy này dừng lại và không để "
        "lại tệp nào ghi dở. Giải phóng dung lượng ổ đĩa rồi chạy lại; lần chạy sau làm tiếp "
        "phần còn lại, không gửi thư nào hai lần"
    )


def read_only(where: Path | str) -> EnvironmentProblem:
    return EnvironmentProblem(
        f"Không ghi được vào {where}: ổ đĩa hoặc thư mục chỉ cho đọc. Cấp quyền ghi cho tài "
        "khoản chạy mohinh (hoặc gắn lại ổ đĩa ở chế độ ghi) rồi chạy lại"
    )


def os_problem(exc: OSError, fallback: Path) -> EnvironmentProblem | None:
    """The environment problem an OSError stands for, or None when it is not one."""
    # the folder, not the file: the file may be a temporary one, already removed
    where = Path(exc.filename).parent if exc.filename else fallback
    if exc.errno in DISK_FULL:
        return disk_full(where)
    if exc.errno == errno.EROFS:
        return read_only(where)
    return None


def network_unreachable(what: str, setting: str) -> EnvironmentProblem:
    """`what` could not be reached over the network; `setting` names where it is configured."""
    return EnvironmentProblem(
        f"Không kết nối được {what} ({setting}): máy này không vào được mạng hoặc máy chủ "
        "tạm thời không trả lời. Kiểm tra kết nối mạng (tường lửa, proxy); lần chạy sau sẽ "
        "tự thử lại, không cần sửa cấu hình"
    )
