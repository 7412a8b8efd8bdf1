from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from backoffice.tenancy.models import EmissionPoint, TenantModel


class DocType(models.TextChoices):
    """SRI tabla 3: tipos de comprobante (codDoc)."""

    INVOICE = "01", _("Factura")
    CREDIT_NOTE = "04", _("Nota de crédito")


class DocumentSequence(TenantModel):
    """Next number per (business, emission point, document type), taken under lock."""

    emission_point = models.ForeignKey(
        EmissionPoint, on_delete=models.PROTECT, related_name="sequences"
    )
    doc_type = models.CharField(_("tipo"), max_length=2, choices=DocType.choices)
    last_number = models.PositiveBigIntegerField(_("último número"), default=0)

    class Meta:
        verbose_name = _("secuencia")
        verbose_name_plural = _("secuencias")
        constraints = [
            models.UniqueConstraint(
                fields=["business", "emission_point", "doc_type"], name="uniq_sequence"
            )
        ]

    def __str__(self):
        return f"{self.emission_point_id}/{self.doc_type}: {self.last_number}"


class DocState(models.TextChoices):
    """Life of an electronic document, from generation to the SRI's verdict."""

    GENERATED = "generated", _("Generado")
    SIGNED = "signed", _("Firmado, sin enviar")
    SENT = "sent", _("Enviado (sin respuesta)")
    RECEIVED = "received", _("Recibido por el SRI")
    AUTHORISED = "authorised", _("Autorizado")
    RETURNED = "returned", _("Devuelto")
    NOT_AUTHORISED = "not_authorised", _("No autorizado")


# States the background job still has to move forward.
PENDING_STATES = (DocState.GENERATED, DocState.SIGNED, DocState.SENT, DocState.RECEIVED)
# States an owner can correct and send again.
REJECTED_STATES = (DocState.RETURNED, DocState.NOT_AUTHORISED)


