"""Quick-add of a customer at the counter: stdnum-checked, errors by field,
nothing written on a refusal, scoped to the cashier's business."""

import json

import pytest
from django.test import Client

from backoffice.customers.models import Customer
from backoffice.tenancy.context import tenant_context

pytestmark = pytest.mark.django_db
URL = "/pos/api/customers/new"
GOOD = {"id_type": "05", "identification": "1710034065", "name": " María Pérez "}


@pytest.fixture
def api(client, cashier):
    client.force_login(cashier)
    return client


def _post(client, body):
    return client.post(URL, json.dumps(body), content_type="application/json")


def _customers(business) -> list[tuple[str, str]]:
    with tenant_context(business):
        return sorted(
            Customer.objects.exclude(identification="9999999999999").values_list(
                "identification", "name"
            )
        )


def test_a_cashier_adds_a_customer_and_finds_it(api, business, other_business):
    response = _post(api, GOOD | {"email": "maria@example.ec"})
    assert response.status_code == 201
    data = response.json()
    assert (data["identification"], data["name"], data["email"]) == (
        "1710034065",
        "María Pérez",
        "maria@example.ec",
    )
    assert _customers(business) == [("1710034065", "María Pérez")]
    assert _customers(other_business) == []
    found = api.post(
        "/pos/api/customers", json.dumps({"q": "1710034065"}), "application/json"
    )
    assert [c["id"] for c in found.json()["results"]] == [data["id"]]


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        (GOOD | {"identification": "1710034066"}, "identification", "Cédula inválida"),
        (
            GOOD | {"id_type": "04", "identification": "1710034065"},
            "identification",
            "RUC",
        ),
        (GOOD | {"name": "  "}, "name", ""),
        (GOOD | {"id_type": "99"}, "id_type", "99"),
        (GOOD | {"id_type": "07", "identification": "9999999999999"}, None, ""),
        (GOOD | {"name": "x\x00"}, "name", ""),
        (GOOD | {"name": "x" * 301}, "name", "300"),
        (GOOD | {"name": ["a"]}, "name", "texto"),
    ],
)
def test_a_bad_customer_is_400_naming_its_field_and_writes_nothing(
    api, business, body, field, words
):
    response = _post(api, body)
    assert response.status_code == 400, response.content
    data = response.json()
    assert data["error"] == "invalid_customer"
    if field:
        assert data["field"] == field
    assert words in data["detail"]
    assert _customers(business) == []


def test_the_same_identification_twice_is_a_clear_400(api, business):
    assert _post(api, GOOD).status_code == 201
    again = _post(api, GOOD | {"name": "Otra"})
    assert again.status_code == 400
    assert again.json()["error"] == "invalid_customer"
    assert _customers(business) == [("1710034065", "María Pérez")]


def test_anonymous_and_get_are_refused(business):
    assert _post(Client(), GOOD).status_code in (401, 403)
    assert _customers(business) == []
