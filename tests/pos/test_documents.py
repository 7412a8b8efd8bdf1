# ruff: noqa: F811 - pytest fixtures imported from tests.pos.conftest
"""Sales and voids become SRI documents, end to end through the POS API.

Given a till and a signing certificate, when a sale is posted through
`POST /pos/api/sales`, then its factura exists in the same transaction, is
valid against our XSD (test_xsd_agreement compares it with the SRI's), carries
the sale's totals to the cent and is authorised by the (fake) SRI once the
background task runs.
"""

import json
import uuid
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone
from django_tasks import default_task_backend
from lxml import etree

from backoffice.customers.models import Customer, IdType
from backoffice.tenancy.context import no_tenant, tenant_context
from fiscal.exports import month_ats
from fiscal.models import DocState, DocType, ElectronicDocument
from fiscal.selectors import edoc_for_sale
from fiscal.services import edoc_xml
from fiscal.sri.ats import ats_validate
from fiscal.sri.xml import validate
from fiscal.tasks import edoc_submit_task
from pos.documents import (
    credit_note_from_void,
    invoice_from_sale,
    void_document_issue,
)
from pos.errors import FinalConsumerLimitError
from pos.models import Sale
from pos.services import sale_void
from tests.factories import UserFactory, membership
from tests.fiscal.conftest import (  # noqa: F401 - fixtures
    certified,
    fake_sri,
    sri_settings,
    xmlsec1,
)
from tests.pos.conftest import (  # noqa: F401 - fixtures
    _fast_hashers,
    cashier,
    customer,
    make_product,
    point,
    post,
    product,
    session,
)

pytestmark = pytest.mark.django_db
D = Decimal
URL = "/pos/api/sales"


@pytest.fixture
def api(client, cashier, session):
    client.force_login(cashier)
    return client


def _post(client, body):
    return client.post(URL, json.dumps(body), content_type="application/json")


def _body(*lines, customer=None, cash="100.00"):
    return {
        "idempotency_key": str(uuid.uuid4()),
        "lines": [{"product": p.pk, "quantity": q, "discount": d} for p, q, d in lines],
        "payments": [{"method": "01", "amount": cash}],
        "customer": customer,
    }


def _xml(edoc) -> etree._Element:
    return etree.fromstring(edoc_xml(edoc).encode())


def _money(root, path) -> Decimal:
    return Decimal(root.findtext(path))


def _edocs(business):
    with tenant_context(business):
        return list(ElectronicDocument.objects.order_by("pk"))


def test_api_sale_becomes_a_valid_factura_with_the_sale_totals(
    api,
    business,
    customer,
):
    coffee = make_product(business, code="CAF", price="1.565217", tax="4")
    bread = make_product(business, code="PAN", price="0.333333", tax="0")
    body = _body((coffee, "3", "0.10"), (bread, "7", "0"), customer=customer.pk)

    response = _post(api, body)

    assert response.status_code == 201, response.content
    data = response.json()
    with tenant_context(business):
        sale = Sale.objects.get(pk=data["id"])
        edoc = edoc_for_sale(business=business, sale_id=sale.pk)
    assert edoc is not None and edoc.state == DocState.GENERATED
    assert edoc.kind == DocType.INVOICE and edoc.number == sale.document_number
    validate(edoc_xml(edoc).encode())
    root = _xml(edoc)
    info = "infoFactura/"
    assert _money(root, info + "importeTotal") == sale.total == D(data["total"])
    assert _money(root, info + "totalSinImpuestos") == sale.subtotal
    assert _money(root, info + "totalDescuento") == sale.discount_total
    assert _money(root, info + "propina") == sale.service_charge
    taxes = root.findall(info + "totalConImpuestos/totalImpuesto")
    assert sum(D(t.findtext("valor")) for t in taxes) == sale.tax_total
    # Cash handed over was 100.00: the XML pays the total, net of the change.
    assert sale.change > 0
    assert [
        (p.findtext("formaPago"), D(p.findtext("total")))
        for p in root.findall(info + "pagos/pago")
    ] == [("01", sale.total)]
    assert root.findtext(info + "identificacionComprador") == "1708611684"
    assert root.findtext("infoTributaria/secuencial") == f"{sale.number:09d}"
    details = root.findall("detalles/detalle")
    assert [d.findtext("codigoPrincipal") for d in details] == ["CAF", "PAN"]
    with tenant_context(business):
        bases = [line.base for line in sale.lines.order_by("position")]
    assert [D(d.findtext("precioTotalSinImpuesto")) for d in details] == bases


