"""Cierre del mes: the page, its actions, the streamed bundle and the command."""

import io
import zipfile
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from backoffice.reports.models import MonthClose
from backoffice.tenancy.context import no_tenant, tenant_context
from fiscal.models import (
    DocState,
    ElectronicDocument,
    ElectronicDocumentEvent,
    SriMessage,
)

from .closing_helpers import Shop, at, clean_month, customer_of

pytestmark = pytest.mark.django_db

PAGE = reverse("closing:month")
OCTOBER = {"month": "2026-10"}


@pytest.fixture
def shop(business):
    return Shop(business)


def _returned(shop, sale, message="CLAVE ACCESO REGISTRADA"):
    edoc = shop.document_of(sale)
    with tenant_context(shop.business):
        ElectronicDocument.objects.filter(pk=edoc.pk).update(state=DocState.RETURNED)
        SriMessage.objects.create(
            business=shop.business, document=edoc, origin="recepcion",
            identificador="43", mensaje=message,
        )  # fmt: skip
    return edoc


@pytest.mark.parametrize(("role", "status"), [
    ("accountant", 200), ("owner", 200), ("manager", 200), ("cashier", 403),
])  # fmt: skip
def test_who_may_see_the_month(role_client, shop, customer, role, status):
    clean_month(shop, customer)
    response = role_client(role).get(PAGE, OCTOBER)
    assert response.status_code == status


def test_a_clean_month_says_ready(role_client, shop, customer):
    clean_month(shop, customer)
    body = role_client("accountant").get(PAGE, OCTOBER).content.decode()
    assert "Listo para declarar" in body
    assert 'id="blockers"' not in body
    assert 'id="close"' in body
    assert "Octubre 2026" in body
    assert "000000001" in body and "000000005" in body


def test_each_anomaly_is_a_line_with_its_links(role_client, shop, customer):
    sales = clean_month(shop, customer)
    edoc = _returned(shop, sales[1])
    wrong = shop.document_of(sales[2])
    with tenant_context(shop.business):
        ElectronicDocument.objects.filter(pk=wrong.pk).update(total=Decimal("9.99"))
    body = role_client("accountant").get(PAGE, OCTOBER).content.decode()
    assert "Listo para declarar" not in body
    assert "CLAVE ACCESO REGISTRADA" in body
    assert reverse("closing:resend", args=["2026-10", edoc.pk]) in body
    assert reverse("admin:pos_sale_change", args=[sales[2].pk]) in body
    assert reverse("admin:fiscal_electronicdocument_change", args=[wrong.pk]) in body
    assert 'data-code="sale_document"' in body
    assert 'data-code="rejected"' in body
    assert 'id="close"' not in body


def test_a_bad_month_is_a_400_in_spanish(role_client, shop):
    response = role_client("accountant").get(PAGE, {"month": "2026-13"})
    assert response.status_code == 400
    assert "Mes inválido" in response.content.decode()


def test_the_page_reads_a_constant_number_of_queries(
    role_client, shop, customer, django_assert_max_num_queries
):
    sales = clean_month(shop, customer)
    for sale in sales[:2]:
        _returned(shop, sale)
    client = role_client("accountant")
    client.get(PAGE, OCTOBER)
    with django_assert_max_num_queries(40) as few:
        client.get(PAGE, OCTOBER)
    for day in range(1, 11):
        _returned(shop, shop.sell(at(day, 15)))
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(PAGE, OCTOBER)


def test_close_then_a_late_void_reopens_with_a_warning(role_client, shop, customer):
    sales = clean_month(shop, customer)
    client = role_client("accountant")
    response = client.post(reverse("closing:close", args=["2026-10"]))
    assert response.status_code == 302
    with tenant_context(shop.business):
        closed = MonthClose.objects.get(business=shop.business)
    assert (closed.action, closed.documents, len(closed.digest)) == ("close", 6, 64)
    body = client.get(PAGE, OCTOBER).content.decode()
    assert 'id="closed-by"' in body and closed.digest in body
    assert 'id="close"' not in body

    shop.void(sales[2], at(3, month=11))  # a late void of an October sale
    body = client.get(PAGE, OCTOBER).content.decode()
    assert 'id="reopened-warning"' in body
    assert "cambió después del cierre" in body
    assert 'id="close"' in body  # still ready: it can be closed again

    client.post(reverse("closing:reopen", args=["2026-10"]))
    with tenant_context(shop.business):
        actions = list(
            MonthClose.objects.order_by("pk").values_list("action", "actor__username")
        )
    user = closed.actor.username
    assert actions == [("close", user), ("reopen", user)]


