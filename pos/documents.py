"""The adapter from the counter to fiscal documents: Sale → factura, Void → NC.

fiscal knows documents, never sales: this module (in pos, as `pos/receipts.py`
is for receipts) is the one place where a sale becomes a document.

`pos` calls `sale_invoice_issue` inside the checkout transaction and
`void_document_issue` inside the void transaction, so a sale never exists
without its electronic document. Submission (sign + send) runs after commit
in the background task. Everything is read from the sale's insert-only
snapshot (see docs/pos-api.md, "What an SRI factura reads from a Sale").
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils import timezone
from django.utils.translation import gettext as _

from backoffice.tenancy.models import Business
from fiscal.errors import DocumentStateError
from fiscal.models import DocType, ElectronicDocument
from fiscal.selectors import edoc_for_sale, issuer_from_business
from fiscal.services import (
    edoc_annulment_request,
    edoc_create_credit_note,
    edoc_create_for_sale,
    edoc_create_for_void,
    submission_deferred,
)
from fiscal.sri.documents import Buyer, CreditNote, Invoice, Line, Payment

if TYPE_CHECKING:
    from .models import Sale, SaleReturn, Void


def _buyer(sale: Sale) -> Buyer:
    return Buyer(
        id_type=sale.customer_id_type,
        identification=sale.customer_identification,
        name=sale.customer_name,
        address=sale.customer_address,
        email=sale.customer_email,
        phone=sale.customer_phone,
    )


def _lines(lines) -> tuple[Line, ...]:
    return tuple(
        Line(
            code=line.code,
            description=line.name,
            quantity=line.quantity,
            unit_price=line.unit_price,
            tax_code=line.tax_code,
            discount=line.discount,
        )
        for line in sorted(lines, key=lambda line: line.position)
    )


def _reconcile(document, *, total, subtotal, tax, what: str) -> None:
    """The document's arithmetic (core.calc) must give the stored totals exactly."""
    if (document.total, document.subtotal, document.total_tax) != (
        total,
        subtotal,
        tax,
    ):
        raise DocumentStateError(
            _("Los totales del comprobante no cuadran con %(what)s.") % {"what": what}
        )


def invoice_from_sale(
    sale: Sale, *, business: Business | None = None, lines=None, payments=None
) -> Invoice:
    """The factura of a posted sale (to its customer or to CONSUMIDOR FINAL).

    Payments are the sale's applied amounts: cash is already net of change.
    `lines` and `payments` are the sale's rows when the caller has them (the
    checkout, which has just inserted them); else they are read.
    """
    point = sale.emission_point
    invoice = Invoice(
        issuer=issuer_from_business(
            business=business or sale.business, emission_point=point
        ),
        secuencial=str(sale.number),
        fecha=timezone.localdate(sale.posted_at),
        buyer=_buyer(sale),
        lines=_lines(sale.lines.all() if lines is None else lines),
        payments=tuple(
            Payment(p.method, p.amount)
            for p in (sale.payments.all() if payments is None else payments)
        ),
        propina=sale.service_charge,
    )
    _reconcile(
        invoice,
        total=sale.total,
        subtotal=sale.subtotal,
        tax=sale.tax_total,
        what=_("la venta"),
    )
    return invoice


def credit_note_from_void(
    void: Void, *, business: Business | None = None
) -> CreditNote:
    """The nota de crédito cancelling the whole invoice of a voided sale."""
    sale = void.sale
    point = void.emission_point
    note = CreditNote(
        issuer=issuer_from_business(
            business=business or void.business, emission_point=point
        ),
        secuencial=str(void.number),
        fecha=timezone.localdate(void.voided_at),
        buyer=_buyer(sale),
        lines=_lines(sale.lines.all()),
        modified_number=sale.document_number,
        modified_date=timezone.localdate(sale.posted_at),
        reason=void.reason,
    )
    # A credit note carries no propina: it returns the invoice minus service.
    _reconcile(
        note,
        total=sale.total - sale.service_charge,
        subtotal=sale.subtotal,
        tax=sale.tax_total,
        what=_("la venta anulada"),
    )
    return note