def test_anonymous_sale_is_a_factura_to_consumidor_final(api, business, product):
    response = _post(api, _body((product, "1", "0")))
    assert response.status_code == 201
    [edoc] = _edocs(business)
    root = _xml(edoc)
    assert root.findtext("infoFactura/tipoIdentificacionComprador") == "07"
    assert root.findtext("infoFactura/identificacionComprador") == "9999999999999"
    assert root.findtext("infoFactura/razonSocialComprador") == "CONSUMIDOR FINAL"


def test_consumidor_final_above_the_limit_is_refused_by_the_api(
    api,
    business,
    product,
):
    response = _post(api, _body((product, "30", "0"), cash="100.00"))  # 69.00

    assert response.status_code == 400
    assert response.json()["error"] == "final_consumer_limit"
    assert response.json()["field"] == "customer"
    assert "identificar al cliente" in response.json()["detail"]
    with tenant_context(business):
        assert not Sale.objects.exists()
        assert not ElectronicDocument.objects.exists()


def test_consumidor_final_limit_is_the_business_setting(post, business, product):
    business.final_consumer_limit = D("10.00")
    business.save()
    with pytest.raises(FinalConsumerLimitError) as refused:
        post([(product, 5)])  # 11.50
    assert refused.value.field == "customer"
    assert post([(product, 4)]).total == D("9.20")


def test_task_sends_the_factura_and_the_receipt_prints_the_authorisation(
    certified,
    api,
    fake_sri,
    django_capture_on_commit_callbacks,
    product,
):
    default_task_backend.clear()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = _post(api, _body((product, "2", "0")))
    assert response.status_code == 201 and callbacks  # submission waits for commit
    [edoc] = _edocs(certified)
    assert edoc.state == DocState.GENERATED and fake_sri.sends == []
    for callback in callbacks:
        callback()
    (queued,) = default_task_backend.results

    with no_tenant():  # as in the worker
        state = edoc_submit_task.call(*queued.args, **queued.kwargs)
    assert state == DocState.AUTHORISED

    edoc.refresh_from_db()
    assert fake_sri.registrations_of(edoc.access_key) == 1
    validate(edoc.signed_xml.encode())
    receipt = api.get(f"/pos/sales/{response.json()['id']}/receipt")
    text = receipt.content.decode()
    assert edoc.access_key in text and edoc.authorization_number in text
    assert "pendiente" not in text


def test_receipt_prints_the_clave_before_authorisation(api, business, product):
    sale_id = _post(api, _body((product, "1", "0"))).json()["id"]
    [edoc] = _edocs(business)
    text = api.get(f"/pos/sales/{sale_id}/receipt").content.decode()
    assert edoc.access_key in text
    assert "Autorización del SRI: pendiente" in text


def test_void_of_an_identified_sale_is_a_credit_note_referencing_the_invoice(
    post,
    business,
    owner,
    product,
    customer,
):
    sale = post([(product, 3)], customer=customer)
    with tenant_context(business):
        void = sale_void(business=business, sale=sale, actor=owner, reason="Devolución")
        invoice = edoc_for_sale(business=business, sale_id=sale.pk)
        note = ElectronicDocument.objects.get(kind=DocType.CREDIT_NOTE)
    assert note.modifies_id == invoice.pk and note.source == f"void:{void.pk}"
    assert note.number == void.document_number
    validate(edoc_xml(note).encode())
    root = _xml(note)
    info = "infoNotaCredito/"
    assert root.findtext("infoTributaria/codDoc") == "04"
    assert root.findtext(info + "codDocModificado") == "01"
    assert root.findtext(info + "numDocModificado") == sale.document_number
    assert root.findtext(info + "fechaEmisionDocSustento") == (
        etree.fromstring(edoc_xml(invoice).encode()).findtext(
            "infoFactura/fechaEmision"
        )
    )
    assert root.findtext(info + "motivo") == "Devolución"
    assert _money(root, info + "valorModificacion") == sale.total == note.total
    assert root.findtext(info + "identificacionComprador") == "1708611684"
    assert invoice.annulment_requested_at is None


