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
from django.db.models import DateTimeField, Q
from django.utils.functional import cached_property
from unfold.contrib.filters.admin import RangeDateFilter

from core.dates import day_start

CAP = 10_000
# At most this many rows of a small table (products, customers) stand for a
# text search on a big one; past it the owner narrows the words.
MATCH_CAP = 1_000


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


def text_matches(
    queryset, search_term: str, fields: list[str], column: str = "pk"
) -> list:
    """`column` (the key) of the rows whose `fields` contain every word of the term.

    For big tables under row-level security (issue 16): `ILIKE` is not
    leakproof, so PostgreSQL evaluates it after the tenant policy on every row
    of the business and cannot use an index for it. The words are matched on a
    small table (products, customers) instead, and the big one is filtered by
    these ids on an index. Words are ANDed and fields ORed, as Django's admin
    search does.
    """
    condition = Q()
    for word in search_term.split():
        any_field = Q()
        for field in fields:
            any_field |= Q(**{f"{field}__icontains": word})
        condition &= any_field
    return list(queryset.filter(condition).values_list(column, flat=True)[:MATCH_CAP])
