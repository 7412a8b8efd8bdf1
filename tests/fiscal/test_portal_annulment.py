# ruff: noqa: F811 - pytest fixtures imported from tests.pos.conftest
"""A voided CONSUMIDOR FINAL invoice is annulled in the SRI portal, then recorded.

SRI takes no credit note to CONSUMIDOR FINAL: the void marks the invoice for
annulment in the portal; once the owner has done it there, they record it here,
and the back office stops asking.
"""

import pytest
from django.urls import reverse

from backoffice.tenancy.context import tenant_context
from fiscal.errors import DocumentStateError
from fiscal.models import DocState, ElectronicDocument
from fiscal.selectors import edoc_for_sale, edoc_to_annul_count
from fiscal.services import edoc_portal_annulment_record
from pos.services import sale_void
from tests.factories import UserFactory, membership
from tests.pos.conftest import (  # noqa: F401 - fixtures
    _fast_hashers,
    cashier,
    point,
    post,
    product,
    session,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def to_annul(post, business, owner, product):
    """An authorised CONSUMIDOR FINAL invoice whose sale was voided."""
    sale = post([(product, 1)])
    with tenant_context(business):
        sale_void(business=business, sale=sale, actor=owner, reason="Error de caja")
        invoice = edoc_for_sale(business=business, sale_id=sale.pk)
        ElectronicDocument.objects.filter(pk=invoice.pk).update(
            state=DocState.AUTHORISED, authorization_number="1" * 49
        )
        invoice.refresh_from_db()
    return invoice


def test_recording_the_portal_annulment_clears_the_pending_count(
    business, owner, to_annul
):
    with tenant_context(business):
        assert edoc_to_annul_count(business=business) == 1
        edoc = edoc_portal_annulment_record(
            business=business, edoc=to_annul, user=owner, reference=" SOL-123 "
        )
        assert edoc_to_annul_count(business=business) == 0
        stored = ElectronicDocument.objects.get(pk=to_annul.pk)
    assert stored.annulled_in_portal_by == owner
    assert stored.annulled_in_portal_at is not None
    assert stored.annulment_reference == "SOL-123"
    assert edoc.portal_annulment_pending is False
    assert stored.needs_portal_annulment  # still listed in the ATS anulados


def test_recording_twice_keeps_the_first_record(business, owner, to_annul):
    other = UserFactory()
    membership(business, other, "manager")
    with tenant_context(business):
        first = edoc_portal_annulment_record(
            business=business, edoc=to_annul, user=owner
        )
        with pytest.raises(DocumentStateError, match="ya fue registrada"):
            edoc_portal_annulment_record(business=business, edoc=to_annul, user=other)
        stored = ElectronicDocument.objects.get(pk=to_annul.pk)
    assert (stored.annulled_in_portal_by, stored.annulled_in_portal_at) == (
        owner,
        first.annulled_in_portal_at,
    )


def test_an_invoice_not_yet_authorised_cannot_be_recorded(business, owner, to_annul):
    with tenant_context(business):
        ElectronicDocument.objects.filter(pk=to_annul.pk).update(state=DocState.SIGNED)
        with pytest.raises(DocumentStateError, match="autorizados"):
            edoc_portal_annulment_record(business=business, edoc=to_annul, user=owner)
        assert (
            ElectronicDocument.objects.get(pk=to_annul.pk).annulled_in_portal_at is None
        )


def test_an_invoice_not_marked_for_annulment_is_refused(post, business, owner, product):
    sale = post([(product, 1)])
    with tenant_context(business):
        invoice = edoc_for_sale(business=business, sale_id=sale.pk)
        with pytest.raises(DocumentStateError, match="no está marcado"):
            edoc_portal_annulment_record(business=business, edoc=invoice, user=owner)


def test_another_business_cannot_record_it(business, other_business, to_annul):
    stranger = UserFactory()
    membership(other_business, stranger, "owner")
    with tenant_context(other_business), pytest.raises(DocumentStateError):
        edoc_portal_annulment_record(
            business=other_business, edoc=to_annul, user=stranger
        )
    with tenant_context(business):
        assert (
            ElectronicDocument.objects.get(pk=to_annul.pk).annulled_in_portal_at is None
        )


def _action_url(edoc):
    return reverse(
        "admin:fiscal_electronicdocument_record_portal_annulment", args=[edoc.pk]
    )


def test_owner_records_it_from_the_document_page(client, business, owner, to_annul):
    client.force_login(owner)
    response = client.post(
        _action_url(to_annul), {"_form_submitted": "on", "reference": "SOL-9"}
    )
    assert response.status_code == 302
    with tenant_context(business):
        stored = ElectronicDocument.objects.get(pk=to_annul.pk)
    assert (stored.annulled_in_portal_by, stored.annulment_reference) == (
        owner,
        "SOL-9",
    )


def test_a_cashier_cannot_record_it(client, business, cashier, to_annul):
    client.force_login(cashier)
    response = client.post(
        _action_url(to_annul), {"_form_submitted": "on", "reference": "X"}
    )
    assert response.status_code == 403
    with tenant_context(business):
        assert (
            ElectronicDocument.objects.get(pk=to_annul.pk).annulled_in_portal_at is None
        )


def test_the_changelist_filter_finds_what_is_left_to_annul(
    client, business, owner, to_annul
):
    client.force_login(owner)
    url = reverse("admin:fiscal_electronicdocument_changelist")
    pending = client.get(url, {"portal_annulment": "pending"})
    assert pending.status_code == 200
    assert list(pending.context["cl"].result_list) == [to_annul]
    with tenant_context(business):
        edoc_portal_annulment_record(business=business, edoc=to_annul, user=owner)
    pending = client.get(url, {"portal_annulment": "pending"})
    done = client.get(url, {"portal_annulment": "done"})
    assert list(pending.context["cl"].result_list) == []
    assert list(done.context["cl"].result_list) == [to_annul]
