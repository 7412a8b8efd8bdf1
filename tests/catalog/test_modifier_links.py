"""Modifier group ↔ product links carry their business, so RLS covers them too."""

import pytest
from django.db import IntegrityError, ProgrammingError, connection, transaction
from django.urls import reverse

from backoffice.catalog.models import ModifierGroup, ModifierGroupProduct
from backoffice.tenancy import rls
from backoffice.tenancy.context import no_tenant, tenant_context
from tests.pos.conftest import make_product

pytestmark = pytest.mark.django_db


def _group_with(business, code):
    product = make_product(business, code=code, price="5.00")
    with tenant_context(business):
        group = ModifierGroup.objects.create(business=business, name=f"Extras {code}")
        group.products.add(product)
    return group, product


def test_a_link_added_in_context_belongs_to_that_business(business):
    group, product = _group_with(business, "HB")
    with tenant_context(business):
        (link,) = ModifierGroupProduct.objects.all()
        assert (link.business_id, link.modifiergroup_id, link.product_id) == (
            business.pk,
            group.pk,
            product.pk,
        )
        assert list(product.modifier_groups.all()) == [group]


def test_a_link_row_without_a_business_in_context_is_refused(business):
    group, product = _group_with(business, "HB")
    other = make_product(business, code="PAPAS", price="2.00")
    # The default owner comes from the context: none. PostgreSQL's row-level
    # security refuses the row first; SQLite's NOT NULL does.
    refusal = ProgrammingError if connection.vendor == "postgresql" else IntegrityError
    with no_tenant(), pytest.raises(refusal), transaction.atomic():
        ModifierGroupProduct.unscoped_objects.create(
            modifiergroup_id=group.pk, product_id=other.pk
        )
    with tenant_context(business):
        assert ModifierGroupProduct.objects.filter(product=other).count() == 0


def test_the_link_table_is_a_tenant_table():
    assert "catalog_modifiergroup_products" in rls.tenant_tables()


@pytest.mark.postgres
def test_raw_sql_sees_only_the_links_of_the_business_in_context(
    business, other_business
):
    mine, _ = _group_with(business, "A1")
    _group_with(other_business, "B1")
    with tenant_context(business), connection.cursor() as cursor:
        cursor.execute("SELECT modifiergroup_id FROM catalog_modifiergroup_products")
        assert cursor.fetchall() == [(mine.pk,)]
    with no_tenant(), connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM catalog_modifiergroup_products")
        assert cursor.fetchone() == (0,)


def _post_group(client, group, links):
    """The group's change form; `links` are (link id or None, product) rows."""
    data = {
        "name": group.name,
        "min_choices": "0",
        "max_choices": "1",
        "sort_order": "0",
        "options-TOTAL_FORMS": "0",
        "options-INITIAL_FORMS": "0",
        "modifiergroupproduct_set-TOTAL_FORMS": str(len(links)),
        "modifiergroupproduct_set-INITIAL_FORMS": str(sum(1 for i, _ in links if i)),
    }
    for n, (link_id, product) in enumerate(links):
        prefix = f"modifiergroupproduct_set-{n}-"
        data[prefix + "modifiergroup"] = str(group.pk)
        data[prefix + "product"] = str(product.pk)
        if link_id:
            data[prefix + "id"] = str(link_id)
    return client.post(
        reverse("admin:catalog_modifiergroup_change", args=[group.pk]), data
    )


def test_owner_adds_a_product_to_a_group_in_the_admin(client, business, owner):
    group, first = _group_with(business, "HB")
    second = make_product(business, code="PAPAS", price="2.00")
    with tenant_context(business):
        (link,) = ModifierGroupProduct.objects.all()
    client.force_login(owner)
    response = _post_group(client, group, [(link.pk, first), (None, second)])
    assert response.status_code == 302, response.context["errors"]
    with tenant_context(business):
        links = ModifierGroupProduct.objects.order_by("pk")
        assert [(x.product_id, x.business_id) for x in links] == [
            (first.pk, business.pk),
            (second.pk, business.pk),
        ]


def test_a_product_of_another_business_is_not_offered(
    client, business, other_business, owner
):
    group, mine = _group_with(business, "HB")
    with tenant_context(business):
        (link,) = ModifierGroupProduct.objects.all()
    theirs = make_product(other_business, code="AJENO", price="2.00")
    client.force_login(owner)
    response = _post_group(client, group, [(link.pk, mine), (None, theirs)])
    assert response.status_code == 200  # the form comes back with an error
    errors = [
        form.errors
        for formset in response.context["inline_admin_formsets"]
        for form in formset.formset.forms
        if form.errors
    ]
    assert len(errors) == 1 and "product" in errors[0]
    with tenant_context(business):
        assert ModifierGroupProduct.objects.count() == 1
