"""Delivery to the buyer: the RIDE (PDF) and the e-mail with both files."""

import logging

from django.core.mail import EmailMessage
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import (
    DocState,
    ElectronicDocument,
)
from ..sri.payload import document_from_payload
from ..sri.ride import ride_render

logger = logging.getLogger(__name__)


# --- delivery to the buyer ----------------------------------------------------------


def edoc_ride(*, edoc: ElectronicDocument) -> bytes:
    return ride_render(
        document_from_payload(edoc.payload),
        authorization_number=edoc.authorization_number,
        authorized_at=timezone.localtime(edoc.authorized_at)
        if edoc.authorized_at
        else None,
    )


def edoc_email(*, edoc: ElectronicDocument) -> bool:
    """E-mail the RIDE and the authorised XML to the buyer, once."""
    if edoc.state != DocState.AUTHORISED or not edoc.buyer_email or edoc.emailed_at:
        return False
    business = edoc.business
    message = EmailMessage(
        subject=_("%(kind)s %(number)s de %(business)s")
        % {
            "kind": edoc.get_kind_display(),
            "number": edoc.number,
            "business": business,
        },
        body=_(
            "Adjuntamos su comprobante electrónico autorizado por el SRI.\n"
            "Clave de acceso: %(key)s"
        )
        % {"key": edoc.access_key},
        to=[edoc.buyer_email],
    )
    message.attach(f"{edoc.access_key}.pdf", edoc_ride(edoc=edoc), "application/pdf")
    message.attach(f"{edoc.access_key}.xml", edoc.authorised_xml, "application/xml")
    try:
        message.send()
    except OSError:
        logger.exception("could not e-mail document %s", edoc.pk)
        return False
    edoc.emailed_at = timezone.now()
    edoc.save(update_fields=["emailed_at", "updated_at"])
    return True
