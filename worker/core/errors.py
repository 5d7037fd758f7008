"""Every error the worker tells a user about, under one root: `Problem`.

A problem says what happened, where (`place`) and the fix, in Vietnamese; its class says what the
caller does next and which exit status the command line ends with (`Status`, mapped in one place:
`worker.app.cli`):

- `SheetError`: a unit's own trouble (its sheet, or the registry's row) — that unit is reported,
  the others go on (status 1);
- `ConfigError`: a bad setting or calendar (status 2);
- `WorkspaceBusy`: another worker holds the workspace (status 3);
- `EnvironmentProblem`: the machine the worker runs on — a full disk, a state store it cannot
  use, a network it cannot reach (status 4). Since every write is atomic, nothing is left
  half-written, and the next run goes on.

Pure: this module names the problems; the adapters and `worker.app.wiring` recognise them.
"""

from __future__ import annotations

import errno
from enum import IntEnum
from pathlib import Path
from typing import ClassVar


class Status(IntEnum):
    """The command line's exit statuses, one per class of failure (README, "Exit status")."""

    OK = 0
    SOME_FAILED = 1  # a unit, a registry row or a message: the others were done
    BAD_CONFIG = 2  # config.toml, the calendar or the command line
    BUSY = 3  # another worker holds the workspace
    ENVIRONMENT = 4  # the disk, the state store or the network


class Problem(Exception):
    """The root: a message for the user (what happened), the place and the fix.

    `str()` gives the whole text: "place: message — fix", each part where given (older messages
    carry all three in `message`)."""

    status: ClassVar[Status] = Status.SOME_FAILED
    heading: ClassVar[str] = "Lỗi: "  # what the command line puts before the text

    def __init__(self, message: str, *, place: str = "", fix: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.place = place
        self.fix = fix

    def __str__(self) -> str:
        text = f"{self.place}: {self.message}" if self.place else self.message
        return f"{text} — {self.fix}" if self.fix else text


class SheetError(Problem):
    """A unit's sheet (or the registry) could not be read or written: that unit is reported for
    it, and a job goes on with the others.

    `province_side`: the trouble is on the province's side (a file of the local workspace it
    cannot find): only the province hears of it; the unit's mail waits until it is fixed."""

    heading = ""

    def __init__(
        self, message: str, *, place: str = "", fix: str = "", province_side: bool = False
    ) -> None:
        super().__init__(message, place=place, fix=fix)
        self.province_side = province_side


class ConfigError(Problem):
    """A bad or missing setting (or calendar, or command-line value)."""

    status = Status.BAD_CONFIG
    heading = "Lỗi cấu hình: "


class WorkspaceBusy(Problem):
    """Another worker holds the workspace: this one reads, writes and sends nothing."""

    status = Status.BUSY
    heading = ""


class EnvironmentProblem(Problem):
    """The disk, the state store or the network stops the run. The next run retries."""

    status = Status.ENVIRONMENT
    heading = "Sự cố môi trường chạy: "


# errno values that say the disk (not the file or the data) is the trouble
DISK_FULL = (errno.ENOSPC, errno.EDQUOT)


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
