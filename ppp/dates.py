"""Calendar arithmetic shared by the apps."""

import calendar
import datetime

from django.utils import timezone


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` later (or earlier), or the month's last day if it is shorter:
    31 January + 1 month is 28 (or 29) February."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def start_of_day(day: datetime.date) -> datetime.datetime:
    """Midnight at the start of `day` in the service's time zone (TIME_ZONE), for ranges of
    whole days that an index on a timestamp can answer: `at >= start_of_day(a)` and
    `at < start_of_day(b + 1 day)`."""
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=timezone.get_current_timezone())
