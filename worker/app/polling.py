"""Feedback within minutes: between the first reminder and the last cutoff the daemon looks for
changed sheets every `poll_minutes` of the calendar and syncs those only, so that a unit that
fixes its sheet sees Kết quả change within one poll, not the next morning.

A poll is a sync on which the unchanged sheets are not opened (`worker.run.unchanged`): stats of
the files, or the one Drive listing. It sends no mail and pings no monitor (the daily cycle
does, once a day); a dry run polls and writes nothing.
"""

from __future__ import annotations

import threading
from datetime import date, datetime, time, timedelta, tzinfo

from apscheduler.triggers.base import BaseTrigger

from jobs import sync
from worker.core.calendars import Calendar
from worker.core.settings import Settings

# The daily cycle and a poll never sync at once: the cycle waits for a poll under way, a poll
# due while the cycle runs is left out (the cycle syncs every unit anyway).
SYNCING = threading.Lock()


class PollTrigger(BaseTrigger):  # type: ignore[misc]  # APScheduler 3 ships no type hints
    """Every `calendar.poll_minutes` on the clock (from midnight: 06:00, 06:10 …) on the days
    of `Calendar.polling`, never on others. A pure function of the time, as every APScheduler
    trigger: the next fire time after `previous` (or from `now`)."""

    def __init__(self, calendar: Calendar, settings: Settings, tz: tzinfo) -> None:
        self.calendar = calendar
        self.settings = settings
        self.timezone = tz
        self.step = timedelta(minutes=calendar.poll_minutes)

    def get_next_fire_time(
        self, previous_fire_time: datetime | None, now: datetime
    ) -> datetime | None:
        if not self.step:
            return None
        start = now.astimezone(self.timezone)
        if previous_fire_time is not None:
            start = max(start, previous_fire_time.astimezone(self.timezone) + self.step)
        year = self.settings.year(start.date())
        for window in (year, year + 1):  # this year's days, or else the next year's
            first, last = self.calendar.polling(window)
            begin = max(start, self._midnight(first))
            midnight = self._midnight(begin.date())
            fire = midnight + -(-(begin - midnight) // self.step) * self.step  # on the grid
            if fire.date() <= last:
                return fire
        return None

    def _midnight(self, day: date) -> datetime:
        return datetime.combine(day, time(), self.timezone)

    def __str__(self) -> str:
        return f"poll[{self.calendar.poll_minutes} min]"


def report_line(now: datetime, report: sync.SyncReport) -> str:
    """What a poll did, for the log (said when it wrote a Kết quả)."""
    return (
        f"kiểm tra thay đổi lúc {now:%H:%M %d/%m/%Y}: đọc lại {report.opened} bảng tính, "
        f"{len(report.written)} cập nhật tab Kết quả, {report.failed} lỗi"
    )
