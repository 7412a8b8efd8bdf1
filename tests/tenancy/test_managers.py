import pytest
from django.apps import apps
from django.db.models import UniqueConstraint

from backoffice.catalog.models import Category
from backoffice.tenancy.context import (
    TenantMismatchError,
    TenantNotSetError,
    current_business,
    require_business,
    system_context,
    tenant_context,
)
from backoffice.tenancy.managers import TenantManager
from backoffice.tenancy.models import Business, Establishment, TenantModel


def test_default_manager_raises_without_business(two_categories):
    with pytest.raises(TenantNotSetError):
        list(Category.objects.all())


def test_default_manager_returns_only_current_business(
    two_categories, business, other_business
):
    with tenant_context(business):
        assert list(Category.objects.values_list("name", flat=True)) == ["Bebidas A"]
    with tenant_context(other_business):
        assert list(Category.objects.values_list("name", flat=True)) == ["Bebidas B"]


def test_for_business_refuses_another_business(
    two_categories, business, other_business
):
    with tenant_context(business), pytest.raises(TenantMismatchError):
        Category.objects.for_business(other_business)


def test_system_context_and_unscoped_manager_see_everything(two_categories):
    # On PostgreSQL row-level security also needs the explicit system context.
    with system_context():
        assert Category.unscoped_objects.count() == 2
        assert Category.objects.count() == 2


def tenant_models():
    return [
        m
        for m in apps.get_models()
        if issubclass(m, TenantModel) and not m._meta.abstract
    ]


def test_every_tenant_model_fails_closed():
    models = tenant_models()
    assert len(models) >= 8  # tenancy, catalog, customers, inventory, fiscal
    for model in models:
        assert isinstance(model._default_manager, TenantManager), model
        assert isinstance(model.objects, TenantManager), model
        with pytest.raises(TenantNotSetError):
            model.objects.all()
        with pytest.raises(TenantNotSetError):
            model.objects.filter(pk=1)


def test_every_table_with_business_id_belongs_to_a_tenant_model():
    """Catch a model that stores business_id but skips the fail-closed base."""
    for model in apps.get_models():
        columns = {f.column for f in model._meta.concrete_fields}
        if "business_id" not in columns:
            continue
        if model.__name__.startswith("Historical"):
            continue  # simple-history copies; protected by RLS and scoped admins
        assert issubclass(model, TenantModel), model


def test_every_unique_constraint_includes_business():
    for model in tenant_models():
        for constraint in model._meta.constraints:
            if isinstance(constraint, UniqueConstraint):
                assert "business" in constraint.fields, (model, constraint.name)
        for fields in model._meta.unique_together:
            assert "business" in fields, (model, fields)
        scoped = {
            tuple(c.fields)
            for c in model._meta.constraints
            if isinstance(c, UniqueConstraint)
        }
        for field in model._meta.concrete_fields:
            if not field.unique or field.primary_key:
                continue
            # A one-to-one link to another tenant row (Void.sale) is allowed when
            # the (business, link) pair is also declared unique.
            if field.one_to_one and ("business", field.name) in scoped:
                continue
            pytest.fail(f"{model.__name__}.{field.name} is unique across tenants")


def test_related_managers_fail_closed_too(business):
    with tenant_context(business):
        establishment = Establishment.objects.get(code="001")
    with pytest.raises(TenantNotSetError):
        list(establishment.emission_points.all())
    with tenant_context(business):
        assert [p.code for p in establishment.emission_points.all()] == ["001"]


def test_get_and_count_fail_closed(business):
    with pytest.raises(TenantNotSetError):
        Establishment.objects.get(code="001")
    with pytest.raises(TenantNotSetError):
        Establishment.objects.count()
    with tenant_context(business):
        assert Establishment.objects.count() == 1


def test_tenant_context_needs_a_saved_business(db):
    with pytest.raises(TenantNotSetError):
        tenant_context(None).__enter__()
    with pytest.raises(TenantNotSetError):
        tenant_context(Business()).__enter__()


def test_require_business_is_not_satisfied_by_system_context(business):
    with system_context(), pytest.raises(TenantNotSetError):
        require_business()
    with tenant_context(business):
        assert require_business() == business
    with pytest.raises(TenantNotSetError):
        require_business()


def test_context_is_restored_after_nesting(business, other_business):
    with tenant_context(business):
        with tenant_context(other_business):
            assert current_business() == other_business
        assert current_business() == business
    assert current_business() is None


def test_middleware_sets_and_clears_the_business(client, business, owner):
    from backoffice.tenancy.context import _current

    client.force_login(owner)
    response = client.get("/admin/")
    assert response.wsgi_request.business == business
    assert response.wsgi_request.membership.role == "owner"
    assert _current.get() is None  # nothing leaks out of the request


def test_history_of_tenancy_models_fails_closed(business, other_business):
    from backoffice.tenancy.models import EmissionPoint, Membership

    for model in (Establishment, EmissionPoint, Membership):
        with pytest.raises(TenantNotSetError):
            model.history.all()
    with tenant_context(business):
        own = Establishment.history.all()
        assert {h.business_id for h in own} == {business.pk}
        establishment = Establishment.objects.get(code="001")
        assert establishment.history.count() == 1
    with pytest.raises(TenantNotSetError):
        establishment.history.count()
    with system_context():
        assert {h.business_id for h in Establishment.history.all()} == {
            business.pk,
            other_business.pk,
        }