class ElectronicDocument(TenantModel):
    """One SRI comprobante (factura or nota de crédito) and its journey.

    The clave de acceso identifies it at the SRI; it is never sent under a
    second key, so retries can never produce a duplicate invoice.
    """

    kind = models.CharField(_("tipo"), max_length=2, choices=DocType.choices)
    state = models.CharField(
        _("estado"), max_length=20, choices=DocState.choices, default=DocState.GENERATED
    )
    access_key = models.CharField(_("clave de acceso"), max_length=49)
    number = models.CharField(_("número"), max_length=17)
    issue_date = models.DateField(_("fecha de emisión"))
    ambiente = models.CharField(_("ambiente"), max_length=1)
    buyer_id_type = models.CharField(_("tipo identificación"), max_length=2)
    buyer_identification = models.CharField(_("identificación"), max_length=20)
    buyer_name = models.CharField(_("cliente"), max_length=300)
    buyer_email = models.CharField(_("correo del cliente"), max_length=254, blank=True)
    subtotal = models.DecimalField(_("subtotal"), max_digits=14, decimal_places=2)
    tax_total = models.DecimalField(_("IVA"), max_digits=14, decimal_places=2)
    total = models.DecimalField(_("total"), max_digits=14, decimal_places=2)
    source = models.CharField(
        _("origen"), max_length=64, blank=True, help_text=_("p. ej. sale:123")
    )
    modifies = models.ForeignKey(
        "self",
        verbose_name=_("documento modificado"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="credit_notes",
    )
    payload = models.JSONField(_("datos del documento"))
    # Empty until the document is signed (built then from `payload`).
    xml = models.TextField(_("XML generado"), blank=True)
    signed_xml = models.TextField(_("XML firmado"), blank=True)
    authorised_xml = models.TextField(_("XML autorizado"), blank=True)
    authorization_number = models.CharField(
        _("número de autorización"), max_length=49, blank=True
    )
    authorized_at = models.DateTimeField(
        _("fecha de autorización"), null=True, blank=True
    )
    attempts = models.PositiveIntegerField(_("intentos"), default=0)
    next_attempt_at = models.DateTimeField(_("próximo intento"), null=True, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True, editable=False)
    sent_at = models.DateTimeField(_("enviado"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("enviado por correo"), null=True, blank=True)
    last_error = models.TextField(_("último error"), blank=True)
    # SRI takes no credit note to CONSUMIDOR FINAL: a voided invoice of theirs
    # is annulled by the owner in the SRI portal and listed in the ATS anulados.
    annulment_requested_at = models.DateTimeField(
        _("anulación en el portal del SRI solicitada"), null=True, blank=True
    )
    annulment_reason = models.CharField(
        _("motivo de la anulación"), max_length=300, blank=True
    )
    # ...and recorded here once it is done there.
    annulled_in_portal_at = models.DateTimeField(
        _("anulada en el portal del SRI"), null=True, blank=True
    )
    annulled_in_portal_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("anulación registrada por"),
    )
    annulment_reference = models.CharField(
        _("referencia de la anulación en el portal"), max_length=120, blank=True
    )

    class Meta:
        verbose_name = _("comprobante electrónico")
        verbose_name_plural = _("comprobantes electrónicos")
        ordering = ["-issue_date", "-number"]
        constraints = [
            # The clave contains the RUC, so per-business uniqueness is global.
            models.UniqueConstraint(
                fields=["business", "access_key"], name="uniq_edoc_access_key"
            ),
            models.UniqueConstraint(
                fields=["business", "kind", "number"], name="uniq_edoc_number"
            ),
            models.CheckConstraint(
                condition=models.Q(total__gte=0), name="edoc_total_non_negative"
            ),
        ]
        indexes = [
            models.Index(fields=["business", "issue_date"], name="edoc_business_date"),
            models.Index(fields=["business", "source"], name="edoc_business_source"),
            # The sender scans every business for due work (system context).
            models.Index(fields=["state", "next_attempt_at"], name="edoc_due"),
            # The back office counts these on every list page (issue 16).
            models.Index(fields=["business", "state"], name="edoc_business_state"),
            # Search by buyer: customers are matched first, then this (issue 16).
            models.Index(
                fields=["business", "buyer_identification", "issue_date"],
                name="edoc_business_buyer",
            ),
            models.Index(
                fields=["business"],
                name="edoc_to_annul",
                condition=models.Q(
                    annulment_requested_at__isnull=False,
                    annulled_in_portal_at__isnull=True,
                ),
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.number}"

    @property
    def is_pending(self) -> bool:
        return self.state in PENDING_STATES

    @property
    def is_rejected(self) -> bool:
        return self.state in REJECTED_STATES

    @property
    def needs_portal_annulment(self) -> bool:
        return self.annulment_requested_at is not None

    @property
    def portal_annulment_pending(self) -> bool:
        return self.needs_portal_annulment and self.annulled_in_portal_at is None


class SriMessage(TenantModel):
    """A message the SRI returned for a document (append-only)."""

    class Origin(models.TextChoices):
        RECEPCION = "recepcion", _("Recepción")
        AUTORIZACION = "autorizacion", _("Autorización")

    document = models.ForeignKey(
        ElectronicDocument, on_delete=models.CASCADE, related_name="messages"
    )
    origin = models.CharField(_("servicio"), max_length=20, choices=Origin.choices)
    identificador = models.CharField(_("código"), max_length=10)
    mensaje = models.CharField(_("mensaje"), max_length=300)
    informacion_adicional = models.TextField(_("información adicional"), blank=True)
    tipo = models.CharField(_("tipo"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("mensaje del SRI")
        verbose_name_plural = _("mensajes del SRI")
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["business", "document"], name="srimsg_document")
        ]

    def __str__(self):
        return f"[{self.identificador}] {self.mensaje}"


class ElectronicDocumentEvent(TenantModel):
    """One change of a document's state (append-only): who, when, from → to, why.

    Written for every transition after the document exists (sign, send, the
    SRI's answers, resend, annulment); the creation itself is the document row,
    written inside the checkout's batch, so it has no event.
    """

    class Action(models.TextChoices):
        SIGN = "sign", _("Firma")
        SEND = "send", _("Envío al SRI")
        RECEPTION = "reception", _("Respuesta de recepción")
        AUTHORIZATION = "authorization", _("Respuesta de autorización")
        RESEND = "resend", _("Reenvío")
        FIX = "fix", _("Corrección de datos del cliente")
        ANNULMENT_REQUEST = "annulment_request", _("Anulación pedida")
        PORTAL_ANNULMENT = "portal_annulment", _("Anulación en el portal")

    document = models.ForeignKey(
        ElectronicDocument, on_delete=models.CASCADE, related_name="events"
    )
    action = models.CharField(_("acción"), max_length=20, choices=Action.choices)
    from_state = models.CharField(
        _("estado anterior"), max_length=20, choices=DocState.choices, blank=True
    )
    to_state = models.CharField(
        _("estado nuevo"), max_length=20, choices=DocState.choices, blank=True
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("usuario"),
    )
    summary = models.CharField(
        _("respuesta del SRI / detalle"), max_length=500, blank=True
    )

    class Meta:
        verbose_name = _("evento del comprobante")
        verbose_name_plural = _("eventos del comprobante")
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["business", "document"], name="edocevent_document")
        ]

    def __str__(self):
        return f"{self.action}: {self.from_state} → {self.to_state}"


class SigningCertificate(TenantModel):
    """A business's .p12 signature file, encrypted at rest (Fernet, FISCAL_CERT_KEY)."""

    p12_encrypted = models.BinaryField(editable=False)
    password_encrypted = models.BinaryField(editable=False)
    subject = models.CharField(_("titular"), max_length=300)
    issuer = models.CharField(_("emisor"), max_length=300)
    serial_number = models.CharField(_("número de serie"), max_length=64)
    not_before = models.DateTimeField(_("válido desde"))
    not_after = models.DateTimeField(_("válido hasta"))
    is_active = models.BooleanField(_("activo"), default=True)

    class Meta:
        verbose_name = _("certificado de firma")
        verbose_name_plural = _("certificados de firma")
        ordering = ["-is_active", "-not_after"]
        constraints = [
            models.UniqueConstraint(
                fields=["business"],
                condition=models.Q(is_active=True),
                name="uniq_active_certificate",
            )
        ]

    def __str__(self):
        return f"{self.subject} ({self.not_after:%d/%m/%Y})"