def test_a_month_with_blockers_is_not_closed(role_client, shop, customer):
    sales = clean_month(shop, customer)
    _returned(shop, sales[0])
    client = role_client("owner")
    client.post(reverse("closing:close", args=["2026-10"]))
    with tenant_context(shop.business):
        assert not MonthClose.objects.exists()
    body = client.get(PAGE, OCTOBER).content.decode()
    assert "no se puede cerrar" in body or "revíselos antes de cerrar" in body


def test_one_click_resend_of_a_returned_document(role_client, shop, customer):
    sales = clean_month(shop, customer)
    edoc = _returned(shop, sales[1])
    client = role_client("accountant")
    url = reverse("closing:resend", args=["2026-10", edoc.pk])
    assert client.get(url).status_code == 405
    client.post(url)
    with tenant_context(shop.business):
        edoc.refresh_from_db()
        resend = ElectronicDocumentEvent.objects.filter(document=edoc).first()
    assert edoc.state != DocState.RETURNED
    assert resend.action == "resend"


def test_resend_cannot_reach_another_business(
    role_client, shop, other_business, customer
):
    theirs = Shop(other_business)
    clean_month(theirs, customer_of(other_business))
    edoc = _returned(theirs, theirs.sell(at(9)))
    clean_month(shop, customer)
    client = role_client("accountant")
    client.post(reverse("closing:resend", args=["2026-10", edoc.pk]))
    with tenant_context(other_business):
        edoc.refresh_from_db()
    assert edoc.state == DocState.RETURNED


def _bundle(client, month="2026-10"):
    response = client.get(reverse("closing:bundle", args=[month]))
    assert response.status_code == 200
    assert response.streaming
    data = b"".join(response.streaming_content)
    return response, zipfile.ZipFile(io.BytesIO(data))


def test_the_bundle_streams_the_month_and_only_this_business(
    role_client, shop, other_business, customer
):
    clean_month(shop, customer)
    theirs = Shop(other_business)
    clean_month(theirs, customer_of(other_business))
    response, archive = _bundle(role_client("accountant"))
    assert "attachment" in response["Content-Disposition"]
    names = set(archive.namelist())
    with tenant_context(shop.business):
        keys = set(ElectronicDocument.objects.values_list("access_key", flat=True))
    assert {n for n in names if n.startswith("xml/")} == {f"xml/{k}.xml" for k in keys}
    assert {n for n in names if n.startswith("ride/")} == {
        f"ride/{k}.pdf" for k in keys
    }
    workbooks = {"comprobantes-2026-10.xlsx", "ventas-por-tarifa-2026-10.xlsx"}
    assert {"ATS-2026-10.xml", "cierre-2026-10.txt", *workbooks} <= names
    assert archive.read(f"ride/{next(iter(keys))}.pdf").startswith(b"%PDF")
    summary = archive.read("cierre-2026-10.txt").decode()
    assert "Listo para declarar" in summary
    with tenant_context(other_business):
        foreign = set(ElectronicDocument.objects.values_list("access_key", flat=True))
    assert not any(k in name for k in foreign for name in names)


def test_a_cashier_cannot_download_the_bundle(role_client, shop):
    url = reverse("closing:bundle", args=["2026-10"])
    assert role_client("cashier").get(url).status_code == 403


def _command(ruc, month="2026-10"):
    out, err = io.StringIO(), io.StringIO()
    with no_tenant():
        try:
            call_command(
                "close_month", business=ruc, month=month, stdout=out, stderr=err
            )
        except CommandError as exc:
            return 1, out.getvalue(), err.getvalue() + str(exc)
    return 0, out.getvalue(), err.getvalue()


def test_the_command_is_ready_for_a_clean_month(shop, customer):
    clean_month(shop, customer)
    code, out, _err = _command(shop.business.ruc)
    assert code == 0
    assert "Listo para declarar" in out
    assert "001-001-000000001 … 001-001-000000005 (5)" in out


def test_the_command_exits_non_zero_with_the_blockers(shop, customer):
    sales = clean_month(shop, customer)
    _returned(shop, sales[1])
    with tenant_context(shop.business):
        ElectronicDocument.objects.filter(source=f"sale:{sales[4].pk}").update(
            number="001-001-000000009"
        )
    code, _out, err = _command(shop.business.ruc)
    assert code == 1
    assert "[gap] Falta el número 001-001-000000005 … 001-001-000000008" in err
    assert "[rejected] 1 comprobante devuelto o no autorizado por el SRI." in err
    assert "no está listo para declarar" in err


def test_the_command_refuses_a_bad_month_or_ruc(shop):
    assert _command(shop.business.ruc, "2026-13")[0] == 1
    assert "no business" in _command("0999999999001")[2]
