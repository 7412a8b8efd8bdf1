import logging
from collections.abc import Callable

from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from .context import system_context, tenant_context
from .models import (
    Account,
    Business,
    EmissionPoint,
    Establishment,
    Membership,
    Role,
    RucDispute,
)
from .signals import business_created
from .tokens import invitation_token_read, signup_token_make


class AccountExistsError(Exception):
    """The e-mail already belongs to an account."""


class RucVerifiedError(Exception):
    """Another business proved this RUC is theirs."""


class MemberExistsError(Exception):
    """The person already belongs to this business."""


def ruc_is_verified_elsewhere(*, ruc: str, business: Business | None = None) -> bool:
    qs = Business.objects.filter(ruc=ruc, ruc_verified_at__isnull=False)
    if business is not None:
        qs = qs.exclude(pk=business.pk)
    return qs.exists()


def account_find(*, email: str):
    """The account an e-mail names, if any (never a business-local login)."""
    return (
        get_user_model()
        .objects.filter(Q(email__iexact=email) | Q(username__iexact=email))
        .exclude(account__is_local=True)
        .order_by("pk")
        .first()
    )


def account_email_verify(*, user) -> None:
    """The person followed a link sent to their e-mail: the mailbox is theirs."""
    Account.objects.update_or_create(
        user=user, defaults={"email_verified_at": timezone.now()}
    )


def account_is_verified(*, user) -> bool:
    return Account.objects.filter(
        user=user, email_verified_at__isnull=False, is_local=False
    ).exists()


def _mail(*, subject: str, body: str, to: str) -> bool:
    try:
        EmailMessage(subject=subject, body=body, to=[to]).send()
    except OSError:
        logger.exception("could not send mail %r", subject)
        return False
    return True


def signup_request(
    *, data: dict, confirm_url: Callable[[str], str], login_url: str, reset_url: str
) -> None:
    """Send the sign-up link, or tell an existing account someone tried.

    Nothing is created here: the business is registered only when the link is
    followed, so an unproven e-mail never holds an account, and the person
    signing up sees the same page whether the e-mail is known or not.
    """
    email = data["email"]
    if account_find(email=email) is not None:
        body = _(
            "Alguien intentó crear un negocio en SouthernPOS con este correo, que "
            "ya tiene una cuenta.\n\nSi fue usted, ingrese en %(login)s o, si "
            "olvidó su contraseña, cree una nueva en %(reset)s\n\nSi no fue "
            "usted, ignore este mensaje: no se creó nada."
        ) % {"login": login_url, "reset": reset_url}
        _mail(subject=_("Su cuenta de SouthernPOS"), body=body, to=email)
        return
    url = confirm_url(signup_token_make(data))
    body = _(
        "Para crear %(business)s (RUC %(ruc)s) en SouthernPOS, confirme su correo "
        "y elija su contraseña en:\n%(url)s\n\nEl enlace vence en 3 días. Si "
        "no fue usted, ignore este mensaje: no se creó nada."
    ) % {"business": data["razon_social"], "ruc": data["ruc"], "url": url}
    _mail(subject=_("Confirme su correo en SouthernPOS"), body=body, to=email)


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
    """Create an owner, their business, establishment 001 and emission point 001.

    Called once the owner proved their e-mail (the sign-up link).
    """
    if account_find(email=email) is not None:
        raise AccountExistsError
    if ruc_is_verified_elsewhere(ruc=ruc):
        raise RucVerifiedError
    user = get_user_model().objects.create_user(
        username=username or email, email=email, password=password
    )
    account_email_verify(user=user)
    business = Business.objects.create(
        ruc=ruc,
        razon_social=razon_social,
        nombre_comercial=nombre_comercial,
        direccion_matriz=direccion_matriz or "-",
        mode=mode,
        # A new shop sells at once, before any receiving (issue 11); the strict
        # mode is this setting turned off (README, "Stock of a new business").
        allow_negative_stock=True,
    )
    with tenant_context(business):
        business_setup_defaults(business=business)
        Membership.objects.create(business=business, user=user, role=Role.OWNER)
    return user, business


@transaction.atomic
def business_ruc_verify(*, business: Business) -> Business:
    """Mark the RUC as proven (a signing certificate for it, or platform staff)."""
    if business.ruc_verified:
        return business
    if ruc_is_verified_elsewhere(ruc=business.ruc, business=business):
        raise RucVerifiedError
    business.ruc_verified_at = timezone.now()
    business.save(update_fields=["ruc_verified_at"])
    return business


def ruc_dispute_open(
    *, ruc: str, email: str, razon_social: str, message: str
) -> RucDispute:
    return RucDispute.objects.create(
        ruc=ruc, email=email, razon_social=razon_social, message=message
    )


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


