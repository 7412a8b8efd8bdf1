"""The POS page renders for sellers and sets the CSRF cookie the API needs."""

import pytest

from tests.factories import UserFactory, membership

pytestmark = pytest.mark.django_db


def test_page_for_cashier_lists_points_and_sets_csrf(client, cashier, point):
    client.force_login(cashier)
    response = client.get("/pos/")
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<option value="{point.pk}">' in html and 'id="pay"' in html
    assert "csrftoken" in response.cookies


def test_page_for_accountant_does_not_offer_checkout(client, business):
    accountant = UserFactory()
    membership(business, accountant, "accountant")
    client.force_login(accountant)
    html = client.get("/pos/").content.decode()
    assert 'id="pay"' not in html
