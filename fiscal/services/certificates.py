"""Signing certificates: upload (checked against the RUC) and key rotation."""

import logging

from cryptography import x509
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from backoffice.tenancy.models import Business
from backoffice.tenancy.services import RucVerifiedError, business_ruc_verify

from .. import vault
from ..errors import (
    CertificateInvalidError,
    CertificateKeyMissingError,
)
from ..models import (
    SigningCertificate,
)
from ..sri.holder import authorities_load, certificate_names_ruc, issued_by_accredited
from ..sri.pkcs12 import CertificateError, p12_load
from ..sri.signing import issuer_name

logger = logging.getLogger(__name__)


# --- certificates --------------------------------------------------------------


@transaction.atomic
def certificate_upload(
    *, business: Business, p12: bytes, password: str
) -> SigningCertificate:
    """Check and store a .p12 encrypted; it replaces the active certificate.

    Only a certificate valid today and issued for the business's RUC (or its
    owner's cédula) is accepted: anything else would replace a working
    certificate with one the SRI refuses.
    """
    try:
        identity = p12_load(p12, password)
    except CertificateError as exc:
        raise CertificateInvalidError(
            _("El archivo .p12 o su contraseña no son válidos.")
        ) from exc
    cert = identity.certificate
    certificate_usable_check(business=business, cert=cert)
    try:
        p12_encrypted = vault.encrypt(p12)
        password_encrypted = vault.encrypt(password.encode("utf-8"))
    except (vault.KeyMissing, vault.KeyInvalid) as exc:
        logger.error("Certificate upload refused: %s", exc)
        raise CertificateKeyMissingError(
            _(
                "El servidor no tiene configurada la clave de cifrado de "
                "certificados (FISCAL_CERT_KEY). Avise al administrador del "
                "sistema; su certificado no se guardó."
            )
        ) from exc
    SigningCertificate.objects.filter(business=business, is_active=True).update(
        is_active=False
    )
    _ruc_verify_by(business=business, cert=cert)
    return SigningCertificate.objects.create(
        business=business,
        p12_encrypted=p12_encrypted,
        password_encrypted=password_encrypted,
        subject=_common_name(cert.subject) or cert.subject.rfc4514_string(),
        issuer=issuer_name(cert)[:300],
        serial_number=str(cert.serial_number)[:64],
        not_before=cert.not_valid_before_utc,
        not_after=cert.not_valid_after_utc,
    )


def certificate_usable_check(*, business: Business, cert: x509.Certificate) -> None:
    """Refuse an expired, not yet valid or another RUC's certificate."""
    now = timezone.now()
    if cert.not_valid_after_utc <= now:
        raise CertificateInvalidError(
            _(
                "El certificado caducó el %(date)s. Suba un certificado vigente; "
                "el certificado activo no cambió."
            )
            % {"date": cert.not_valid_after_utc.date().isoformat()}
        )
    if cert.not_valid_before_utc > now:
        raise CertificateInvalidError(
            _("El certificado todavía no es válido (desde el %(date)s).")
            % {"date": cert.not_valid_before_utc.date().isoformat()}
        )
    if not certificate_names_ruc(cert, business.ruc):
        raise CertificateInvalidError(
            _(
                "El certificado no fue emitido para el RUC %(ruc)s de este "
                "negocio (ni para la cédula de su titular); el certificado "
                "activo no cambió."
            )
            % {"ruc": business.ruc}
        )


def _ruc_verify_by(*, business: Business, cert: x509.Certificate) -> None:
    """An accredited certificate naming the business's RUC proves the claim."""
    if business.ruc_verified or not certificate_names_ruc(cert, business.ruc):
        return
    if not issued_by_accredited(cert, authorities_load(settings.RUC_VERIFY_CA_FILE)):
        return
    try:
        business_ruc_verify(business=business)
    except RucVerifiedError:
        logger.warning("RUC %s is already verified by another business", business.ruc)


def _common_name(name: x509.Name) -> str:
    values = name.get_attributes_for_oid(x509.NameOID.COMMON_NAME)
    return str(values[0].value)[:300] if values else ""


@transaction.atomic
def certificate_keys_rotate() -> int:
    """Re-encrypt every business's certificates with the first FISCAL_CERT_KEY.

    System code (every business): call inside `system_context()`. All or
    nothing: one certificate no key can decrypt leaves every row unchanged.
    """
    rows = SigningCertificate.unscoped_objects.select_for_update().only(
        "pk", "p12_encrypted", "password_encrypted"
    )
    count = 0
    for row in rows:
        SigningCertificate.unscoped_objects.filter(pk=row.pk).update(
            p12_encrypted=vault.rotate(row.p12_encrypted),
            password_encrypted=vault.rotate(row.password_encrypted),
        )
        count += 1
    return count
