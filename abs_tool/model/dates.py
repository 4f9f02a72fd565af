"""Payment dates as Chinese deals set them: business days on the Chinese calendar and the
accrual fraction of each period under a day count.

Business days are the working days of mainland China's official calendar, make-up working
days (调休) included: a Saturday that the State Council makes a working day is one, and a
weekday of the Spring Festival or National Day holiday is not. The calendar comes from the
``chinesecalendar`` package, which covers the years the State Council has announced; for a
later year only weekends are holidays, and :attr:`PaymentDates.provisional_years` names the
years whose dates may still move when the year's calendar is published.

Accrual: each period runs from the previous payment date (the closing date for the first)
to its own payment date, both as paid (adjusted), so the interest of a period paid late
because of a holiday is paid for the extra days and the next period is shorter:

- ``30/360`` (bond basis): ``(360 (Y2 - Y1) + 30 (M2 - M1) + D2 - D1) / 360``, with D1 = 31
  read as 30, and D2 = 31 read as 30 when D1 is 30 or 31;
- ``ACT/365`` (fixed): actual days / 365, the usual basis of the interbank market.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

import numpy as np

from abs_tool.errors import FieldError
from abs_tool.types import Array


class BusinessDayConvention(StrEnum):
    """How a payment date that falls on a holiday moves."""

    NONE = "none"  # it does not move
    FOLLOWING = "following"  # to the next business day
    # to the next business day, unless that is in the next month: then the previous one
    MODIFIED_FOLLOWING = "modified_following"


class DayCount(StrEnum):
    """How a period's accrual fraction of a year is counted (module docstring)."""

    THIRTY_360 = "30/360"
    ACT_365 = "ACT/365"


def _official(day: dt.date) -> bool | None:
    """Whether ``day`` is a working day on the official calendar; None for a year it does
    not cover."""
    import chinese_calendar

    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:  # the year's calendar is not published (in the package)
        return None


def calendar_covers(year: int) -> bool:
    """Whether the official calendar of ``year`` is known (else only weekends are holidays)."""
    return _official(dt.date(year, 6, 1)) is not None


def is_business_day(day: dt.date) -> bool:
    """A working day of mainland China: the official calendar where it is known, make-up
    working days included; a weekday in a year it does not cover."""
    official = _official(day)
    return day.weekday() < 5 if official is None else official


def adjust(day: dt.date, convention: BusinessDayConvention) -> dt.date:
    """``day`` moved to a business day by ``convention``."""
    if convention == BusinessDayConvention.NONE:
        return day
    moved = day
    while not is_business_day(moved):
        moved += dt.timedelta(days=1)
    if convention == BusinessDayConvention.MODIFIED_FOLLOWING and moved.month != day.month:
        moved = day
        while not is_business_day(moved):
            moved -= dt.timedelta(days=1)
    return moved


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day of the month ``months`` later, or the month's last day when it is
    shorter."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


def year_fraction(start: dt.date, end: dt.date, day_count: DayCount) -> float:
    """The accrual fraction of a year from ``start`` to ``end`` (module docstring)."""
    if day_count == DayCount.ACT_365:
        return (end - start).days / 365.0
    d1 = min(start.day, 30)
    d2 = 30 if end.day == 31 and d1 == 30 else end.day
    return (360 * (end.year - start.year) + 30 * (end.month - start.month) + d2 - d1) / 360.0


@dataclass(frozen=True)
class PaymentDates:
    """A deal's payment dates: ``scheduled`` (the same day every ``frequency_months``),
    ``paid`` (moved to business days), each period's ``accrual_days`` and
    ``accrual_fraction`` of a year, and the ``provisional_years`` among the paid dates' whose
    official calendar is not known yet (only weekends were taken as holidays)."""

    scheduled: tuple[dt.date, ...]
    paid: tuple[dt.date, ...]
    accrual_days: tuple[int, ...]
    accrual_fraction: Array
    provisional_years: tuple[int, ...]


