"""Refuse admin changelist date filters the database cannot take (issue 9 §4).

`?issue_date__year=999999999` or `?posted_at__gte=9999-12-31` pass Django's
lookup checks and only fail when the SQL is built (an OverflowError or
ValueError: a 500). This middleware checks a changelist's query string against
its model's date fields before the view runs, for every registered admin
(ours and third-party ones alike), and answers a 400 page naming the filter.
It only reads the query string: nothing runs, nothing is written.
"""

from __future__ import annotations

from datetime import datetime

from django.contrib import admin
from django.db import models
from django.db.models.constants import LOOKUP_SEP
from django.shortcuts import render
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from . import limits

# Date-part lookups and the values they may take.
DATE_PARTS = {
    "year": (limits.MIN_DATE.year, limits.MAX_DATE.year),
    "iso_year": (limits.MIN_DATE.year, limits.MAX_DATE.year),
    "quarter": (1, 4),
    "month": (1, 12),
    "week": (1, 53),
    "day": (1, 31),
    "week_day": (1, 7),
    "iso_week_day": (1, 7),
}
# Lookups whose value is not a date (left to Django).
NOT_DATES = {"isnull", "isempty"}


def _date_field(model, parts: list[str]):
    """The date field `parts` starts with (across relations) and its lookups."""
    for i, part in enumerate(parts):
        try:
            field = model._meta.get_field(part)
        except Exception:  # not a field (a lookup or a typo): Django decides
            return None, []
        if isinstance(field, models.DateField):  # DateTimeField included
            return field, parts[i + 1 :]
        if not field.is_relation or field.related_model is None:
            return None, []
        model = field.related_model
    return None, []


def _part_ok(value: str, low: int, high: int) -> bool:
    return value.strip().isdigit() and low <= int(value) <= high


def _date_ok(value: str) -> bool:
    """Unparseable values are Django's to refuse; parsed ones must be in range."""
    value = value.strip()
    try:
        parsed = parse_datetime(value) or parse_date(value)
    except ValueError:  # well-formed but impossible (2026-02-30): out of range
        return False
    if parsed is None:
        # Django's own parsing also takes a year of any length ("99999-01-01").
        head = value.split("-", 1)[0]
        return not (head.isdigit() and len(head) > 4)
    day = parsed.date() if isinstance(parsed, datetime) else parsed
    return limits.MIN_DATE <= day <= limits.MAX_DATE


def date_lookup_problem(model, params) -> str | None:
    """The first date filter in `params` out of range for `model`, or None."""
    for key, values in params.lists():
        field, lookups = _date_field(model, key.split(LOOKUP_SEP))
        if field is None or (lookups and lookups[-1] in NOT_DATES):
            continue
        part = next((lk for lk in lookups if lk in DATE_PARTS), None)
        for value in values:
            listed = "in" in lookups or "range" in lookups
            for item in value.split(",") if listed else [value]:
                ok = _part_ok(item, *DATE_PARTS[part]) if part else _date_ok(item)
                if not ok:
                    return key
    return None


def _changelists() -> dict[str, type]:
    return {
        f"{m._meta.app_label}_{m._meta.model_name}_changelist": m
        for m in admin.site._registry
    }


class AdminDateLookupMiddleware:
    """A 400 page for a changelist date filter the database would overflow on."""

    def __init__(self, get_response):
        self.get_response = get_response
        self._models = None

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        if match is None or match.namespace != admin.site.name or not request.GET:
            return None
        if self._models is None:
            self._models = _changelists()
        model = self._models.get(match.url_name)
        if model is None:
            return None
        key = date_lookup_problem(model, request.GET)
        if key is None:
            return None
        context = {
            **admin.site.each_context(request),
            "title": _("Filtro no válido"),
            "message": _(
                "El filtro «%(key)s» tiene una fecha fuera de rango "
                "(entre %(min)s y %(max)s)."
            )
            % {"key": key, "min": limits.MIN_DATE.year, "max": limits.MAX_DATE.year},
            "back_url": request.path,
        }
        return render(request, "admin/bad_lookup.html", context, status=400)


__all__ = ["AdminDateLookupMiddleware", "date_lookup_problem"]
