from decimal import Decimal

import pytest

from fiscal.demo import demo_certificate_install, demo_documents_sign
from fiscal.errors import ConsumidorFinalLimitError, DocumentStateError
from fiscal.models import DocState, ElectronicDocument
from fiscal.selectors import certificate_identity
from fiscal.services import (
    consumidor_final_check,
    edoc_create,
    edoc_create_for_sale,
    edoc_create_for_void,
    edoc_submit,
)
from fiscal.sri.xml import validate

from .edoc_helpers import credit_note_for, invoice_for

pytestmark = pytest.mark.django_db


def test_demo_gets_a_certificate_and_signed_unsent_documents(
    tenant, sri_settings, fake_sri
):
    sri_settings.SRI_SEND_ENABLED = False
    demo_certificate_install(business=tenant)
    assert certificate_identity(business=tenant).certificate is not None
    for n in (1, 2):
        edoc_create(business=tenant, document=invoice_for(tenant, n), enqueue=False)

    assert demo_documents_sign(business=tenant) == 2

    for edoc in ElectronicDocument.objects.all():
        assert edoc.state == DocState.SIGNED
        validate(edoc.signed_xml.encode())
        edoc_submit(edoc=edoc)  # sending disabled: stays signed
        assert edoc.state == DocState.SIGNED
    assert fake_sri.sends == []


def test_demo_certificates_are_refused_in_production(tenant, sri_settings):
    tenant.ambiente = "2"
    with pytest.raises(ValueError, match="pruebas"):
        demo_certificate_install(business=tenant)


@pytest.mark.parametrize(
    ("total", "refused"), [("49.99", False), ("50.00", False), ("50.01", True)]
)
def test_consumidor_final_limit_default_50(tenant, total, refused):
    if refused:
        with pytest.raises(ConsumidorFinalLimitError, match="identificar al cliente"):
            consumidor_final_check(business=tenant, total=Decimal(total), id_type="07")
    else:
        consumidor_final_check(business=tenant, total=Decimal(total), id_type="07")


def test_sale_and_void_wrappers_set_source_and_reference(certified):
    invoice = edoc_create_for_sale(
        business=certified, sale_id=41, document=invoice_for(certified, 41)
    )
    assert invoice.source == "sale:41"
    note = edoc_create_for_void(
        business=certified,
        void_id=3,
        invoice=invoice,
        document=credit_note_for(certified, 1, modified_number=invoice.number),
    )
    assert (note.source, note.modifies) == ("void:3", invoice)
    with pytest.raises(DocumentStateError):
        edoc_create_for_void(
            business=certified,
            void_id=4,
            invoice=invoice,
            document=credit_note_for(certified, 2, modified_number="001-001-000000999"),
        )
