"""The annual calendar as data: cutoffs, reminder offsets, run time, consolidation day."""

from __future__ import annotations

import difflib
import tomllib
from dataclasses import dataclass
from datetime import date, time, timedelta
from importlib import resources
from pathlib import Path

from worker.core import explain
from worker.core.decisions import DEADLINE
from worker.core.errors import ConfigError


class CalendarError(ConfigError):
    """A calendar file that cannot be used; the message names the file and the line."""


@dataclass(frozen=True)
class Cutoff:
    month: int
    day: int
    what: str
    who: str

    def on(self, year: int) -> date:
        return date(year, self.month, self.day)


@dataclass(frozen=True)
class Calendar:
    name: str
    cutoffs: tuple[Cutoff, ...]
    reminder_days: tuple[int, ...]
    consolidation: tuple[int, int]  # month, day
    run_at: time
    retry_minutes: int = 60  # how often the daemon retries deliveries between daily runs
    decision: tuple[int, int] = DEADLINE  # month, day: ratings decided by then (III.2.c)
    # how often the daemon looks for changed sheets between the first reminder and the last
    # cutoff (0: never), so that a unit sees its fix in Kết quả within minutes
    poll_minutes: int = 10

    def consolidation_day(self, year: int) -> date:
        return date(year, *self.consolidation)

    def decision_day(self, year: int) -> date:
        """From this day on a rated model without a recorded decision is told as missing one."""
        return date(year, *self.decision)

    def polling(self, year: int) -> tuple[date, date]:
        """The days of year Y the daemon polls for changed sheets: from the first reminder of
        the first cutoff to the last cutoff, both included (units fix their sheets then)."""
        first = self.cutoffs[0].on(year) - timedelta(days=max(self.reminder_days))
        return first, self.cutoffs[-1].on(year)

    def due_reminders(self, year: int, today: date) -> list[tuple[Cutoff, int]]:
        """For each cutoff not yet passed, the latest reminder (days before) that has arrived.

        Older reminders missed during downtime are superseded, never sent in a burst; on the
        cutoff day itself the deadline ("trước ngày ...") has passed and nothing is due.
        """
        due = []
        for cutoff in self.cutoffs:
            day = cutoff.on(year)
            arrived = [d for d in self.reminder_days if day - timedelta(days=d) <= today < day]
            if arrived:
                due.append((cutoff, min(arrived)))
        return due


def _line_of(text: str, needle: str) -> int:
    for number, line in enumerate(text.splitlines(), start=1):
        if needle in line:
            return number
    return 1


KEYS = (
    "name",
    "cutoffs",
    "reminder_days",
    "consolidation",
    "decision",
    "run_at",
    "retry_minutes",
    "poll_minutes",
)
CUTOFF_KEYS = ("date", "what", "who")


def _known(
    raw: dict[str, object], keys: tuple[str, ...], where: str, text: str, source: str
) -> None:
    """A misspelt key is refused, not ignored (a typo would silently bring back the default)."""
    for key in raw:
        if key not in keys:
            close = difflib.get_close_matches(key, keys, n=1)
            hint = f"có phải là {close[0]}?" if close else f"các mục có thể dùng: {', '.join(keys)}"
            raise CalendarError(
                f"Lịch {source}, dòng {_line_of(text, key)}: {where}{key} không có — {hint}"
            )


def parse_calendar(text: str, source: str) -> Calendar:
    text = text.removeprefix("\ufeff")  # a byte-order mark (Notepad's UTF-8): TOML refuses it
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CalendarError(f"Lịch {source}: {explain.toml_error(exc, text)}") from None

    def month_day(value: object, setting: str) -> tuple[int, int]:
        try:
            day, month = (int(p) for p in str(value).split("/"))
            date(2024, month, day)
        except ValueError:
            line = _line_of(text, str(value)) if value is not None else 1
            raise CalendarError(
                f"Lịch {source}, dòng {line}: {setting} = '{value}' không phải "
                "ngày hợp lệ — nhập dạng dd/mm, ví dụ 05/11"
            ) from None
        return month, day

    _known(raw, KEYS, "", text, source)
    for item in raw.get("cutoffs", []):
        if isinstance(item, dict):
            _known(item, CUTOFF_KEYS, "[[cutoffs]] ", text, source)
    cutoffs = []
    for item in raw.get("cutoffs", []):
        month, day = month_day(item.get("date"), "date")
        cutoffs.append(Cutoff(month, day, str(item.get("what", "")), str(item.get("who", ""))))
    if not cutoffs:
        raise CalendarError(f"Lịch {source}: chưa có mốc nào — thêm ít nhất một mục [[cutoffs]]")
    days = raw.get("reminder_days", [14, 7, 3, 1])
    if not isinstance(days, list) or not all(isinstance(d, int) and 0 < d <= 366 for d in days):
        raise CalendarError(
            f"Lịch {source}, dòng {_line_of(text, 'reminder_days')}: "
            f"reminder_days = {days} không hợp lệ — nhập danh sách số ngày, "
            "ví dụ [14, 7, 3, 1]"
        )
    run_at = str(raw.get("run_at", "06:30"))
    try:
        hour, minute = (int(p) for p in run_at.split(":"))
        at = time(hour, minute)
    except ValueError:
        raise CalendarError(
            f"Lịch {source}, dòng {_line_of(text, 'run_at')}: run_at = "
            f"'{run_at}' không hợp lệ — nhập giờ dạng HH:MM, ví dụ 06:30"
        ) from None
    return Calendar(
        str(raw.get("name", source)),
        tuple(sorted(cutoffs, key=lambda c: (c.month, c.day))),
        tuple(sorted(set(days), reverse=True)),
        month_day(raw.get("consolidation", "16/11"), "consolidation"),
        at,
        _minutes(raw, "retry_minutes", 60, 5, text, source),
        month_day(raw.get("decision", "10/11"), "decision"),
        _minutes(raw, "poll_minutes", 10, 0, text, source),
    )


def _minutes(
    raw: dict[str, object], key: str, default: int, least: int, text: str, source: str
) -> int:
    """A number of minutes from `least` to a day."""
    value = raw.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or not least <= value <= 24 * 60:
        raise CalendarError(
            f"Lịch {source}, dòng {_line_of(text, key)}: {key} = {value} không hợp lệ — "
            f"nhập số phút từ {least} đến 1440"
            + (" (0: không kiểm tra giữa các lần chạy hằng ngày)" if least == 0 else "")
        )
    return value


def shipped() -> list[str]:
    """The names of the calendars shipped in jobs/calendars/."""
    folder = resources.files("jobs").joinpath("calendars")
    return sorted(
        p.name.removesuffix(".toml") for p in folder.iterdir() if p.name.endswith(".toml")
    )


def load_calendar(name: str | None = None, root: Path | None = None) -> Calendar:
    """The default calendar, a shipped one by name, or a file (relative to `root`)."""
    if name is None:
        text = resources.files("jobs").joinpath("calendar.toml").read_text("utf-8")
        return parse_calendar(text, "calendar.toml")
    if name in shipped():
        text = resources.files("jobs").joinpath(f"calendars/{name}.toml").read_text("utf-8")
        return parse_calendar(text, f"{name}.toml")
    path = (root or Path(".")) / name
    try:
        return parse_calendar(path.read_text("utf-8"), str(path))
    except OSError as exc:
        raise CalendarError(
            f"Không đọc được lịch {path}: {explain.os_error(exc)}; lịch có sẵn: "
            f"{', '.join(shipped())}"
        ) from None
