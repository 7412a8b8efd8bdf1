"""Customer identification rules, consumidor final, admin, import/export."""

import pytest
import tablib
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from import_export.formats.base_formats import CSV

from backoffice.customers.models import FINAL_CONSUMER_ID, Customer, IdType
from backoffice.customers.resources import CustomerResource
from backoffice.customers.services import (
    customer_create,
    customer_final_consumer,
    customer_update,
)
from backoffice.customers.validators import identification_clean
from backoffice.tenancy.context import tenant_context
from backoffice.tenancy.importing import FastXLSX
from tests.catalog.factories import CustomerFactory
from tests.catalog.helpers import inline_management

VALID_CEDULAS = ["1708611684", "0940987027", "0150506319", "1710034065"]
INVALID_CEDULAS = ["1708611685", "0940987020", "2512345678", "123456789", "17086116A4"]
VALID_RUCS = [
    "1790393178001",  # sociedad privada
    "1729939080001",  # persona natural
    "1760001550001",  # entidad pública
    "0914140025001",
]
INVALID_RUCS = ["1790393179001", "1729939080000", "179039317800", "9999999999998"]


@pytest.mark.parametrize("value", VALID_CEDULAS)
def test_valid_cedulas(value):
    assert identification_clean(id_type=IdType.CEDULA, identification=value) == value


@pytest.mark.parametrize("value", INVALID_CEDULAS)
def test_invalid_cedulas(value):
    with pytest.raises(ValidationError):
        identification_clean(id_type=IdType.CEDULA, identification=value)


@pytest.mark.parametrize("value", VALID_RUCS)
def test_valid_rucs(value):
    assert identification_clean(id_type=IdType.RUC, identification=value) == value


@pytest.mark.parametrize("value", INVALID_RUCS)
def test_invalid_rucs(value):
    with pytest.raises(ValidationError):
        identification_clean(id_type=IdType.RUC, identification=value)


def test_passport_and_foreign_ids_are_free_text_but_not_empty():
    assert (
        identification_clean(id_type=IdType.PASAPORTE, identification=" ab1234567 ")
        == "AB1234567"
    )
    with pytest.raises(ValidationError):
        identification_clean(id_type=IdType.EXTERIOR, identification="x")


def test_the_final_consumer_number_is_reserved():
    with pytest.raises(ValidationError):
        identification_clean(id_type=IdType.RUC, identification=FINAL_CONSUMER_ID)
    with pytest.raises(ValidationError):
        identification_clean(id_type=IdType.CONSUMIDOR_FINAL, identification="1")


def test_every_business_has_exactly_one_final_consumer(business, other_business):
    with tenant_context(business):
        assert customer_final_consumer(business=business).pk == (
            customer_final_consumer(business=business).pk
        )
        assert Customer.objects.filter(id_type=IdType.CONSUMIDOR_FINAL).count() == 1
    with tenant_context(other_business):
        assert Customer.objects.filter(identification=FINAL_CONSUMER_ID).count() == 1


def test_the_database_refuses_a_second_or_disguised_final_consumer(tenant):
    with pytest.raises(IntegrityError), transaction.atomic():
        Customer.objects.create(
            business=tenant,
            id_type=IdType.PASAPORTE,
            identification=FINAL_CONSUMER_ID,
            name="x",
        )
    final = customer_final_consumer(business=tenant)
    with pytest.raises(IntegrityError), transaction.atomic():
        Customer.objects.filter(pk=final.pk).update(id_type=IdType.CEDULA)


def test_the_final_consumer_cannot_be_edited_or_deleted(tenant):
    final = customer_final_consumer(business=tenant)
    with pytest.raises(ValidationError):
        customer_update(business=tenant, customer=final, name="Otro")
    with pytest.raises(ValidationError):
        final.delete()
    assert Customer.objects.filter(pk=final.pk).exists()


def test_customer_create_validates_and_is_unique_per_business(business, other_business):
    with tenant_context(business):
        customer_create(
            business=business,
            id_type=IdType.CEDULA,
            identification="1708611684",
            name="Carlos",
        )
        with pytest.raises(ValidationError):
            customer_create(
                business=business,
                id_type=IdType.CEDULA,
                identification="1708611684",
                name="Otra vez",
            )
        with pytest.raises(ValidationError):
            customer_create(
                business=business,
                id_type=IdType.CEDULA,
                identification="1708611685",
                name="Mala",
            )
    with tenant_context(other_business):
        customer_create(
            business=other_business,
            id_type=IdType.CEDULA,
            identification="1708611684",
            name="Carlos en otro negocio",
        )


# -- admin -----------------------------------------------------------------------
CHANGELIST = reverse("admin:customers_customer_changelist")
ADD = reverse("admin:customers_customer_add")


def test_admin_refuses_an_invalid_cedula(owner_client, business):
    data = {
        "id_type": IdType.CEDULA,
        "identification": "1708611685",
        "name": "Mala",
        "email": "",
        "phone": "",
        "address": "",
    } | inline_management(owner_client.get(ADD).content.decode())
    response = owner_client.post(ADD, data)
    assert response.status_code == 200
    assert "Cédula inválida" in response.content.decode()
    data["identification"] = "1708611684"
    assert owner_client.post(ADD, data).status_code == 302
    with tenant_context(business):
        assert Customer.objects.filter(identification="1708611684").count() == 1


