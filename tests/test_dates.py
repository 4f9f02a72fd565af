"""Payment dates on the Chinese calendar and accrual fractions (abs_tool.model.dates).

The holidays and make-up working days below are those of the State Council's notice for 2025
(国办发明电〔2024〕12号): Spring Festival 28 January - 4 February with Sunday 26 January and
Saturday 8 February worked; National Day and Mid-Autumn 1-8 October with Sunday 28
September and Saturday 11 October worked. Accrual fractions are counted by hand.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from abs_tool.errors import FieldError
from abs_tool.model.dates import (
    BusinessDayConvention,
    DayCount,
    add_months,
    adjust,
    calendar_covers,
    is_business_day,
    payment_dates,
    year_fraction,
)

D = dt.date
FOLLOWING = BusinessDayConvention.FOLLOWING
MODIFIED = BusinessDayConvention.MODIFIED_FOLLOWING


@pytest.mark.parametrize(("day", "works"), [
    (D(2025, 1, 26), True),  # Sunday, made a working day
    (D(2025, 1, 27), True),
    (D(2025, 1, 28), False),  # Spring Festival, a Tuesday
    (D(2025, 2, 4), False),
    (D(2025, 2, 8), True),  # Saturday, made a working day
    (D(2025, 2, 9), False),  # an ordinary Sunday
    (D(2025, 10, 8), False),  # National Day, a Wednesday
    (D(2025, 10, 9), True),
    (D(2025, 10, 11), True),  # Saturday, made a working day
])
def test_business_days_follow_the_official_calendar(day, works):
    assert is_business_day(day) is works


@pytest.mark.parametrize(("day", "convention", "paid"), [
    (D(2025, 10, 1), FOLLOWING, D(2025, 10, 9)),
    (D(2025, 10, 1), MODIFIED, D(2025, 10, 9)),
    # Friday 31 January is in the holiday; the next business day (Wednesday 5 February) is
    # in the next month, so modified following goes back to Monday 27 January.
    (D(2025, 1, 31), FOLLOWING, D(2025, 2, 5)),
    (D(2025, 1, 31), MODIFIED, D(2025, 1, 27)),
    (D(2025, 2, 8), FOLLOWING, D(2025, 2, 8)),  # a make-up working day stays
    (D(2025, 10, 1), BusinessDayConvention.NONE, D(2025, 10, 1)),
])
def test_payment_dates_move_to_business_days(day, convention, paid):
    assert adjust(day, convention) == paid


def test_years_without_an_official_calendar_take_weekends_only():
    assert calendar_covers(2025)
    assert not calendar_covers(2099)
    assert adjust(D(2099, 1, 3), FOLLOWING) == D(2099, 1, 5)  # Saturday -> Monday
    assert is_business_day(D(2099, 1, 1))  # a Thursday: not known as a holiday yet
    dates = payment_dates(D(2098, 12, 1), D(2098, 12, 20), 3, convention=FOLLOWING)
    assert dates.provisional_years == (2098, 2099)
    assert payment_dates(D(2098, 12, 1), D(2098, 12, 20), 3).provisional_years == ()


@pytest.mark.parametrize(("start", "end", "day_count", "fraction"), [
    (D(2025, 1, 31), D(2025, 2, 28), DayCount.THIRTY_360, 28 / 360),  # D1 31 -> 30
    (D(2025, 1, 30), D(2025, 3, 31), DayCount.THIRTY_360, 60 / 360),  # D2 31 -> 30
    (D(2025, 2, 28), D(2025, 3, 31), DayCount.THIRTY_360, 33 / 360),  # D2 stays 31
    (D(2025, 1, 15), D(2025, 2, 15), DayCount.THIRTY_360, 1 / 12),
    (D(2025, 1, 1), D(2026, 1, 1), DayCount.ACT_365, 1.0),
    (D(2024, 2, 1), D(2024, 3, 1), DayCount.ACT_365, 29 / 365),  # a leap February
])
def test_year_fractions(start, end, day_count, fraction):
    assert year_fraction(start, end, day_count) == pytest.approx(fraction, abs=1e-15)


def test_a_schedule_accrues_between_the_dates_paid():
    dates = payment_dates(D(2025, 9, 15), D(2025, 9, 26), 3, convention=FOLLOWING,
                          day_count=DayCount.ACT_365)
    assert dates.scheduled == (D(2025, 9, 26), D(2025, 10, 26), D(2025, 11, 26))
    # 26 October is a Sunday: paid Monday 27th, so that period is a day longer and the
    # next a day shorter.
    assert dates.paid == (D(2025, 9, 26), D(2025, 10, 27), D(2025, 11, 26))
    assert dates.accrual_days == (11, 31, 30)
    np.testing.assert_allclose(dates.accrual_fraction, np.array([11, 31, 30]) / 365,
                               rtol=0, atol=1e-15)
    quarterly = payment_dates(D(2025, 6, 20), D(2025, 7, 1), 2, frequency_months=3,
                              convention=FOLLOWING)
    assert quarterly.paid == (D(2025, 7, 1), D(2025, 10, 9))
    assert quarterly.accrual_days == (11, 100)


def test_month_ends_stay_month_ends_where_shorter():
    assert add_months(D(2025, 1, 31), 1) == D(2025, 2, 28)
    assert add_months(D(2025, 1, 31), 13) == D(2026, 2, 28)
    assert add_months(D(2024, 1, 31), 1) == D(2024, 2, 29)
    assert add_months(D(2025, 11, 30), 2) == D(2026, 1, 30)


@pytest.mark.parametrize(("args", "match"), [
    ((D(2025, 1, 1), D(2025, 1, 1), 3), "first_payment_date.*after the closing date"),
    ((D(2025, 1, 1), D(2025, 2, 1), 0), "periods.*at least 1"),
])
def test_bad_schedules_are_refused(args, match):
    with pytest.raises(FieldError, match=match):
        payment_dates(*args)
    with pytest.raises(FieldError, match="payment_frequency_months"):
        payment_dates(D(2025, 1, 1), D(2025, 2, 1), 3, frequency_months=0)
