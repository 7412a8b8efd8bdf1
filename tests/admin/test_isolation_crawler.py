"""The isolation crawler: an owner of one business walks the whole back office
and tries every URL of the other business's objects.

It walks `admin.site._registry`, so a model registered later by any app is
covered without touching this file. A registered tenant model without objects
in the demo fails the test, so coverage cannot silently drop: add demo data.
"""

import html
import json

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import NoReverseMatch, reverse
from import_export.admin import ExportMixin
from import_export.formats.base_formats import CSV

from backoffice.tenancy import rls
from backoffice.tenancy.context import system_context
from backoffice.tenancy.models import Business, TenantModel
from fixtures.demo import RESTAURANT, SHOP

ALLOWED_REFUSALS = {302, 403, 404}
SAMPLE = 3  # objects of each model tried per business


def _url(name, *args):
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


class Row:
    """An object and its str(), taken with system access (RLS on PostgreSQL)."""

    def __init__(self, obj):
        self.obj, self.pk, self.text = obj, obj.pk, str(obj)

    def __str__(self):
        return self.text


def _objects_of(model, business):
    """Up to SAMPLE rows of `business` for a registered model."""
    with system_context():
        if model is Business:
            return [Row(business)]
        if issubclass(model, TenantModel):
            rows = model.unscoped_objects.filter(business=business)[:SAMPLE]
            return [Row(obj) for obj in rows]
    return None  # a platform model (users, groups, tasks): not tenant data


def _markers(model, row, own_strings):
    """Strings that may only appear on a page that leaks `row`."""
    obj = row.obj
    meta = model._meta
    markers = []
    change = _url(f"admin:{meta.app_label}_{meta.model_name}_change", obj.pk)
    if change:
        markers.append(change)
    text = row.text
    if len(text) >= 4 and text not in own_strings:
        markers += [text, html.escape(text)]
    if model is Business:
        markers += [obj.ruc, obj.razon_social, html.escape(obj.razon_social)]
    return markers


class Crawl:
    def __init__(self, client, me, other):
        self.client, self.me, self.other = client, me, other
        self.problems: list[str] = []
        self.tried = 0

    def check(self, method, url, markers, data=None, **extra):
        self.tried += 1
        if method == "get":
            response = self.client.get(url, data or {}, **extra)
        else:
            response = self.client.post(url, data or {}, **extra)
        body = b"".join(response) if response.streaming else response.content
        text = body.decode("utf-8", "replace")
        leaked = [m for m in markers if m and m in text]
        if response.status_code == 200 and leaked:
            self.problems.append(f"{method.upper()} {url} shows {leaked[:3]}")
        elif response.status_code not in ALLOWED_REFUSALS | {200}:
            self.problems.append(f"{method.upper()} {url} -> {response.status_code}")
        return response, text


def _fake_request(crawl):
    """A request as the crawling owner, to ask an admin which actions it offers."""
    from django.test import RequestFactory

    from backoffice.tenancy.selectors import membership_active_for

    request = RequestFactory().get("/admin/")
    request.user = crawl.user
    request.membership = membership_active_for(user=crawl.user, business_id=None)
    request.business = crawl.me
    return request


def _login(client, username):
    assert client.login(username=username, password="demo1234")


@pytest.fixture
def demo(db):
    call_command(
        "load_demo",
        sales=8,
        stdout=open("/dev/null", "w"),  # noqa: SIM115
    )
    with system_context():
        return (
            Business.objects.get(ruc=RESTAURANT["ruc"]),
            Business.objects.get(ruc=SHOP["ruc"]),
        )


def _crawl(client, me_owner, me, other, covered):
    _login(client, me_owner)
    crawl = Crawl(client, me, other)
    crawl.user = get_user_model().objects.get(username=me_owner)
    for model, model_admin in admin.site._registry.items():
        meta = model._meta
        label = meta.label
        theirs = _objects_of(model, other)
        mine = _objects_of(model, me) or []
        own_strings = {str(o) for o in mine}
        changelist = _url(f"admin:{meta.app_label}_{meta.model_name}_changelist")

        if theirs is None:
            # Platform models: a tenant owner must be refused outright.
            for url in filter(None, [changelist]):
                response, _ = crawl.check("get", url, [])
                if response.status_code == 200:
                    crawl.problems.append(f"GET {url}: platform page open to a tenant")
            continue
        if theirs:
            covered.add(label)

        markers = [m for obj in theirs for m in _markers(model, obj, own_strings)]
        if changelist:
            crawl.check("get", changelist, markers)
            for obj in theirs:
                # The page echoes the search term: judge by the other markers.
                term = str(obj)[:40]
                echo = [m for m in markers if term in m or m in term]
                rest = [m for m in markers if m not in echo]
                crawl.check("get", changelist, rest, {"q": term})

        if changelist and theirs:
            # Every admin action, run on the other business's rows by primary key.
            for action in model_admin.get_actions(_fake_request(crawl)) or {}:
                crawl.check(
                    "post",
                    changelist,
                    markers,
                    {
                        "action": action,
                        "_selected_action": [str(o.pk) for o in theirs],
                        "post": "yes",
                        "index": "0",
                    },
                )

        for obj in theirs:
            prefix = f"admin:{meta.app_label}_{meta.model_name}"
            for name in ("change", "delete", "history"):
                if url := _url(f"{prefix}_{name}", obj.pk):
                    crawl.check("get", url, markers)
            # Saving or deleting through the forms must not touch it either.
            if url := _url(f"{prefix}_delete", obj.pk):
                crawl.check("post", url, markers, {"post": "yes"})
            if url := _url(f"{prefix}_change", obj.pk):
                crawl.check("post", url, markers, {"_save": "1"})
            history = getattr(model, "history", None)
            if history is not None and hasattr(history, "model"):
                with system_context():
                    records = list(
                        history.model.objects.filter(
                            **{meta.pk.attname: obj.pk}
                        ).values_list("history_id", flat=True)[:2]
                    )
                for history_id in records:
                    if url := _url(f"{prefix}_simple_history", obj.pk, history_id):
                        crawl.check("get", url, markers)
            with system_context():
                still_there = model._base_manager.filter(pk=obj.pk).exists()
            if not still_there:
                crawl.problems.append(f"{label} {obj.pk} of {other} was deleted")

        if isinstance(model_admin, ExportMixin) and changelist:
            _crawl_export(crawl, model_admin, meta, theirs, markers)

        _crawl_autocomplete(crawl, model, model_admin, theirs, markers)

    # The unfold command search, over every model.
    for obj_markers in [[str(other)], [other.ruc]]:
        crawl.check(
            "get",
            reverse("admin:search"),
            obj_markers,
            {"s": obj_markers[0], "extended": "1"},
        )
    # The dashboard.
    crawl.check("get", reverse("admin:index"), [str(other), other.ruc])
    client.logout()
    return crawl