def payment_dates(
    accrual_start: dt.date,
    first_payment: dt.date,
    periods: int,
    *,
    frequency_months: int = 1,
    convention: BusinessDayConvention = BusinessDayConvention.NONE,
    day_count: DayCount = DayCount.THIRTY_360,
) -> PaymentDates:
    """The first ``periods`` payment dates from ``first_payment``, with the accrual of each
    period from ``accrual_start`` (the closing date) on.

    Raises
    ------
    FieldError
        ``first_payment`` not after ``accrual_start``, ``periods`` below 1 or
        ``frequency_months`` below 1.
    """
    _check_schedule(accrual_start, first_payment, periods, frequency_months)
    scheduled = tuple(add_months(first_payment, i * frequency_months) for i in range(periods))
    paid = tuple(adjust(day, BusinessDayConvention(convention)) for day in scheduled)
    starts = (accrual_start, *paid[:-1])
    counted = DayCount(day_count)
    return PaymentDates(
        scheduled, paid, tuple((end - start).days for start, end in zip(starts, paid,
                                                                         strict=True)),
        np.array([year_fraction(start, end, counted) for start, end in zip(starts, paid,
                                                                           strict=True)]),
        _provisional_years(paid, convention))


def _check_schedule(accrual_start: dt.date, first_payment: dt.date, periods: int,
                    frequency_months: int) -> None:
    """The checks of :func:`payment_dates` and :func:`period_schedule`' arguments."""
    if first_payment <= accrual_start:
        raise FieldError("first_payment_date", f"must be after the closing date {accrual_start}"
                         f" (got {first_payment})")
    if periods < 1:
        raise FieldError("periods", f"must be at least 1 (got {periods})")
    if frequency_months < 1:
        raise FieldError("payment_frequency_months", f"must be at least 1 (got "
                                                     f"{frequency_months})")


def _provisional_years(paid: tuple[dt.date, ...],
                       convention: BusinessDayConvention) -> tuple[int, ...]:
    """The years of the dates ``paid`` whose official calendar is not known yet, where a
    business-day convention moved them (weekends only were taken as holidays)."""
    if convention == BusinessDayConvention.NONE:
        return ()
    return tuple(sorted({d.year for d in paid if not calendar_covers(d.year)}))


def period_schedule(
    accrual_start: dt.date,
    first_payment: dt.date,
    periods: int,
    *,
    frequency_months: int = 1,
    convention: BusinessDayConvention = BusinessDayConvention.NONE,
    day_count: DayCount = DayCount.THIRTY_360,
) -> PaymentDates:
    """The date of each of ``periods`` months when the notes are paid every
    ``frequency_months`` months (a deal's payment frequency), ``first_payment`` being the
    first payment date, in month ``frequency_months``; each month's accrual is its part of
    its payment period's.

    Monthly (``frequency_months`` 1) this is :func:`payment_dates`, every month a payment
    date. Otherwise month t's date is ``first_payment`` moved by ``t - frequency_months``
    months (then to a business day): the payment dates are those of months
    ``frequency_months``, ``2 frequency_months``, ... and of the last month. A payment
    period runs from the date paid before (``accrual_start``, the closing date, for the
    first) to its payment date, and each month accrues the part of the period's fraction
    from the period's start to its own date (clamped to the start) less what the months
    before it in the period accrued, so the months of a period add up to the period's
    fraction under ``day_count``, whatever the day count (a month whose date is not after
    the closing date accrues nothing). ``accrual_days`` are counted the same way.

    Raises
    ------
    FieldError
        As :func:`payment_dates`.
    """
    if frequency_months == 1:
        return payment_dates(accrual_start, first_payment, periods, convention=convention,
                             day_count=day_count)
    _check_schedule(accrual_start, first_payment, periods, frequency_months)
    moved = BusinessDayConvention(convention)
    counted = DayCount(day_count)
    scheduled = tuple(add_months(first_payment, t - frequency_months)
                      for t in range(1, periods + 1))
    paid = tuple(adjust(day, moved) for day in scheduled)
    fractions = np.zeros(periods)
    days = []
    start, before, days_before = accrual_start, 0.0, 0
    for t, day in enumerate(paid, start=1):
        end = max(day, start)
        so_far = year_fraction(start, end, counted)
        fractions[t - 1] = so_far - before
        days.append((end - start).days - days_before)
        before, days_before = so_far, (end - start).days
        if t % frequency_months == 0:
            start, before, days_before = end, 0.0, 0
    return PaymentDates(scheduled, paid, tuple(days), fractions,
                        _provisional_years(paid, moved))
