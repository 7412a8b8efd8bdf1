"""Turn sales and cash sessions into the plain data fiscal.receipts draws."""

from __future__ import annotations

from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from backoffice.tenancy.models import Business
from core.taxes import TaxCategory
from fiscal.receipts import CashReport, ReceiptData, ReceiptLine
from fiscal.selectors import edoc_for_sale, rimpe_legend

from .models import CashSession, PaymentMethod, Sale
from .selectors import cash_session_summary


def _local(value) -> str:
    return timezone.localtime(value).strftime("%d/%m/%Y %H:%M")


def _sri_fields(*, business: Business, sale: Sale) -> dict:
    """Clave de acceso and authorisation of the sale's factura (one query)."""
    edoc = edoc_for_sale(business=business, sale_id=sale.pk)
    if edoc is None:
        return {}
    return {
        "access_key": edoc.access_key,
        "authorization_number": edoc.authorization_number,
        "authorized_at": _local(edoc.authorized_at) if edoc.authorized_at else "",
        "ambiente": _("PRODUCCIÓN")
        if edoc.ambiente == Business.Ambiente.PRODUCCION
        else _("PRUEBAS"),
    }


def _voided_note(void) -> str:
    if void is None:
        return ""
    if void.needs_portal_annulment:
        return _("ANULADA: Anulación en portal SRI")
    return _("ANULADA: nota de crédito %(n)s") % {"n": void.document_number}


def _logo_image(business: Business) -> bytes:
    """The logo's bytes through the storage API (local disk or S3), or b""."""
    try:
        with business.logo.open("rb") as handle:
            return handle.read()
    except (OSError, ValueError):
        return b""  # a missing logo must never stop a receipt


def sale_receipt_data(
    *, business: Business, sale: Sale, logo_image: bool = False
) -> ReceiptData:
    """Receipt data of a sale loaded with `selectors.sale_get`.

    The logo is its URL (for HTML); `logo_image` also reads its bytes (for
    the PDF). Never a file path: with object storage there is none, and a
    page must not reveal the server's layout.
    """
    establishment = sale.emission_point.establishment
    labels = dict(TaxCategory.choices)
    methods = dict(PaymentMethod.choices)
    void = sale.void if hasattr(sale, "void") else None
    logo_url = business.logo.url if business.logo else ""
    return ReceiptData(
        business_name=str(business),
        razon_social=business.razon_social,
        ruc=business.ruc,
        address=business.direccion_matriz,
        establishment_address=establishment.address,
        obligado_contabilidad=business.obligado_contabilidad,
        extra_header=[rimpe_legend(business)] if business.rimpe else [],
        title=_("FACTURA"),
        number=sale.document_number,
        date=_local(sale.posted_at),
        cashier=sale.cashier.get_full_name() or sale.cashier.get_username(),
        customer_name=sale.customer_name,
        customer_identification=sale.customer_identification,
        customer_address=sale.customer_address,
        customer_email=sale.customer_email,
        lines=[
            ReceiptLine(
                quantity=line.quantity,
                name=line.name,
                code=line.code,
                unit_price=line.unit_price,
                discount=line.discount,
                total=line.base,
                note=line.note,
            )
            for line in sale.lines.all()
        ],
        taxes=[(str(labels[t.tax_code]), t.base, t.tax) for t in sale.taxes.all()],
        subtotal=sale.subtotal,
        discount=sale.discount_total,
        tax=sale.tax_total,
        service_charge=sale.service_charge,
        total=sale.total,
        payments=[(str(methods[p.method]), p.amount) for p in sale.payments.all()],
        tendered=sale.tendered,
        change=sale.change,
        footer=business.receipt_footer,
        logo_url=logo_url,
        logo_image=_logo_image(business) if logo_image and business.logo else b"",
        voided_note=_voided_note(void),
        **_sri_fields(business=business, sale=sale),
    )


def cash_report_data(*, business: Business, session: CashSession) -> CashReport:
    """X report while the session is open, Z report once it is closed."""
    summary = cash_session_summary(business=business, session=session)
    methods = dict(PaymentMethod.choices)
    labels = dict(TaxCategory.choices)
    closed = not session.is_open
    header = [
        str(business),
        _("RUC: %(ruc)s") % {"ruc": business.ruc},
        _("Punto de emisión: %(p)s") % {"p": session.emission_point},
        _("Apertura: %(d)s") % {"d": _local(session.opened_at)},
    ]
    if closed:
        header.append(_("Cierre: %(d)s") % {"d": _local(session.closed_at)})
    else:
        header.append(_("Emitido: %(d)s") % {"d": _local(timezone.now())})
    money = "{:,.2f}".format
    sections = [
        (
            _("Ventas"),
            [
                (_("Número de ventas"), str(summary.sales_count)),
                (_("Total vendido"), money(summary.sales_total)),
                (_("Servicio"), money(summary.service_charge)),
                (_("Anulaciones"), str(summary.voids_count)),
                (_("Total anulado"), money(summary.voids_total)),
                (_("Devoluciones"), str(summary.returns_count)),
                (_("Total devuelto"), money(summary.returns_total)),
            ],
        ),
        (
            _("Impuestos"),
            [
                (f"{labels[code]} " + _("base"), money(base))
                for code, _rate, base, _tax in summary.taxes
            ]
            + [
                (f"{labels[code]} " + _("valor"), money(tax))
                for code, _rate, _base, tax in summary.taxes
            ],
        ),
        (
            _("Caja"),
            [
                (_("Fondo inicial"), money(session.opening_float)),
                (_("Ingresos"), money(summary.cash_in)),
                (_("Retiros"), money(summary.cash_out)),
            ],
        ),
        (
            _("Esperado por forma de pago"),
            [(str(methods[m]), money(v)) for m, v in sorted(summary.expected.items())],
        ),
    ]
    if closed:
        sections.append(
            (
                _("Contado"),
                [
                    (str(methods[m]), money(Decimal(v)))
                    for m, v in sorted(session.counted.items())
                ]
                + [
                    (
                        _("Diferencia %(m)s") % {"m": methods[m]},
                        money(Decimal(v) - Decimal(session.expected.get(m, "0"))),
                    )
                    for m, v in sorted(session.counted.items())
                ]
                + [(_("Diferencia"), money(session.difference))],
            )
        )
    title = _("REPORTE Z (CIERRE)") if closed else _("REPORTE X (PARCIAL)")
    return CashReport(title=title, header=header, sections=sections)
