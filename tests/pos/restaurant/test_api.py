"""The restaurant JSON API and pages: roles, flows, isolation, query counts."""

import pytest
from django.urls import reverse

from backoffice.tenancy.context import tenant_context
from pos.models import Sale
from pos.restaurant import services
from pos.restaurant.models import KitchenTicket, RestaurantSettings
from tests.factories import BusinessFactory, UserFactory, membership

pytestmark = pytest.mark.django_db


@pytest.fixture
def waiter_client(client, waiter):
    client.force_login(waiter)
    return client


def post(client, name, body=None, **kw):
    return client.post(
        reverse(f"restaurant:{name}", kwargs=kw),
        body or {},
        content_type="application/json",
    )


def test_waiter_lands_on_the_floor_and_sees_every_page(waiter_client, business, menu):
    response = waiter_client.get(reverse("pos:page"))
    assert response.status_code == 302
    assert response["Location"] == reverse("restaurant:floor")
    for name, kw in (
        ("floor", {}),
        ("order", {"pk": menu.tables[0].pk}),
        ("kitchen", {"pk": menu.kitchen.pk}),
    ):
        page = waiter_client.get(reverse(f"restaurant:{name}", kwargs=kw))
        assert page.status_code == 200
        assert "<script>" not in page.content.decode()  # CSP: modules only


def test_order_flow_through_the_api(waiter_client, business, menu):
    order = post(waiter_client, "api-table-open", pk=menu.tables[4].pk).json()
    bad = post(
        waiter_client, "api-item-add", {"product": menu.churrasco.pk}, pk=order["id"]
    )
    assert bad.status_code == 400 and "Término" in bad.json()["detail"]
    post(
        waiter_client,
        "api-item-add",
        {"product": menu.churrasco.pk, "modifiers": [menu.medio.pk], "seat": 1},
        pk=order["id"],
    )
    data = post(
        waiter_client, "api-item-add", {"product": menu.jugo.pk}, pk=order["id"]
    ).json()
    assert [i["state"] for i in data["items"]] == ["new", "new"]
    sent = post(waiter_client, "api-send", pk=order["id"]).json()
    assert len(sent["tickets"]) == 2
    assert post(waiter_client, "api-send", pk=order["id"]).json()["tickets"] == []
    tickets = waiter_client.get(
        reverse("restaurant:api-tickets", kwargs={"pk": menu.bar.pk})
    ).json()["tickets"]
    assert [t["lines"][0]["name"] for t in tickets] == ["Jugo de mora"]
    post(waiter_client, "api-ticket-ready", pk=tickets[0]["id"])
    data = waiter_client.get(
        reverse("restaurant:api-order", kwargs={"pk": order["id"]})
    ).json()
    assert [i["ready"] for i in data["items"]] == [False, True]
    floor = waiter_client.get(reverse("restaurant:api-floor")).json()
    table = next(t for t in floor["areas"][0]["tables"] if t["id"] == menu.tables[4].pk)
    assert (table["status"], table["ready"]) == ("busy", 1)
    # churrasco 12 + jugo 2.50 = 14.50; IVA 2.18; servicio 1.45
    assert table["total"] == "18.13"
    stale = post(
        waiter_client,
        "api-item-change",
        {"version": 1, "quantity": "2"},
        pk=order["id"],
        item=data["items"][0]["id"],
    )
    assert stale.status_code == 409
    # Waiters do not charge unless the owner allows it.
    assert (
        post(waiter_client, "api-split", {"mode": "whole"}, pk=order["id"]).status_code
        == 403
    )
    with tenant_context(business):
        RestaurantSettings.objects.update_or_create(
            business=business, defaults={"waiters_take_payment": True}
        )
    assert (
        post(waiter_client, "api-split", {"mode": "whole"}, pk=order["id"]).status_code
        == 200
    )


@pytest.mark.parametrize(
    "body",
    [
        [],
        {"product": "x"},
        {"product": 10**30},
        {"product": True},
        {"product": 1, "quantity": "1e999"},
        {"product": 1, "modifiers": "abc"},
        {"product": 1, "note": "x" * 500},
    ],
)
def test_bad_input_is_a_4xx(waiter_client, menu, body):
    order = post(waiter_client, "api-table-open", pk=menu.tables[0].pk).json()
    response = waiter_client.post(
        reverse("restaurant:api-item-add", kwargs={"pk": order["id"]}),
        body,
        content_type="application/json",
    )
    assert 400 <= response.status_code < 500


def test_another_business_sees_nothing(client, business, menu, waiter):
    with tenant_context(business):
        order = services.table_open(
            business=business, table_id=menu.tables[0].pk, user=waiter
        )
        services.item_add(
            business=business, order_id=order.pk, user=waiter, product_id=menu.seco.pk
        )
        services.order_send(business=business, order_id=order.pk, user=waiter)
        ticket = KitchenTicket.objects.get(business=business)
    other = BusinessFactory()
    intruder = UserFactory()
    membership(other, intruder, "owner")
    client.force_login(intruder)
    for name, pk in (
        ("api-order", order.pk),
        ("api-tickets", menu.kitchen.pk),
        ("order", menu.tables[0].pk),
        ("bill", order.pk),
        ("prebill", order.pk),
        ("ticket-print", ticket.pk),
    ):
        assert (
            client.get(reverse(f"restaurant:{name}", kwargs={"pk": pk})).status_code
            == 404
        )
    assert post(client, "api-table-open", pk=menu.tables[0].pk).status_code == 404
    assert post(client, "api-send", pk=order.pk).status_code == 404
    assert post(client, "api-ticket-ready", pk=ticket.pk).status_code == 404
    assert client.get(reverse("restaurant:api-floor")).json()["areas"] == []


