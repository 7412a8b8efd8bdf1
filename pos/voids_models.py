"""Voids of sales and wrong supervisor PINs (imported at the end of pos.models)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from backoffice.customers.models import IdType
from backoffice.tenancy.models import EmissionPoint, TenantModel

from .models import MONEY, CashSession, InsertOnlyModel, Sale


class CreditNoteRecord(InsertOnlyModel):
    """What a void and a partial return share: the credit-note number at an
    emission point (none for CONSUMIDOR FINAL), why, who and who authorised
    it, and the total given back. Each adds its sale link, its date, the
    member who did it and its cash session."""

    emission_point = models.ForeignKey(
        EmissionPoint, on_delete=models.PROTECT, related_name="+"
    )
    number = models.PositiveBigIntegerField(
        _("secuencial nota de crédito"), null=True, blank=True
    )
    document_number = models.CharField(_("nota de crédito"), max_length=17, blank=True)
    reason = models.CharField(_("motivo"), max_length=300)
    authorized_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("autorizada por"),
    )
    total = models.DecimalField(_("total"), **MONEY)

    class Meta(InsertOnlyModel.Meta):
        abstract = True


class Void(CreditNoteRecord):
    """The annulment of a sale, with its credit note (nota de crédito) number.

    A void of a CONSUMIDOR FINAL sale takes no number: SRI takes no credit note
    for it (the invoice is annulled in the SRI portal), and a number taken
    without a document would leave a gap in the credit-note sequence.
    """

    sale = models.OneToOneField(Sale, on_delete=models.PROTECT, related_name="void")
    voided_at = models.DateTimeField(_("fecha"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("anulada por"),
    )
    cash_session = models.ForeignKey(
        CashSession, on_delete=models.PROTECT, related_name="voids"
    )

    class Meta:
        verbose_name = _("anulación")
        verbose_name_plural = _("anulaciones")
        ordering = ["-voided_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["business", "sale"], name="uniq_void_sale"),
            models.UniqueConstraint(
                fields=["business", "emission_point", "number"],
                name="uniq_void_number",
            ),
        ]

    def __str__(self):
        return f"{self.document_label} ({self.sale.document_number})"

    @property
    def document_label(self) -> str:
        """The credit-note number, or how the void reaches SRI without one."""
        return self.document_number or _("Anulación en portal SRI")

    @property
    def needs_portal_annulment(self) -> bool:
        """SRI takes no credit note to CONSUMIDOR FINAL: annul the invoice online.

        The void still reverses stock and cash but takes no credit-note number;
        `pos.documents.void_document_issue` marks the invoice for
        annulment in the SRI portal instead of a nota de crédito.
        """
        return self.sale.customer_id_type == IdType.CONSUMIDOR_FINAL


class PinFailure(TenantModel):
    """A wrong supervisor PIN typed to authorise a void (issue 10, brute force).

    Counted per cashier to lock further tries out for a while; the failure
    that reaches the limit is marked `locked` and alerts the owner.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("cajero"),
    )
    locked = models.BooleanField(_("bloqueó el PIN"), default=False)

    class Meta:
        verbose_name = _("PIN de supervisor fallido")
        verbose_name_plural = _("PIN de supervisor fallidos")
        indexes = [
            models.Index(
                fields=["business", "user", "created_at"], name="pinfail_user_at"
            ),
            models.Index(
                fields=["business", "locked", "created_at"], name="pinfail_locked_at"
            ),
        ]

    def __str__(self):
        return f"{self.user} · {self.created_at:%Y-%m-%d %H:%M}"
