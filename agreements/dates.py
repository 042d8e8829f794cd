"""Contract date arithmetic: term ends, renewals and notice deadlines.

Pure functions of dates, no database. The conventions, in one place:

- A term of N months that starts on day D ends the day before its N-month
  anniversary: 1 March 2025 + 12 months ends 28 February 2026. When the anniversary
  does not exist (31 January + 1 month, 29 February + 12 months) it is the first day of
  the month after, so the term ends on the last day of the short month.
- Renewal periods follow the term end without a gap. Every period is counted from the
  one anchor (the day after the initial term ends), never from the previous period,
  so month-end clamping cannot drift the dates over many renewals.
- The notice deadline is the last day notice can be given: the term end minus the
  notice period (calendar days, business days or months), then moved back to the
  previous working day if it falls on a weekend. Working days are Monday to Friday;
  public holidays are left out (they differ by country and the contract rarely says
  whose apply), so a deadline on a holiday is not moved.
"""

from __future__ import annotations

import calendar
import datetime as dt

ONE_DAY = dt.timedelta(days=1)


def anniversary(start: dt.date, months: int) -> dt.date:
    """The same day of the month `months` later (or earlier, when negative); when that
    day does not exist, the first day of the month after it."""
    index = start.year * 12 + (start.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    last = calendar.monthrange(year, month)[1]
    if start.day <= last:
        return dt.date(year, month, start.day)
    return dt.date(year, month, last) + ONE_DAY


def months_before(end: dt.date, months: int) -> dt.date:
    """The same day `months` earlier, clamped to the month's last day (31 May less three
    months is 28 or 29 February): counting notice back never lands after the end."""
    index = end.year * 12 + (end.month - 1) - months
    year, month = divmod(index, 12)
    month += 1
    return dt.date(year, month, min(end.day, calendar.monthrange(year, month)[1]))


def months_after(start: dt.date, months: int) -> dt.date:
    """The same day `months` later, clamped to the month's last day (31 January plus one
    month is 28 or 29 February): a recurring due date stays in its own month."""
    return months_before(start, -months)


def term_end(start: dt.date, months: int) -> dt.date:
    """The last day of a term of `months` months starting on `start`."""
    return anniversary(start, months) - ONE_DAY


def is_working_day(day: dt.date) -> bool:
    return day.weekday() < 5


def previous_working_day(day: dt.date) -> dt.date:
    """The day itself if it is a working day, else the working day before it."""
    while not is_working_day(day):
        day -= ONE_DAY
    return day


def business_days_before(day: dt.date, count: int) -> dt.date:
    """The date `count` working days before `day` (weekends not counted)."""
    while count > 0:
        day -= ONE_DAY
        if is_working_day(day):
            count -= 1
    return day


def period_end(
    *,
    initial_end: dt.date,
    renewal_months: int | None,
    renewals: int,
) -> dt.date:
    """The end of the term after `renewals` renewals of `renewal_months` months each."""
    if renewals <= 0 or not renewal_months:
        return initial_end
    return term_end(initial_end + ONE_DAY, renewals * renewal_months)


def notice_deadline(
    end: dt.date, *, amount: int, unit: str, business_days: bool = False
) -> dt.date:
    """The last day to give notice `amount` days or months before the term ends on `end`."""
    if unit == "months":
        day = months_before(end, amount)
    elif business_days:
        day = business_days_before(end, amount)
    else:
        day = end - dt.timedelta(days=amount)
    return previous_working_day(day)