def member_account_for(*, business: Business, email: str):
    """The account to invite for an e-mail: the existing one, or a new one.

    A new account has no usable password: whoever controls the mailbox sets it
    through the link. The owner never learns or chooses it, and whether the
    e-mail already had an account makes no difference to what they see.
    """
    user = account_find(email=email)
    if user is None:
        user = get_user_model().objects.create_user(username=email, email=email)
    elif Membership.unscoped_objects.filter(business=business, user=user).exists():
        raise MemberExistsError
    return user


def local_username(*, business: Business, name: str) -> str:
    # Never a valid e-mail address (the RUC is no domain), so a local login
    # can never be matched by an invitation or a password-reset request.
    return f"{name.strip().lower()}@{business.ruc}"


@transaction.atomic
def member_local_create(*, business: Business, name: str, password: str):
    """A login for staff without a mailbox, usable in this business only."""
    username = local_username(business=business, name=name)
    if get_user_model().objects.filter(username__iexact=username).exists():
        raise MemberExistsError
    user = get_user_model().objects.create_user(username=username, password=password)
    Account.objects.create(user=user, is_local=True)
    return user


def invitation_send(*, membership: Membership, url: str) -> bool:
    """E-mail the invitation link (after the membership is committed).

    The link is the only way to accept. Returns whether the mail went out.
    """
    user = membership.user
    if not user.email or not membership.is_pending:
        return False
    values = {
        "business": membership.business,
        "ruc": membership.business.ruc,
        "role": membership.get_role_display(),
        "url": url,
    }
    body = _(
        "%(business)s (RUC %(ruc)s) le invita a trabajar con su negocio como "
        "%(role)s.\n\nPara aceptar o rechazar, abra este enlace (vence en 7 "
        "días):\n%(url)s\n\nSi no la esperaba, ignore este mensaje: nadie le "
        "verá como miembro mientras no la acepte."
    )
    subject = _("Invitación de %(business)s en SouthernPOS") % {
        "business": membership.business
    }
    sent = _mail(subject=subject, body=body % values, to=user.email)
    if not sent:
        logger.error("could not e-mail invitation %s", membership.pk)
    return sent


class InvitationNotFoundError(Exception):
    """No pending invitation with that id (or link) for this person."""


class AccountNotVerifiedError(Exception):
    """The account never proved its e-mail: it may not join another business."""


def _invitation(*, user, membership_id) -> Membership:
    try:
        pk = int(membership_id)
    except (TypeError, ValueError):
        raise InvitationNotFoundError from None
    membership = (
        Membership.unscoped_objects.select_for_update()
        .filter(pk=pk, user=user, is_active=True, accepted_at__isnull=True)
        .select_related("business", "user")
        .first()
    )
    if membership is None:
        raise InvitationNotFoundError
    return membership


def invitation_from_token(*, token: str) -> Membership:
    """The pending invitation a link names, if the link is genuine and current."""
    data = invitation_token_read(token)
    if data is None:
        raise InvitationNotFoundError
    with system_context():
        membership = (
            Membership.unscoped_objects.filter(
                pk=data["m"],
                user_id=data["u"],
                is_active=True,
                accepted_at__isnull=True,
                business__is_active=True,
            )
            .select_related("business", "user")
            .first()
        )
    # Sent to another address than the account has now: not proof of this one.
    if membership is None or membership.user.email.lower() != str(data["e"]).lower():
        raise InvitationNotFoundError
    return membership


@transaction.atomic
def invitation_accept(*, user, token: str) -> Membership:
    """The invited person joins the business: their account, their mailbox's link."""
    membership = invitation_from_token(token=token)
    if membership.user_id != user.pk:
        raise InvitationNotFoundError
    if not account_is_verified(user=user):
        raise AccountNotVerifiedError
    with system_context():  # they are not in that business until now
        membership = _invitation(user=user, membership_id=membership.pk)
        membership.accepted_at = timezone.now()
        membership.save(update_fields=["accepted_at", "updated_at"])
    return membership


@transaction.atomic
def invitation_join_new(*, token: str, password: str) -> Membership:
    """A new account sets its first password from the link and joins."""
    membership = invitation_from_token(token=token)
    user = membership.user
    if user.has_usable_password():
        raise InvitationNotFoundError  # not new: log in and accept instead
    user.set_password(password)
    user.save(update_fields=["password"])
    account_email_verify(user=user)
    return invitation_accept(user=user, token=token)


@transaction.atomic
def invitation_decline(*, user, membership_id) -> None:
    """The invited person says no: the offer is removed (its history stays)."""
    with system_context():
        _invitation(user=user, membership_id=membership_id).delete()
