"""PostgreSQL: concurrent «Enviar» taps send once; RLS hides other businesses."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from backoffice.tenancy.context import tenant_context
from backoffice.tenancy.rls import tenant_tables
from pos.restaurant import services
from pos.restaurant.models import KitchenTicket, KitchenTicketLine, OrderItem
from tests.factories import BusinessFactory, UserFactory, membership

from .conftest import build_restaurant

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_concurrent_sends_send_each_item_exactly_once(business):
    menu = build_restaurant(business)
    waiters = [UserFactory() for _ in range(8)]
    for user in waiters:
        membership(business, user, "waiter")
    with tenant_context(business):
        order = services.table_open(
            business=business, table_id=menu.tables[4].pk, user=waiters[0]
        )
        for product in (menu.seco, menu.jugo, menu.helado):
            services.item_add(
                business=business,
                order_id=order.pk,
                user=waiters[0],
                product_id=product.pk,
            )
    start = threading.Barrier(len(waiters))

    def tap(user):
        try:
            with tenant_context(business):
                start.wait()
                return len(
                    services.order_send(business=business, order_id=order.pk, user=user)
                )
        finally:
            connection.close()

    with ThreadPoolExecutor(len(waiters)) as pool:
        sent = sorted(pool.map(tap, waiters))
    assert sent == [0] * 7 + [2]  # one tap sent a cocina and a bar ticket
    with tenant_context(business):
        assert KitchenTicket.objects.count() == 2
        assert KitchenTicketLine.objects.count() == 3
        assert set(OrderItem.objects.values_list("state", flat=True)) == {"sent"}


def test_row_level_security_hides_other_business_tables(business):
    assert {"restaurant_table", "restaurant_order", "restaurant_orderitem"} <= set(
        tenant_tables()
    )
    build_restaurant(business)
    other = BusinessFactory()
    with tenant_context(other), connection.cursor() as cursor:
        # Raw SQL with no WHERE: the policy alone filters the rows.
        cursor.execute("SELECT count(*) FROM restaurant_table")
        assert cursor.fetchone()[0] == 0
        cursor.execute("SELECT count(*) FROM restaurant_kitchenticket")
        assert cursor.fetchone()[0] == 0
    with tenant_context(business), connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM restaurant_table")
        assert cursor.fetchone()[0] == 6
