"""The session's sales list and partial returns (issue 11)."""

from __future__ import annotations

from django.http import JsonResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from backoffice.tenancy import roles

from . import schema, selectors, services
from .api import _money, _point_get, api_view, error_response, sale_create
from .errors import NotFoundError, QueryError
from .models import CashSession


@api_view(methods=("GET", "POST"))
def sales(request):
    """GET: a session's sales; POST: post a sale (pos.api.sale_create)."""
    if request.method == "POST":
        return sale_create(request)
    return _sale_list(request)


def _session_for_list(request) -> tuple[CashSession, object]:
    """The session asked for, and whose sales of it to list (None: everyone's).

    Owners, managers, accountants and whoever opened the session see all its
    sales; another cashier at the till sees the sales they rang (issue 10).
    """
    wanted = request.GET.get("cash_session", "current")
    business = request.business
    if wanted == "current":
        point = _point_get(
            request,
            schema.query_ident(request.GET, "emission_point"),
            error=QueryError,
        )
        session = selectors.cash_session_current(business=business, point=point)
    else:
        pk = schema.query_ident(request.GET, "cash_session")
        session = CashSession.objects.for_business(business).filter(pk=pk).first()
    if session is None:
        raise NotFoundError(_("Caja no encontrada."), field="cash_session")
    everyone = selectors.cash_session_visible(
        session=session, user=request.user, role=roles.role_of(request)
    )
    return session, None if everyone else request.user


def _sale_list(request):
    session, cashier = _session_for_list(request)
    page = schema.query_page(request.GET)
    rows, more = selectors.session_sale_list(
        business=request.business, session=session, cashier=cashier, page=page
    )
    return JsonResponse(
        {
            "cash_session": session.pk,
            "results": [
                {
                    "id": sale.pk,
                    "number": sale.document_number,
                    "created_at": sale.posted_at.isoformat(),
                    "total": _money(sale.total),
                    "customer": sale.customer_name,
                    "voided": sale.is_voided,
                    "returned": sale.is_returned,
                    "receipt_url": reverse("pos:sale-receipt-pdf", args=[sale.pk]),
                    "receipt_html_url": reverse(
                        "pos:sale-receipt-html", args=[sale.pk]
                    ),
                }
                for sale in rows
            ],
            "next_page": page + 1 if more else None,
        }
    )


@api_view(methods=("POST",))
def sale_return_create(request, pk):
    sale = selectors.sale_get_visible(
        business=request.business,
        pk=pk,
        user=request.user,
        role=roles.role_of(request),
    )
    if sale is None:
        return error_response("not_found", _("Venta no encontrada."), status=404)
    body = schema.return_body(request.json)
    sale_return = services.sale_return(
        business=request.business,
        sale=sale,
        actor=request.user,
        reason=body.reason,
        lines=body.lines,
        key=body.key,
        pin=body.pin,
    )
    lines = sale_return.lines.all()
    return JsonResponse(
        {
            "id": sale_return.pk,
            "sale": sale.pk,
            # None for CONSUMIDOR FINAL: SRI takes no credit note for it.
            "number": sale_return.document_number or None,
            "subtotal": _money(sale_return.subtotal),
            "tax": _money(sale_return.tax_total),
            "total": _money(sale_return.total),
            "reason": sale_return.reason,
            "lines": [
                {
                    "line": line.sale_line_id,
                    "quantity": str(line.quantity.normalize()),
                    "discount": _money(line.discount),
                    "base": _money(line.base),
                    "tax": _money(line.tax),
                    "total": _money(line.base + line.tax),
                }
                for line in lines
            ],
        },
        status=200 if sale_return.replayed else 201,
    )
