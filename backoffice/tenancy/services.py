import logging

from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .context import system_context, tenant_context
from .models import Business, EmissionPoint, Establishment, Membership, Role
from .signals import business_created


@transaction.atomic
def business_register(
    *,
    email: str,
    password: str,
    ruc: str,
    razon_social: str,
    mode: str,
    direccion_matriz: str = "",
    nombre_comercial: str = "",
    username: str | None = None,
):
    """Create an owner, their business, establishment 001 and emission point 001."""
    user = get_user_model().objects.create_user(
        username=username or email, email=email, password=password
    )
    business = Business.objects.create(
        ruc=ruc,
        razon_social=razon_social,
        nombre_comercial=nombre_comercial,
        direccion_matriz=direccion_matriz or "-",
        mode=mode,
    )
    with tenant_context(business):
        business_setup_defaults(business=business)
        Membership.objects.create(business=business, user=user, role=Role.OWNER)
    return user, business


def business_setup_defaults(*, business: Business) -> EmissionPoint:
    """Establishment 001 and emission point 001, the minimum a business sells from."""
    establishment, _ = Establishment.objects.get_or_create(
        business=business,
        code="001",
        defaults={"name": "Matriz", "address": business.direccion_matriz},
    )
    point, _ = EmissionPoint.objects.get_or_create(
        business=business,
        establishment=establishment,
        code="001",
        defaults={"name": "Caja 1"},
    )
    business_created.send(sender=Business, business=business)
    return point


def membership_add(*, business: Business, user, role: str) -> Membership:
    membership, _ = Membership.objects.update_or_create(
        business=business, user=user, defaults={"role": role, "is_active": True}
    )
    return membership


logger = logging.getLogger(__name__)


def invitation_send(*, membership: Membership, url: str) -> bool:
    """Tell the invited person by e-mail (after the membership is committed).

    The invitation stands whether or not the mail goes out: they also see it
    when they log in. Returns whether it was sent.
    """
    user = membership.user
    if not user.email or not membership.is_pending:
        return False
    message = EmailMessage(
        subject=_("Invitación de %(business)s en SouthernPOS")
        % {"business": membership.business},
        body=_(
            "%(business)s (RUC %(ruc)s) le invita a trabajar con su negocio "
            "como %(role)s.\n\nIngrese y acepte o rechace la invitación en:\n"
            "%(url)s\n\nSi no la esperaba, puede rechazarla: nadie le verá "
            "como miembro mientras no la acepte."
        )
        % {
            "business": membership.business,
            "ruc": membership.business.ruc,
            "role": membership.get_role_display(),
            "url": url,
        },
        to=[user.email],
    )
    try:
        message.send()
    except OSError:
        logger.exception("could not e-mail invitation %s", membership.pk)
        return False
    return True


class InvitationNotFoundError(Exception):
    """No pending invitation with that id for this person."""


def _invitation(*, user, membership_id) -> Membership:
    try:
        pk = int(membership_id)
    except (TypeError, ValueError):
        raise InvitationNotFoundError from None
    membership = (
        Membership.unscoped_objects.select_for_update()
        .filter(pk=pk, user=user, is_active=True, accepted_at__isnull=True)
        .first()
    )
    if membership is None:
        raise InvitationNotFoundError
    return membership


@transaction.atomic
def invitation_accept(*, user, membership_id) -> Membership:
    """The invited person joins the business (only they can accept)."""
    with system_context():  # they are not in that business until now
        membership = _invitation(user=user, membership_id=membership_id)
        membership.accepted_at = timezone.now()
        membership.save(update_fields=["accepted_at", "updated_at"])
    return membership


@transaction.atomic
def invitation_decline(*, user, membership_id) -> None:
    """The invited person says no: the offer is removed (its history stays)."""
    with system_context():
        _invitation(user=user, membership_id=membership_id).delete()