def test_floor_and_kitchen_queries_do_not_grow(
    waiter_client, business, menu, waiter, django_assert_max_num_queries
):
    def fill(tables):
        with tenant_context(business):
            for table in tables:
                order = services.table_open(
                    business=business, table_id=table.pk, user=waiter
                )
                for product in (menu.seco, menu.jugo, menu.helado):
                    services.item_add(
                        business=business,
                        order_id=order.pk,
                        user=waiter,
                        product_id=product.pk,
                    )
                services.order_send(business=business, order_id=order.pk, user=waiter)

    fill(menu.tables[:1])
    with django_assert_max_num_queries(12) as one:
        waiter_client.get(reverse("restaurant:api-floor"))
    fill(menu.tables[1:])
    with django_assert_max_num_queries(len(one.captured_queries)):
        floor = waiter_client.get(reverse("restaurant:api-floor")).json()
    assert sum(t["status"] == "busy" for t in floor["areas"][0]["tables"]) == 6
    with django_assert_max_num_queries(12):
        tickets = waiter_client.get(
            reverse("restaurant:api-tickets", kwargs={"pk": menu.kitchen.pk})
        ).json()["tickets"]
    assert len(tickets) == 6


def test_printables(waiter_client, business, menu, waiter):
    with tenant_context(business):
        order = services.table_open(
            business=business, table_id=menu.tables[0].pk, user=waiter
        )
        services.item_add(
            business=business,
            order_id=order.pk,
            user=waiter,
            product_id=menu.seco.pk,
            note="sin cebolla",
        )
        (ticket,) = services.order_send(
            business=business, order_id=order.pk, user=waiter
        )
    page = waiter_client.get(
        reverse("restaurant:ticket-print", kwargs={"pk": ticket.pk})
    )
    text = page.content.decode()
    assert "Mesa 1" in text and "Seco de chivo" in text and "sin cebolla" in text
    prebill = waiter_client.get(reverse("restaurant:prebill", kwargs={"pk": order.pk}))
    text = prebill.content.decode()
    assert "PRE-CUENTA" in text and "12.50" in text  # 10 + 1.50 IVA + 1.00 servicio


def test_cashier_charges_a_part_to_a_customer(
    client, business, menu, waiter, cashier, session, customer
):
    with tenant_context(business):
        order = services.table_open(
            business=business, table_id=menu.tables[0].pk, user=waiter
        )
        services.item_add(
            business=business, order_id=order.pk, user=waiter, product_id=menu.seco.pk
        )
    client.force_login(cashier)
    data = post(client, "api-split", {"mode": "whole"}, pk=order.pk).json()
    part = data["parts"][0]
    assert part["total"] == "12.50"
    body = {"payments": [{"method": "01", "amount": "20"}], "customer": "0000000000"}
    missing = post(client, "api-part-pay", body, pk=part["id"])
    assert missing.status_code == 404 and missing.json()["field"] == "customer"
    body["customer"] = customer.identification
    paid = post(client, "api-part-pay", body, pk=part["id"]).json()
    assert paid["sale"]["change"] == "7.50"
    assert paid["status"] == "closed"
    with tenant_context(business):
        sale = Sale.objects.get(business=business)
    assert sale.customer_identification == customer.identification
    short = post(
        client,
        "api-part-pay",
        {"payments": [{"method": "01", "amount": "x"}]},
        pk=part["id"],
    )
    assert short.status_code == 400


def test_move_merge_transfer_and_release_endpoints(waiter_client, business, menu):
    t1, t2, t3 = (menu.tables[i].pk for i in range(3))
    order = post(waiter_client, "api-table-open", pk=t1).json()
    for product in (menu.seco, menu.jugo):
        order = post(
            waiter_client, "api-item-add", {"product": product.pk}, pk=order["id"]
        ).json()
    moved = post(
        waiter_client,
        "api-move",
        {"table": t2, "version": order["version"]},
        pk=order["id"],
    ).json()
    assert moved["table"]["id"] == t2
    jugo = moved["items"][1]["id"]
    post(waiter_client, "api-transfer", {"items": [jugo], "table": t3}, pk=order["id"])
    floor = waiter_client.get(reverse("restaurant:api-floor")).json()
    busy = {t["id"] for t in floor["areas"][0]["tables"] if t["status"] != "free"}
    assert busy == {t2, t3}
    other = next(t["order"] for t in floor["areas"][0]["tables"] if t["id"] == t3)
    merged = post(waiter_client, "api-merge", {"table": t2}, pk=other).json()
    assert merged["id"] == order["id"] and len(merged["items"]) == 2
    assert post(waiter_client, "api-release", pk=order["id"]).status_code == 409
    empty = post(waiter_client, "api-table-open", pk=t3).json()
    assert post(waiter_client, "api-release", pk=empty["id"]).json() == {"ok": True}
    busy_table = post(
        waiter_client, "api-move", {"table": t2, "version": 99}, pk=order["id"]
    )
    assert busy_table.status_code == 409
