from django.core.exceptions import ValidationError
from django.db import transaction
from django.dispatch import receiver
from django.utils.translation import gettext as _

from backoffice.tenancy.models import Business
from backoffice.tenancy.signals import business_created

from .models import FINAL_CONSUMER_ID, Customer, IdType

EDITABLE = ("id_type", "identification", "name", "email", "phone", "address")


def customer_final_consumer(*, business: Business) -> Customer:
    """The business's single CONSUMIDOR FINAL customer (created on first use)."""
    customer, _created = Customer.objects.get_or_create(
        business=business,
        identification=FINAL_CONSUMER_ID,
        defaults={"id_type": IdType.CONSUMIDOR_FINAL, "name": _("CONSUMIDOR FINAL")},
    )
    return customer


@transaction.atomic
def customer_create(*, business: Business, **fields) -> Customer:
    """Create a customer with a validated identification (cédula/RUC by stdnum)."""
    customer = Customer(business=business, **_only_editable(fields))
    customer.full_clean()
    customer.save()
    return customer


@transaction.atomic
def customer_update(*, business: Business, customer: Customer, **fields) -> Customer:
    if customer.business_id != business.pk:
        raise ValidationError(_("El cliente no pertenece a este negocio."))
    if customer.is_final_consumer:
        raise ValidationError(_("Consumidor final no se puede modificar."))
    for name, value in _only_editable(fields).items():
        setattr(customer, name, value)
    customer.full_clean()
    customer.save()
    return customer


def _only_editable(fields: dict) -> dict:
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise TypeError(f"unknown customer fields: {sorted(unknown)}")
    return fields


@receiver(business_created, dispatch_uid="customers_final_consumer")
def _create_final_consumer(sender, business, **kwargs):
    customer_final_consumer(business=business)
