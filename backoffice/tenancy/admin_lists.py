"""Changelists that stay fast with a year of rows (issue 16).

Django's changelist counts the filtered rows, counts the whole table again for
"N of M", and `date_hierarchy` reads the distinct years (and MIN/MAX while
searching): three or four scans of a table with a million rows under
row-level security. These lists count at most `CAP` rows, never the whole
table, and filter dates with a range instead of the year drill-down.
"""

import re
from datetime import timedelta

from django import forms
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import DateTimeField
from django.utils.functional import cached_property
from unfold.contrib.filters.admin import RangeDateFilter

from core.dates import day_start

CAP = 10_000


class CappedCountPaginator(Paginator):
    """Counts up to CAP + 1 rows: the pages past CAP are reached by filtering."""

    @cached_property
    def count(self):
        return self.object_list.order_by()[: CAP + 1].count()


class LargeListMixin:
    paginator = CappedCountPaginator
    list_per_page = 50  # rendering a row costs more than reading it
    show_full_result_count = False
    list_filter_submit = True  # unfold's range filters submit with a button


class DayRangeFilter(RangeDateFilter):
    """From/to days, both included, on a date or datetime field.

    On a datetime field the days become local-midnight bounds (`>= from`,
    `< to + 1 day`), so the index on the column serves the filter.
    """

    def _day(self, suffix: str):
        # The locale's input formats (31/12/2026 in Spanish), as the form shows them.
        value = self.used_parameters.get(f"{self.parameter_name}_{suffix}")
        try:
            return forms.DateField().clean(value) if isinstance(value, str) else None
        except ValidationError:
            return None

    def queryset(self, request, queryset):
        first, last = self._day("from"), self._day("to")
        filters = {}
        if not isinstance(self.field, DateTimeField):
            if first:
                filters[f"{self.field_path}__gte"] = first
            if last:
                filters[f"{self.field_path}__lte"] = last
        else:
            if first:
                filters[f"{self.field_path}__gte"] = day_start(first)
            if last and last.year < 9999:
                filters[f"{self.field_path}__lt"] = day_start(last + timedelta(days=1))
        return queryset.filter(**filters)


def date_range(field: str):
    """A list_filter entry: a from/to range of days on a date(time) field."""
    return (field, DayRangeFilter)


_DOCUMENT_NUMBER = re.compile(r"^(\d{3})-(\d{3})-(\d{1,9})$")
_SEQUENTIAL = re.compile(r"^\d{1,9}$")


def parse_document_number(term: str) -> tuple[str | None, int] | None:
    """`001-001-000012345` → ("001-001-000012345", 12345); `12345` → (None, 12345).

    Anything else is not a number: the caller searches by text instead.
    """
    term = term.strip()
    if match := _DOCUMENT_NUMBER.match(term):
        establishment, point, sequential = match.groups()
        number = int(sequential)
        return f"{establishment}-{point}-{number:09d}", number
    if _SEQUENTIAL.match(term):
        return None, int(term)
    return None