def sale_invoice_issue(
    *, business: Business, sale: Sale, lines=None, payments=None, batch=None, pk=None
) -> ElectronicDocument:
    """Create the factura of a sale just posted, inside the checkout transaction
    (`batch` and `pk`, the document's reserved id: see `edoc_create`)."""
    if sale.business_id != business.pk:
        raise DocumentStateError(_("La venta no es de este negocio."))
    return edoc_create_for_sale(
        business=business,
        sale_id=sale.pk,
        document=invoice_from_sale(
            sale, business=business, lines=lines, payments=payments
        ),
        batch=batch,
        pk=pk,
    )


def void_document_issue(*, business: Business, void: Void) -> ElectronicDocument | None:
    """Answer a void at the SRI: a credit note, or a portal annulment request.

    SRI accepts no credit note to CONSUMIDOR FINAL, and a credit note to a
    buyer other than the invoice's would not match it; so those invoices are
    marked for annulment in the SRI portal and listed in the ATS `anulados`.
    Returns the credit note, the invoice marked for annulment, or None for a
    sale that never had an electronic document.
    """
    if void.business_id != business.pk:
        raise DocumentStateError(_("La anulación no es de este negocio."))
    invoice = edoc_for_sale(business=business, sale_id=void.sale_id)
    if invoice is None:
        return None
    if void.needs_portal_annulment:
        return edoc_annulment_request(
            business=business, edoc=invoice, at=void.voided_at, reason=void.reason
        )
    return edoc_create_for_void(
        business=business,
        void_id=void.pk,
        invoice=invoice,
        document=credit_note_from_void(void, business=business),
    )


def credit_note_from_return(
    sale_return: SaleReturn, *, lines, business: Business | None = None
) -> CreditNote:
    """The nota de crédito of a partial return: only the lines and quantities
    taken back (`lines`: (SaleLine, SaleReturnLine) pairs)."""
    sale = sale_return.sale
    note = CreditNote(
        issuer=issuer_from_business(
            business=business or sale_return.business,
            emission_point=sale_return.emission_point,
        ),
        secuencial=str(sale_return.number),
        fecha=timezone.localdate(sale_return.returned_at),
        buyer=_buyer(sale),
        lines=tuple(
            Line(
                code=sold.code,
                description=sold.name,
                quantity=back.quantity,
                unit_price=sold.unit_price,
                tax_code=sold.tax_code,
                discount=back.discount,
            )
            for sold, back in lines
        ),
        modified_number=sale.document_number,
        modified_date=timezone.localdate(sale.posted_at),
        reason=sale_return.reason,
    )
    _reconcile(
        note,
        total=sale_return.total,
        subtotal=sale_return.subtotal,
        tax=sale_return.tax_total,
        what=_("la devolución"),
    )
    return note


def return_document_issue(
    *, business: Business, sale_return: SaleReturn, lines
) -> ElectronicDocument | None:
    """The credit note of a return with a number; None for CONSUMIDOR FINAL.

    SRI takes no credit note to CONSUMIDOR FINAL and a partial return cannot
    annul the invoice in the portal: such a return stays in the books (stock,
    cash) without a document, and takes no number.
    """
    if sale_return.business_id != business.pk:
        raise DocumentStateError(_("La devolución no es de este negocio."))
    if sale_return.number is None:
        return None
    invoice = edoc_for_sale(business=business, sale_id=sale_return.sale_id)
    if invoice is None:
        return None
    return edoc_create_credit_note(
        business=business,
        source=f"return:{sale_return.pk}",
        invoice=invoice,
        document=credit_note_from_return(sale_return, lines=lines, business=business),
    )


def sale_documents_backfill(*, business: Business) -> int:
    """Create the missing documents of sales posted before e-invoicing existed.

    Idempotent: a sale or void whose document exists is skipped. Returns how
    many documents were created (none is enqueued: the caller decides).
    """
    from pos.models import Sale

    done = set(
        ElectronicDocument.objects.filter(business=business)
        .exclude(source="")
        .values_list("source", flat=True)
    )
    sales = (
        Sale.objects.filter(business=business)
        .select_related("emission_point__establishment", "void__emission_point")
        .prefetch_related("lines", "payments")
        .order_by("pk")
    )
    created = 0
    with submission_deferred():
        for sale in sales:
            if f"sale:{sale.pk}" not in done:
                sale_invoice_issue(business=business, sale=sale)
                created += 1
            void = getattr(sale, "void", None)
            if void is not None and f"void:{void.pk}" not in done:
                edoc = void_document_issue(business=business, void=void)
                created += edoc is not None and edoc.kind == DocType.CREDIT_NOTE
    return created
