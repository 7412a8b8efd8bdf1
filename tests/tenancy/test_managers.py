import pytest

from backoffice.catalog.models import Category
from backoffice.tenancy.context import (
    TenantMismatchError,
    TenantNotSetError,
    system_context,
    tenant_context,
)


@pytest.fixture
def two_categories(business, other_business):
    with tenant_context(business):
        Category.objects.create(business=business, name="Bebidas A")
    with tenant_context(other_business):
        Category.objects.create(business=other_business, name="Bebidas B")


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