def test_admin_shows_the_final_consumer_read_only(owner_client, business):
    with tenant_context(business):
        final = customer_final_consumer(business=business)
    url = reverse("admin:customers_customer_change", args=[final.pk])
    assert owner_client.get(url).status_code == 200
    assert owner_client.post(url, {"name": "Otro"}).status_code == 403
    delete = reverse("admin:customers_customer_delete", args=[final.pk])
    assert owner_client.post(delete, {"post": "yes"}).status_code == 403
    owner_client.post(
        CHANGELIST,
        {"action": "delete_selected", "_selected_action": [final.pk], "post": "yes"},
    )
    with tenant_context(business):
        final.refresh_from_db()
        assert final.name == "CONSUMIDOR FINAL"


def test_admin_lists_only_this_business(owner_client, business, other_business):
    with tenant_context(other_business):
        theirs = CustomerFactory(name="Cliente ajeno")
    with tenant_context(business):
        CustomerFactory(name="Cliente propio")
    html = owner_client.get(CHANGELIST).content.decode()
    assert "Cliente propio" in html and "Cliente ajeno" not in html
    url = reverse("admin:customers_customer_change", args=[theirs.pk])
    assert owner_client.get(url).status_code in (302, 404)


def test_customer_changelist_queries_do_not_grow(
    owner_client, business, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with tenant_context(business):
        CustomerFactory.create_batch(5)
    with CaptureQueriesContext(connection) as ctx:
        owner_client.get(CHANGELIST)
    with tenant_context(business):
        CustomerFactory.create_batch(200)
    with django_assert_max_num_queries(len(ctx.captured_queries)):
        owner_client.get(CHANGELIST)


# -- import / export -------------------------------------------------------------
HEADERS = ["Tipo de identificación", "Identificación", "Nombre", "Correo"]


def run(*rows):
    return CustomerResource().import_data(tablib.Dataset(*rows, headers=HEADERS))


def errors(result):
    return {
        r.number: " ".join(str(m) for ms in r.error_dict.values() for m in ms)
        for r in result.invalid_rows
    }


def test_import_validates_every_row_and_writes_nothing_on_error(tenant):
    result = run(
        ["Cédula", "1708611684", "Carlos", "c@example.ec"],
        ["05", "1708611685", "Cédula mala", ""],
        ["RUC", "1790393179001", "RUC malo", ""],
        ["Cédula", "1708611684", "Repetido", ""],
        ["Pasaporte", "AB123", "Con correo malo", "no-es-correo"],
        ["Cédula de Marte", "1", "Tipo malo", ""],
    )
    found = errors(result)
    assert sorted(found) == [2, 3, 4, 5, 6]
    assert "Cédula inválida" in found[2]
    assert "RUC inválido" in found[3]
    assert "repetido en el archivo (fila 1)" in found[4]
    assert "Valor desconocido" in found[6]
    assert Customer.objects.count() == 1  # only consumidor final


def test_import_restores_leading_zeros_lost_by_spreadsheets(tenant):
    result = run([5, 940987027, "Gabriela", ""], ["4", 914140025001, "Eventos", ""])
    assert not result.has_validation_errors(), errors(result)
    assert set(Customer.objects.values_list("identification", flat=True)) == {
        "0940987027",
        "0914140025001",
        FINAL_CONSUMER_ID,
    }


def test_import_never_matches_another_business(business, other_business):
    with tenant_context(other_business):
        CustomerFactory(identification="AB123", name="De otro")
    with tenant_context(business):
        result = run(["Pasaporte", "AB123", "Mío", ""])
        assert not result.has_validation_errors()
        assert Customer.objects.get(identification="AB123").name == "Mío"
    with tenant_context(other_business):
        assert Customer.objects.get(identification="AB123").name == "De otro"


def _snapshot():
    return list(
        Customer.objects.order_by("identification").values_list(
            "id_type", "identification", "name", "email", "phone", "address"
        )
    )


def test_round_trip_and_export_isolation(business, other_business):
    with tenant_context(other_business):
        CustomerFactory(name="Ajeno")
    with tenant_context(business):
        CustomerFactory(
            id_type=IdType.CEDULA,
            identification="0940987027",
            name="Gabriela Zambrano",
            email="g@example.ec",
            phone="0991234567",
            address="Guayaquil",
        )
        CustomerFactory(id_type=IdType.RUC, identification="1790393178001")
        before = _snapshot()
        exported = CustomerResource().export()
        assert "Ajeno" not in exported["Nombre"]
        assert exported.headers == [
            "Tipo de identificación",
            "Identificación",
            "Nombre",
            "Correo",
            "Teléfono",
            "Dirección",
        ]
        for fmt in (FastXLSX(), CSV()):
            loaded = fmt.create_dataset(fmt.export_data(CustomerResource().export()))
            result = CustomerResource().import_data(loaded)
            assert not result.has_validation_errors(), errors(result)
            assert _snapshot() == before
