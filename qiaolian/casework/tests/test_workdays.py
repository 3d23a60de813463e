"""Deadlines in working days on the official calendar, across the National Day and Spring
Festival holidays with their make-up working days, and outside the calendar's years."""

import datetime as dt

import chinese_calendar
import pytest

from qiaolian.casework.workdays import add_working_days, has_official_data, is_working_day, working_days_between

D = dt.date


def test_national_day_2021_holidays_and_make_up_days():
    assert not any(is_working_day(D(2021, 10, day)) for day in range(1, 8))
    assert is_working_day(D(2021, 9, 26))  # a Sunday worked in exchange
    assert is_working_day(D(2021, 10, 9))  # a Saturday worked in exchange
    assert not is_working_day(D(2021, 10, 10))  # an ordinary Sunday


def test_deadline_across_national_day_2021_counts_the_make_up_saturday():
    # received on Friday 24 September: 26 Sep (Sun, worked), 27, 28, 29, 30, then the holiday,
    # 8 Oct (Fri), 9 Oct (Sat, worked), 11 Oct (Mon)
    assert add_working_days(D(2021, 9, 24), 1).day == D(2021, 9, 26)
    assert add_working_days(D(2021, 9, 24), 5).day == D(2021, 9, 30)
    assert add_working_days(D(2021, 9, 24), 6).day == D(2021, 10, 8)
    assert add_working_days(D(2021, 9, 24), 7).day == D(2021, 10, 9)
    assert add_working_days(D(2021, 9, 24), 8).day == D(2021, 10, 11)
    # a case received during the holiday starts counting on the first working day after it
    assert add_working_days(D(2021, 10, 3), 1).day == D(2021, 10, 8)
    assert not add_working_days(D(2021, 9, 24), 8).is_estimate


def test_deadline_across_spring_festival_2022_counts_both_make_up_days():
    assert is_working_day(D(2022, 1, 29)) and is_working_day(D(2022, 1, 30))  # Saturday and Sunday worked
    assert not any(is_working_day(D(2022, 1, 31) + dt.timedelta(days=i)) for i in range(7))
    # received on Thursday 27 January 2022: 28 (Fri), 29 (Sat), 30 (Sun), then 31 Jan – 6 Feb off
    assert add_working_days(D(2022, 1, 27), 3).day == D(2022, 1, 30)
    assert add_working_days(D(2022, 1, 27), 4).day == D(2022, 2, 7)
    # a 15-working-day enterprise appeal received on 27 January is due on 22 February: the two
    # worked weekend days bring it forward from the 24th, the holiday week pushes it past the 17th
    assert add_working_days(D(2022, 1, 27), 15).day == D(2022, 2, 22)


def test_working_days_between_skips_the_holiday_and_counts_the_make_up_saturday():
    span = working_days_between(D(2021, 9, 30), D(2021, 10, 11))
    assert span.working_days == 3  # 8, 9 (Saturday, worked) and 11 October
    assert span.calendar_days == 11
    assert working_days_between(D(2021, 9, 30), D(2021, 9, 30)).working_days == 0
    assert working_days_between(D(2021, 10, 11), D(2021, 9, 30)).working_days == 0


def test_years_outside_the_calendar_fall_back_to_monday_to_friday_and_say_so():
    with pytest.raises(NotImplementedError):
        chinese_calendar.is_workday(D(2027, 1, 4))
    assert not has_official_data(D(2027, 1, 4))
    assert has_official_data(D(2026, 12, 31))
    assert is_working_day(D(2027, 1, 1))  # a Friday: New Year's Day is unknown without official data
    assert not is_working_day(D(2027, 1, 2))  # Saturday
    assert not is_working_day(D(2003, 12, 27))  # Saturday, before the calendar's first year
    # a deadline set in December 2026 crosses into 2027 and is marked as an estimate
    deadline = add_working_days(D(2026, 12, 28), 5)
    assert deadline.day == D(2027, 1, 4)
    assert deadline.is_estimate
    within = add_working_days(D(2026, 12, 1), 5)
    assert not within.is_estimate
    assert working_days_between(D(2026, 12, 30), D(2027, 1, 5)).is_estimate
