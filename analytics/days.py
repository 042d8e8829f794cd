"""Calendar days and business days between two moments, as the figures count them.

Business days are Monday to Friday in the site's time zone (settings.TIME_ZONE): the
weekend's hours do not count, a Friday 17:00 to Monday 09:00 wait is 16 hours, not
64. Public holidays are not known to the desk and count as working days.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

DAY = 86400.0


def calendar_days(start: dt.datetime, end: dt.datetime) -> float:
    return max(0.0, (end - start).total_seconds() / DAY)


def business_days(start: dt.datetime, end: dt.datetime) -> float:
    """Time between two moments with Saturdays and Sundays left out, in days."""
    if end <= start:
        return 0.0
    zone = timezone.get_default_timezone()
    a = timezone.localtime(start, zone).replace(tzinfo=None)
    b = timezone.localtime(end, zone).replace(tzinfo=None)
    total = 0.0
    # Whole weeks in the middle are five days each: the loop below walks at most two weeks.
    weeks = max(0, (b.date() - a.date()).days // 7 - 1)
    if weeks:
        total += 5.0 * weeks
        a += dt.timedelta(days=7 * weeks)  # the same weekday and hour, whole weeks later
    day = a.date()
    while day <= b.date():
        midnight = dt.datetime.combine(day, dt.time())
        if day.weekday() < 5:
            begin = max(a, midnight)
            finish = min(b, midnight + dt.timedelta(days=1))
            if finish > begin:
                total += (finish - begin).total_seconds() / DAY
        day += dt.timedelta(days=1)
    return total
