"""Issue 9 §4 in the back office: dates out of range in reports and in every
admin changelist's filters are a form error or a 400, never a 500."""

import pytest
from django.contrib import admin
from django.db import models
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_reports_with_dates_out_of_range_are_a_form_error(owner_client, owner):
    response = owner_client.get(
        "/reports/", {"since": "0001-01-01", "until": "9999-12-31"}
    )
    assert response.status_code == 400
    assert response.context["form"].errors
    assert "since" in response.context["form"].errors


def test_reports_with_a_sensible_period_still_work(owner_client):
    response = owner_client.get(
        "/reports/", {"since": "2026-01-01", "until": "2026-01-31"}
    )
    assert response.status_code == 200


def _filtered_date_fields(model, model_admin) -> set[str]:
    """Date fields a changelist lets one filter on (others Django refuses: 400)."""
    dates = {
        f.name
        for f in model._meta.get_fields()
        if isinstance(f, models.DateField) and not f.is_relation
    }
    filters = {
        f if isinstance(f, str) else f[0]
        for f in model_admin.list_filter
        if isinstance(f, str | tuple | list)
    }
    named = filters | {model_admin.date_hierarchy}
    return dates & named | {"created_at"} & dates


BAD_LOOKUPS = [
    ("__year", "999999999"),
    ("__year", "0"),
    ("__month", "13"),
    ("__day", "99"),
    ("__gte", "9999-12-31"),
    ("__lt", "0001-01-01"),
    ("__year", "x"),
]


def test_bad_date_lookups_in_every_admin_changelist_are_never_500(
    owner_client, business
):
    checked = 0
    for model, model_admin in admin.site._registry.items():
        url = reverse(
            f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist"
        )
        for name in sorted(_filtered_date_fields(model, model_admin)):
            for suffix, value in BAD_LOOKUPS:
                response = owner_client.get(url, {f"{name}{suffix}": value})
                assert response.status_code < 500, (url, name, suffix, value)
                checked += 1
    assert checked > 30


@pytest.mark.parametrize(
    "url",
    [
        "/admin/fiscal/electronicdocument/",
        "/admin/pos/sale/",
        "/admin/inventory/stockmove/",
    ],
)
def test_admin_year_far_away_is_400(owner_client, url):
    field = {"fiscal": "issue_date", "pos": "posted_at", "inventory": "created_at"}
    name = field[url.split("/")[2]]
    response = owner_client.get(url, {f"{name}__year": "999999999"})
    assert response.status_code == 400
