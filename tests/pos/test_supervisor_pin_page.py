"""Back office: owners and managers set their supervisor PIN; the return list
shows who took back what (issue 11)."""

import pytest
from django.contrib.auth.hashers import check_password

from backoffice.tenancy.context import tenant_context
from backoffice.tenancy.models import Membership
from tests.factories import UserFactory, membership

pytestmark = pytest.mark.django_db
URL = "/admin/supervisor-pin/"


def test_owner_without_pin_is_told_and_sets_one(client, business, owner):
    client.force_login(owner)
    dashboard = client.get("/admin/").content.decode()
    assert "Aún no tiene PIN de supervisor" in dashboard
    assert URL in dashboard
    page = client.get(URL)
    assert page.status_code == 200
    assert "Aún no tiene PIN" in page.content.decode()

    mismatch = client.post(URL, {"pin": "482913", "pin_again": "482914"})
    letters = client.post(URL, {"pin": "48291a", "pin_again": "48291a"})
    short = client.post(URL, {"pin": "4829", "pin_again": "4829"})
    done = client.post(URL, {"pin": "482913", "pin_again": "482913"})

    assert [r.status_code for r in (mismatch, letters, short)] == [400, 400, 400]
    assert "Los dos PIN no coinciden." in mismatch.content.decode()
    assert (done.status_code, done["Location"]) == (302, URL)
    with tenant_context(business):
        pin = Membership.objects.get(business=business, user=owner).pin
    assert check_password("482913", pin)
    assert (
        "Aún no tiene PIN de supervisor" not in client.get("/admin/").content.decode()
    )
    assert "Ya tiene un PIN" in client.get(URL).content.decode()


def test_a_cashier_cannot_set_one(client, business):
    cashier = UserFactory()
    membership(business, cashier, "cashier")
    client.force_login(cashier)
    assert client.get(URL).status_code in (302, 403)
    assert client.post(URL, {"pin": "482913", "pin_again": "482913"}).status_code in (
        302,
        403,
    )
    with tenant_context(business):
        assert Membership.objects.get(business=business, user=cashier).pin == ""


def test_return_list_shows_who_returned_and_approved(
    client, business, owner, post, cashier
):
    import json
    import uuid

    from pos.services import supervisor_pin_set
    from tests.pos.conftest import make_product

    manager = UserFactory(first_name="Marta", last_name="Ruiz")
    member = membership(business, manager, "manager")
    cashier.first_name, cashier.last_name = "Carla", "Paz"
    cashier.save()
    with tenant_context(business):
        supervisor_pin_set(business=business, membership=member, pin="432198")
    sale = post([(make_product(business, code="G", price="1.00"), 2)])
    with tenant_context(business):
        line = sale.lines.get()
    client.force_login(cashier)
    response = client.post(
        f"/pos/api/sales/{sale.pk}/returns",
        json.dumps(
            {
                "idempotency_key": str(uuid.uuid4()),
                "reason": "Vencido",
                "pin": "432198",
                "lines": [{"line": line.pk, "quantity": "1"}],
            }
        ),
        content_type="application/json",
    )
    assert response.status_code == 201
    client.force_login(owner)
    page = client.get("/admin/pos/salereturn/").content.decode()
    assert "Vencido" in page, page
    assert cashier.get_username() in page and manager.get_username() in page
    voids = client.get("/admin/pos/void/")
    assert voids.status_code == 200