def _crawl_export(crawl, model_admin, meta, theirs, markers):
    url = reverse(f"admin:{meta.app_label}_{meta.model_name}_export")
    formats = model_admin.get_export_formats()
    csv_index = next(i for i, f in enumerate(formats) if issubclass(f, CSV))
    data = {"format": str(csv_index), "resource": "0"}
    form = model_admin.get_export_form_class()(
        formats, model_admin.get_export_resource_classes(None)
    )
    for name, field in form.fields.items():
        if name not in data and field.__class__.__name__ == "BooleanField":
            data[name] = "on"
    # Also ask for B's rows by primary key, as the export action would.
    data["export_items"] = [str(o.pk) for o in theirs]
    response, text = crawl.check("post", url, markers, data)
    data.pop("export_items")
    response, text = crawl.check("post", url, markers, data)
    if response.status_code == 200 and "text/csv" not in response["Content-Type"]:
        crawl.problems.append(f"export {url} did not export CSV")
    for obj in theirs:
        if f"\n{obj.pk}," in text or text.startswith(f"{obj.pk},"):
            crawl.problems.append(f"export {url} contains row id {obj.pk}")


def _crawl_autocomplete(crawl, model, model_admin, theirs, markers):
    """Every relation on a registered model that points here, through autocomplete."""
    if not model_admin.get_search_fields(None):
        return
    their_ids = {str(o.pk) for o in theirs}
    for source_model in admin.site._registry:
        for field in source_model._meta.get_fields():
            if not (field.is_relation and field.concrete) or field.auto_created:
                continue
            if field.related_model is not model or field.name == "business":
                continue
            for term in ["", str(theirs[0])[:20] if theirs else ""]:
                response, text = crawl.check(
                    "get",
                    reverse("admin:autocomplete"),
                    markers,
                    {
                        "term": term,
                        "app_label": source_model._meta.app_label,
                        "model_name": source_model._meta.model_name,
                        "field_name": field.name,
                    },
                )
                if response.status_code == 200:
                    ids = {r["id"] for r in json.loads(text)["results"]}
                    if ids & their_ids:
                        crawl.problems.append(
                            f"autocomplete {source_model._meta.label}.{field.name} "
                            f"offers {sorted(ids & their_ids)}"
                        )


def test_owner_never_reaches_the_other_business(client, demo):
    restaurant, shop = demo
    covered: set[str] = set()
    crawls = [
        _crawl(client, "restaurante", restaurant, shop, covered),
        _crawl(client, "tienda", shop, restaurant, covered),
    ]
    problems = [p for c in crawls for p in c.problems]
    assert not problems, "\n".join(problems)

    tenant_models = {
        m._meta.label
        for m in admin.site._registry
        if m is Business or issubclass(m, TenantModel)
    }
    uncovered = tenant_models - covered
    assert not uncovered, (
        f"registered tenant models with no demo objects to crawl: {sorted(uncovered)}; "
        "add them to fixtures/demo.py so the crawler can test them"
    )
    # The crawl really ran: every tenant model, several URLs each.
    assert {
        "tenancy.Business",
        "tenancy.Establishment",
        "tenancy.Membership",
    } <= covered
    assert all(c.tried >= 6 * len(tenant_models) for c in crawls)


def test_crawler_detects_a_leak(client, demo, monkeypatch):
    """The crawler can fail: break the base admin's scoping and it notices."""
    from backoffice.tenancy.admin_base import TenantScopeMixin

    def leaky(self, request):
        with system_context():
            return self.model.unscoped_objects.all()

    monkeypatch.setattr(TenantScopeMixin, "get_queryset", leaky)
    # Switch PostgreSQL's row-level security off too (the policy lets "*" see
    # all), so only the application's scoping is under test here.
    monkeypatch.setattr(rls, "current_rls_key", lambda: "*")
    restaurant, shop = demo
    crawl = _crawl(client, "restaurante", restaurant, shop, set())
    assert any("shows" in p for p in crawl.problems), crawl.problems


@pytest.mark.postgres
def test_row_level_security_alone_stops_a_leaking_admin(client, demo, monkeypatch):
    """Defence in depth: with the admin's scoping broken, RLS still hides B."""
    from backoffice.tenancy.admin_base import TenantScopeMixin

    def leaky(self, request):
        return self.model.unscoped_objects.all()

    monkeypatch.setattr(TenantScopeMixin, "get_queryset", leaky)
    restaurant, shop = demo
    crawl = _crawl(client, "restaurante", restaurant, shop, set())
    assert not crawl.problems, "\n".join(crawl.problems)
