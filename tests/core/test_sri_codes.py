"""One table per SRI code list, used by the models, the documents and the ATS."""

from backoffice.customers.models import Customer
from core import sri_codes
from fiscal.sri.documents import Buyer
from pos.models import Payment


def test_the_models_take_their_choices_from_the_one_table():
    assert Customer._meta.get_field("id_type").choices == sri_codes.IdType.choices
    assert Payment._meta.get_field("method").choices == (
        sri_codes.PaymentMethod.choices
    )


def test_every_payment_method_of_the_counter_is_an_sri_forma_de_pago():
    assert set(sri_codes.PaymentMethod.values) <= set(sri_codes.PAYMENT_CODES)


def test_the_documents_consumidor_final_is_the_reserved_number():
    buyer = Buyer.consumidor_final()

    assert buyer.id_type == sri_codes.IdType.CONSUMIDOR_FINAL
    assert buyer.identification == sri_codes.FINAL_CONSUMER_ID
