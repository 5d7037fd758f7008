"""Months as the Civil Code counts them (2015, art. 147–148): the rules' periods of 10 months
(a model's eligibility) and of 12 (an exemplar due for evaluation). Pure."""

from __future__ import annotations

import calendar
from datetime import date

_MONTH_DAYS = (0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)  # by month number, February 28


def add_months(start: date, months: int) -> date:
    """Civil Code 2015 art. 147–148: the same day `months` later, or that month's last day."""
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    # The month's length as calendar.monthrange gives it, without the weekday it also works out.
    days = 29 if month == 2 and calendar.isleap(year) else _MONTH_DAYS[month]
    return date(year, month, min(start.day, days))


def full_months(start: date, reference: date) -> int:
    """How many full months have run from `start` to `reference` (0 before `start`)."""
    months = (reference.year - start.year) * 12 + reference.month - start.month
    if add_months(start, months) > reference:
        months -= 1  # in the month of `reference`, the day `start` gives is still to come
    return max(months, 0)
