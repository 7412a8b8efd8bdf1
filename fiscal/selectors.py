"""Reads for the fiscal app; the business is always an explicit argument."""

import functools
from datetime import date, timedelta

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from backoffice.tenancy.models import Business, EmissionPoint

from . import vault
from .errors import CertificateMissingError
from .models import (
    PENDING_STATES,
    DocState,
    ElectronicDocument,
    SigningCertificate,
)
from .sri.documents import RIMPE_EMPRENDEDOR, RIMPE_NEGOCIO_POPULAR, RIMPE_NONE, Issuer
from .sri.pkcs12 import SigningIdentity, p12_load

EXPIRY_WARNING_DAYS = 30

_RIMPE_LEGENDS = {
    "": RIMPE_NONE,
    "emprendedor": RIMPE_EMPRENDEDOR,
    "popular": RIMPE_NEGOCIO_POPULAR,
}


def rimpe_legend(business: Business) -> str:
    """The RIMPE legend printed on documents and receipts ("" when none)."""
    return _RIMPE_LEGENDS[business.rimpe]


def month_range(year: int, month: int) -> tuple[date, date]:
    """First day of the month and first day of the next one."""
    return date(year, month, 1), date(year + month // 12, month % 12 + 1, 1)


def issuer_from_business(
    *, business: Business, emission_point: EmissionPoint
) -> Issuer:
    """The SRI issuer block of a business selling from one emission point."""
    establishment = emission_point.establishment
    return Issuer(
        ruc=business.ruc,
        razon_social=business.razon_social,
        nombre_comercial=business.nombre_comercial,
        dir_matriz=business.direccion_matriz,
        dir_establecimiento=establishment.address,
        estab=establishment.code,
        pto_emi=emission_point.code,
        ambiente=business.ambiente,
        obligado_contabilidad=business.obligado_contabilidad,
        contribuyente_especial=business.contribuyente_especial,
        rimpe=rimpe_legend(business),
    )


def certificate_active(*, business: Business) -> SigningCertificate | None:
    return SigningCertificate.objects.filter(business=business, is_active=True).first()


def certificate_identity(*, business: Business) -> SigningIdentity:
    """Decrypt the active .p12 of a business into its signing key and certificate."""
    certificate = certificate_active(business=business)
    if certificate is None:
        raise CertificateMissingError()
    return _identity_load(
        vault.key_id(),
        bytes(certificate.p12_encrypted),
        bytes(certificate.password_encrypted),
    )


@functools.lru_cache(maxsize=64)
def _identity_load(key_id: str, p12_token: bytes, password_token: bytes):
    # Opening a .p12 runs its key-derivation function (~0.1 s): a worker signing
    # many documents opens each certificate once. The cache key includes the
    # vault key, so a changed FISCAL_CERT_KEY still fails to decrypt.
    password = vault.decrypt(password_token).decode("utf-8")
    return p12_load(vault.decrypt(p12_token), password)


def certificate_days_left(certificate: SigningCertificate) -> int:
    return (certificate.not_after - timezone.now()).days


def certificate_expires_soon(certificate: SigningCertificate) -> bool:
    """True within the last 30 days of validity (and once expired)."""
    return certificate.not_after - timezone.now() <= timedelta(days=EXPIRY_WARNING_DAYS)


def edoc_due_list(*, now=None, limit: int = 100) -> QuerySet[ElectronicDocument]:
    """Pending documents of every business whose next attempt is due (system code)."""
    now = now or timezone.now()
    return (
        ElectronicDocument.unscoped_objects.filter(state__in=PENDING_STATES)
        .exclude(next_attempt_at__gt=now)
        .select_related("business")
        .order_by("next_attempt_at", "id")[:limit]
    )


def edoc_for_sale(*, business: Business, sale_id: int) -> ElectronicDocument | None:
    """The factura of a posted sale, if it has one."""
    return (
        ElectronicDocument.objects.filter(business=business, source=f"sale:{sale_id}")
        .order_by()
        .first()
    )


def edoc_unsent_count(*, business: Business) -> int:
    """Documents generated or signed that never reached the SRI."""
    return ElectronicDocument.objects.filter(
        business=business,
        state__in=(DocState.GENERATED, DocState.SIGNED),
        attempts=0,
    ).count()


def edoc_to_annul_count(*, business: Business) -> int:
    """Voided CONSUMIDOR FINAL invoices still to be annulled in the SRI portal."""
    return ElectronicDocument.objects.filter(
        business=business,
        annulment_requested_at__isnull=False,
        annulled_in_portal_at__isnull=True,
    ).count()


def edoc_month_list(*, business: Business, year: int, month: int) -> QuerySet:
    start, end = month_range(year, month)
    return (
        ElectronicDocument.objects.for_business(business)
        .filter(issue_date__gte=start, issue_date__lt=end)
        .order_by("issue_date", "kind", "number")
    )


def edoc_annulled_list(*, business: Business, year: int, month: int) -> QuerySet:
    """Invoices whose annulment in the SRI portal was requested in that month."""
    start, end = month_range(year, month)
    return (
        ElectronicDocument.objects.for_business(business)
        .filter(
            annulment_requested_at__date__gte=start,
            annulment_requested_at__date__lt=end,
        )
        .order_by("number")
    )


def certificate_warning(*, business: Business) -> str | None:
    """Spanish dashboard warning when signing is, or soon will be, impossible."""

    certificate = certificate_active(business=business)
    if certificate is None:
        return _("Suba su certificado de firma electrónica para emitir comprobantes.")
    days = certificate_days_left(certificate)
    if days < 0:
        return _("Su certificado de firma electrónica caducó: suba uno nuevo.")
    if certificate_expires_soon(certificate):
        return _("Su certificado de firma electrónica caduca en %(days)s días.") % {
            "days": days
        }
    return None
