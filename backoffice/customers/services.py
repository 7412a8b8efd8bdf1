from django.dispatch import receiver
from django.utils.translation import gettext as _

from backoffice.tenancy.models import Business
from backoffice.tenancy.signals import business_created

from .models import FINAL_CONSUMER_ID, Customer, IdType


def customer_final_consumer(*, business: Business) -> Customer:
    """The business's single CONSUMIDOR FINAL customer (created on first use)."""
    customer, _created = Customer.objects.get_or_create(
        business=business,
        identification=FINAL_CONSUMER_ID,
        defaults={"id_type": IdType.CONSUMIDOR_FINAL, "name": _("CONSUMIDOR FINAL")},
    )
    return customer


@receiver(business_created, dispatch_uid="customers_final_consumer")
def _create_final_consumer(sender, business, **kwargs):
    customer_final_consumer(business=business)
