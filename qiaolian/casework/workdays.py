"""Working days on the official Chinese calendar: public holidays and their make-up working days.

The calendar is the ``chinesecalendar`` package (module ``chinese_calendar``), which carries the
State Council's published schedules. It knows only the years it was released with (2004–2026 in
1.11.0) and raises ``NotImplementedError`` for any other year. For a day in a year it does not
know, this module falls back to **Monday to Friday are working days, Saturday and Sunday are not**
(no holidays, no make-up days) and says so: every function that counts reports whether it had
to estimate, so pages can print "按周一至周五估算" beside a deadline computed without official
data. When a newer ``chinesecalendar`` is installed the estimate disappears by itself.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache

import chinese_calendar

ONE_DAY = dt.timedelta(days=1)


@lru_cache(maxsize=4096)
def day_status(day: dt.date) -> tuple[bool, bool]:
    """``(is_working_day, is_official)`` for one day. ``is_official`` is False when the year is
    outside the calendar's data and the Monday–Friday rule was used instead."""
    try:
        return bool(chinese_calendar.is_workday(day)), True
    except NotImplementedError:
        return day.weekday() < 5, False


def is_working_day(day: dt.date) -> bool:
    return day_status(day)[0]


def has_official_data(day: dt.date) -> bool:
    """Whether the installed calendar knows ``day``'s year (holidays and make-up days)."""
    return day_status(day)[1]


@dataclass(frozen=True)
class Deadline:
    day: dt.date
    is_estimate: bool  # some day counted lies in a year without official data


def add_working_days(start: dt.date, count: int) -> Deadline:
    """The ``count``-th working day after ``start`` (the day of receipt itself is not counted, as
    in "自受理之日起 N 个工作日内"). ``count`` 0 gives ``start`` itself."""
    if count < 0:
        raise ValueError("count must not be negative")
    day, left, estimate = start, count, False
    while left:
        day += ONE_DAY
        working, official = day_status(day)
        estimate = estimate or not official
        if working:
            left -= 1
    return Deadline(day=day, is_estimate=estimate)


@dataclass(frozen=True)
class Span:
    working_days: int
    calendar_days: int
    is_estimate: bool


def working_days_between(start: dt.date, end: dt.date) -> Span:
    """Working days in (start, end]: received on Monday and answered on Tuesday is one working
    day; the same day is zero. ``end`` before ``start`` counts as zero."""
    if end <= start:
        return Span(working_days=0, calendar_days=0, is_estimate=False)
    working, estimate = 0, False
    day = start
    while day < end:
        day += ONE_DAY
        is_working, official = day_status(day)
        working += is_working
        estimate = estimate or not official
    return Span(working_days=working, calendar_days=(end - start).days, is_estimate=estimate)
