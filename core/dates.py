"""Local-day boundaries: a business's day starts at local midnight (TIME_ZONE)."""

from datetime import date, datetime, time

from django.utils import timezone


def day_start(day: date) -> datetime:
    """The aware datetime of local midnight at the start of `day`."""
    return timezone.make_aware(datetime.combine(day, time.min))