def test_void_of_a_consumidor_final_sale_asks_for_portal_annulment_and_ats_lists_it(
    post,
    business,
    owner,
    product,
):
    kept = post([(product, 1)])
    voided = post([(product, 2)])
    with tenant_context(business):
        void = sale_void(business=business, sale=voided, actor=owner, reason="Error")
        assert void.needs_portal_annulment
        assert not ElectronicDocument.objects.filter(kind=DocType.CREDIT_NOTE)
        invoice = edoc_for_sale(business=business, sale_id=voided.pk)
        assert invoice.annulment_requested_at == void.voided_at
        assert invoice.annulment_reason == "Error"
        ElectronicDocument.objects.update(
            state=DocState.AUTHORISED, authorization_number="1" * 49
        )
        day = timezone.localdate(void.voided_at)  # the SRI month is local
        ats = month_ats(business=business, year=day.year, month=day.month)
    ats_validate(ats)
    root = etree.fromstring(ats)
    [annulled] = root.findall("anulados/detalleAnulados")
    assert annulled.findtext("tipoComprobante") == "01"
    assert annulled.findtext("secuencialInicio") == str(voided.number)
    assert annulled.findtext("secuencialFin") == str(voided.number)
    assert annulled.findtext("autorizacion") == "1" * 49
    [sold] = root.findall("ventas/detalleVentas")
    assert sold.findtext("numeroComprobantes") == "1"  # the annulled one is no sale
    assert D(sold.findtext("baseImpGrav")) == kept.subtotal


def test_receipt_of_a_voided_consumidor_final_sale_says_portal(
    api,
    business,
    owner,
    product,
):
    sale_id = _post(api, _body((product, "1", "0"))).json()["id"]
    with tenant_context(business):
        sale_void(
            business=business,
            sale=Sale.objects.get(pk=sale_id),
            actor=owner,
            reason="Error",
        )
    text = api.get(f"/pos/sales/{sale_id}/receipt").content.decode()
    assert "Anulación en portal SRI" in text


def test_adapters_rebuild_the_same_documents(post, business, owner, product, customer):
    sale = post([(product, 2)], customer=customer)
    with tenant_context(business):
        stored = edoc_for_sale(business=business, sale_id=sale.pk)
        fresh = Sale.objects.get(pk=sale.pk)
        assert invoice_from_sale(fresh).access_key == stored.access_key
        void = sale_void(business=business, sale=fresh, actor=owner, reason="x")
        note = credit_note_from_void(void)
    assert note.modified_number == sale.document_number
    assert note.total == sale.total


def test_documents_stay_inside_their_business(
    post,
    business,
    other_business,
    owner,
    product,
    customer,
):
    sale = post([(product, 1)], customer=customer)
    with tenant_context(other_business):
        assert not ElectronicDocument.objects.exists()
        assert edoc_for_sale(business=other_business, sale_id=sale.pk) is None
    with tenant_context(business):
        void = sale_void(business=business, sale=sale, actor=owner, reason="x")
    with tenant_context(other_business), pytest.raises(Exception, match="negocio"):
        void_document_issue(business=other_business, void=void)
    stranger = UserFactory()
    membership(other_business, stranger, "owner")
    client = Client()
    client.force_login(stranger)
    assert client.get(f"/pos/sales/{sale.pk}/receipt").status_code == 404
    assert len(_edocs(business)) == 2 and _edocs(other_business) == []


def test_a_failing_document_rolls_the_sale_back(post, business, product, monkeypatch):
    from pos import documents as sale_documents

    def broken(sale, **kwargs):
        raise RuntimeError("XML could not be built")

    monkeypatch.setattr(sale_documents, "invoice_from_sale", broken)
    with pytest.raises(RuntimeError):
        post([(product, 1)])
    with tenant_context(business):
        assert not Sale.objects.exists()
    monkeypatch.undo()
    assert post([(product, 1)]).number == 1  # no number was burnt


def test_identified_customer_of_another_type_keeps_its_sri_code(
    api,
    business,
    product,
):
    with tenant_context(business):
        company = Customer.objects.create(
            business=business,
            id_type=IdType.RUC,
            identification="1790011674001",
            name="Empresa S.A.",
        )
    assert (
        _post(api, _body((product, "1", "0"), customer=company.pk)).status_code == 201
    )
    [edoc] = _edocs(business)
    assert _xml(edoc).findtext("infoFactura/tipoIdentificacionComprador") == "04"
