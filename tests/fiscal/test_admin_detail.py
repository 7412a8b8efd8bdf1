"""The SRI document page reads as text: state, ambiente, a link to the sale."""

import pytest
from django.urls import reverse
from lxml import html

from backoffice.tenancy.context import system_context, tenant_context
from fiscal.models import ElectronicDocument
from tests.pos.conftest import (  # noqa: F401 - fixtures
    cashier,
    point,
    post,
    product,
    session,
)

pytestmark = [pytest.mark.django_db, pytest.mark.xsd]


def page_text(client, edoc) -> tuple[str, str]:
    url = reverse("admin:fiscal_electronicdocument_change", args=[edoc.pk])
    response = client.get(url)
    assert response.status_code == 200
    body = response.content.decode()
    return body, " ".join(html.fromstring(body).text_content().split())


@pytest.fixture
def sale_and_edoc(post, product, business):  # noqa: F811 - imported fixtures
    sale = post([(product, 1)])
    with tenant_context(business):
        edoc = ElectronicDocument.objects.get(source=f"sale:{sale.pk}")
    return sale, edoc


def test_state_ambiente_and_source_read_as_words(owner_client, sale_and_edoc):
    sale, edoc = sale_and_edoc
    body, text = page_text(owner_client, edoc)

    assert f"Estado {edoc.get_state_display()}" in text
    assert "('" not in text and "')" not in text
    assert "Ambiente Pruebas" in text
    assert f"Origen Venta {sale.document_number}" in text
    assert f"sale:{sale.pk}" not in text
    sale_url = reverse("admin:pos_sale_change", args=[sale.pk])
    assert f'href="{sale_url}"' in body


def test_production_ambiente_is_named(owner_client, sale_and_edoc):
    _sale, edoc = sale_and_edoc
    with system_context():  # under row-level security, as system code would
        ElectronicDocument.unscoped_objects.filter(pk=edoc.pk).update(ambiente="2")
    _body, text = page_text(owner_client, edoc)
    assert "Ambiente Producción" in text


def test_a_source_not_found_in_the_business_is_not_linked(owner_client, sale_and_edoc):
    sale, edoc = sale_and_edoc
    missing = sale.pk + 1000
    with system_context():
        ElectronicDocument.unscoped_objects.filter(pk=edoc.pk).update(
            source=f"sale:{missing}"
        )
    body, text = page_text(owner_client, edoc)
    assert f"Origen sale:{missing}" in text
    assert reverse("admin:pos_sale_change", args=[missing]) not in body
