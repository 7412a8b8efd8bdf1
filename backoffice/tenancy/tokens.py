"""Signed links sent by e-mail: following one proves the mailbox.

Sign-up carries the whole request in its link (nothing is created before the
e-mail is proven); an invitation carries the membership, the account and the
address it was sent to. Both expire; neither can be forged without SECRET_KEY.
"""

from datetime import timedelta

from django.conf import settings
from django.core import signing

SIGNUP_SALT = "southernpos.tenancy.signup"
SIGNUP_FIELDS = frozenset(
    {"email", "ruc", "razon_social", "nombre_comercial", "direccion_matriz", "mode"}
)
INVITATION_SALT = "southernpos.tenancy.invitation"
INVITATION_MAX_AGE = timedelta(days=7)


def signup_token_make(data: dict) -> str:
    return signing.dumps(data, salt=SIGNUP_SALT, compress=True)


def signup_token_read(token: str) -> dict | None:
    try:
        data = signing.loads(
            token, salt=SIGNUP_SALT, max_age=settings.PASSWORD_RESET_TIMEOUT
        )
    except signing.BadSignature:  # SignatureExpired included
        return None
    # A link signed by an older form with other fields is simply not valid.
    if not isinstance(data, dict) or data.keys() != SIGNUP_FIELDS:
        return None
    return data


def invitation_token_make(membership) -> str:
    payload = {"m": membership.pk, "u": membership.user_id, "e": membership.user.email}
    return signing.dumps(payload, salt=INVITATION_SALT)


def invitation_token_read(token: str) -> dict | None:
    try:
        data = signing.loads(token, salt=INVITATION_SALT, max_age=INVITATION_MAX_AGE)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or not {"m", "u", "e"} <= data.keys():
        return None
    return data
