"""The POS JSON API: thin views over pos.services and pos.selectors.

Session authentication with CSRF (Django's middleware). Errors are JSON:
`{"error": code, "detail": text, "field": name-or-null}` with a 4xx status.
"""

from __future__ import annotations

import json
import uuid
from decimal import Decimal
from functools import wraps

from django.http import JsonResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from backoffice.customers.models import Customer
from backoffice.tenancy import roles
from backoffice.tenancy.models import Role
from fiscal.errors import SouthernPOSError

from . import selectors, services
from .errors import NotFoundError, SaleInputError
from .models import CashSession, Sale

SELLERS = roles._roles(Role.OWNER, Role.MANAGER, Role.CASHIER)


def error_response(code: str, detail: str, status: int, field=None) -> JsonResponse:
    return JsonResponse(
        {"error": code, "detail": str(detail), "field": field}, status=status
    )


def api_view(allowed=SELLERS, methods=("GET",)):
    """Authenticate, check the role, parse JSON, and map domain errors to 4xx."""

    def decorator(view):
        @require_http_methods(list(methods))
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return error_response(
                    "not_authenticated", _("Inicie sesión."), status=401
                )
            if request.business is None or not roles.has_role(request, allowed):
                return error_response(
                    "forbidden", _("No tiene permiso para esta acción."), status=403
                )
            if request.method == "POST":
                try:
                    request.json = json.loads(
                        request.body or b"{}", parse_float=Decimal
                    )
                except (ValueError, UnicodeDecodeError):
                    return error_response(
                        "invalid_json", _("El cuerpo no es JSON válido."), status=400
                    )
                if not isinstance(request.json, dict):
                    return error_response(
                        "invalid_json", _("Se esperaba un objeto JSON."), status=400
                    )
            try:
                return view(request, *args, **kwargs)
            except SouthernPOSError as exc:
                return error_response(exc.code, exc.message, exc.status, exc.field)

        return wrapper

    return decorator


def _money(value) -> str:
    return f"{value:.2f}"


def sale_json(sale: Sale) -> dict:
    return {
        "id": sale.pk,
        "number": sale.document_number,
        "posted_at": sale.posted_at.isoformat(),
        "customer": {
            "id_type": sale.customer_id_type,
            "identification": sale.customer_identification,
            "name": sale.customer_name,
        },
        "lines": [
            {
                "code": line.code,
                "name": line.name,
                "quantity": str(line.quantity.normalize()),
                "unit_price": str(line.unit_price),
                "discount": _money(line.discount),
                "tax_code": line.tax_code,
                "base": _money(line.base),
                "tax": _money(line.tax),
            }
            for line in sale.lines.all()
        ],
        "taxes": [
            {
                "tax_code": t.tax_code,
                "rate": str(t.rate.normalize()),
                "base": _money(t.base),
                "tax": _money(t.tax),
            }
            for t in sale.taxes.all()
        ],
        "payments": [
            {"method": p.method, "amount": _money(p.amount), "reference": p.reference}
            for p in sale.payments.all()
        ],
        "subtotal": _money(sale.subtotal),
        "discount": _money(sale.discount_total),
        "tax": _money(sale.tax_total),
        "service_charge": _money(sale.service_charge),
        "total": _money(sale.total),
        "tendered": _money(sale.tendered),
        "change": _money(sale.change),
        "voided": hasattr(sale, "void"),
        "receipt_url": reverse("pos:sale-receipt-pdf", args=[sale.pk]),
        "receipt_html_url": reverse("pos:sale-receipt-html", args=[sale.pk]),
    }


def _list(body, name) -> list:
    value = body.get(name) or []
    if not isinstance(value, list):
        raise SaleInputError(_("Se esperaba una lista."), field=name)
    return value


def _item(value, name) -> dict:
    if not isinstance(value, dict):
        raise SaleInputError(_("Se esperaba un objeto."), field=name)
    return value


def _int(value, name) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise SaleInputError(_("Identificador no válido."), field=name)
    try:
        return int(value)
    except ValueError:
        raise SaleInputError(_("Identificador no válido."), field=name)


def _lines_parse(body) -> list[services.LineIn]:
    lines = []
    for i, raw in enumerate(_list(body, "lines")):
        raw = _item(raw, f"lines[{i}]")
        modifiers = raw.get("modifiers") or []
        if not isinstance(modifiers, list):
            raise SaleInputError(_("Se esperaba una lista."), field=f"lines[{i}]")
        lines.append(
            services.LineIn(
                product_id=_int(raw.get("product"), f"lines[{i}].product"),
                quantity=_number(raw.get("quantity", 1), f"lines[{i}].quantity"),
                discount=_number(raw.get("discount", 0), f"lines[{i}].discount"),
                modifier_ids=tuple(_int(m, f"lines[{i}].modifiers") for m in modifiers),
            )
        )
    return lines


def _number(value, name) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | str | Decimal):
        raise SaleInputError(_("Número no válido."), field=name)
    try:
        return Decimal(str(value))
    except ArithmeticError:
        raise SaleInputError(_("Número no válido."), field=name)


def _payments_parse(body) -> list[services.PaymentIn]:
    payments = []
    for i, raw in enumerate(_list(body, "payments")):
        raw = _item(raw, f"payments[{i}]")
        payments.append(
            services.PaymentIn(
                method=str(raw.get("method", "")),
                amount=_number(raw.get("amount"), f"payments[{i}].amount"),
                reference=str(raw.get("reference") or ""),
            )
        )
    return payments


def _customer_parse(request, body) -> Customer | None:
    raw = body.get("customer")
    if raw in (None, "", "final"):
        return None
    customer_id = _int(raw.get("id") if isinstance(raw, dict) else raw, "customer")
    customer = (
        Customer.objects.for_business(request.business).filter(pk=customer_id).first()
    )
    if customer is None:
        raise SaleInputError(_("Cliente no encontrado."), field="customer")
    return customer


def _point_parse(request, body):
    raw = body.get("emission_point")
    if raw in (None, ""):
        point = selectors.emission_point_default(business=request.business)
    else:
        point = selectors.emission_point_get(
            business=request.business, pk=_int(raw, "emission_point")
        )
    if point is None:
        raise SaleInputError(
            _("Punto de emisión no encontrado."), field="emission_point"
        )
    return point


def _key_parse(body) -> uuid.UUID:
    try:
        return uuid.UUID(str(body.get("idempotency_key")))
    except ValueError:
        raise SaleInputError(
            _("Falta la clave de idempotencia (UUID)."), field="idempotency_key"
        )


@api_view(methods=("POST",))
def sale_create(request):
    body = request.json
    sale = services.sale_post(
        business=request.business,
        point=_point_parse(request, body),
        cashier=request.user,
        lines=_lines_parse(body),
        payments=_payments_parse(body),
        customer=_customer_parse(request, body),
        key=_key_parse(body),
    )
    if sale.replayed:
        sale = selectors.sale_get(business=request.business, pk=sale.pk)
        return JsonResponse(sale_json(sale), status=200)
    return JsonResponse(sale_json(sale), status=201)  # relations cached by sale_post


@api_view(methods=("POST",))
def sale_quote(request):
    """Totals of a cart before payment (nothing is written)."""
    totals = services.sale_quote(
        business=request.business, lines=_lines_parse(request.json)
    )
    return JsonResponse(
        {
            "lines": [
                {"base": _money(r.base), "tax": _money(r.tax), "total": _money(r.total)}
                for r in totals.lines
            ],
            "taxes": [
                {
                    "tax_code": t.tax_code,
                    "rate": str(t.rate.normalize()),
                    "base": _money(t.base),
                    "tax": _money(t.tax),
                }
                for t in totals.taxes
            ],
            "subtotal": _money(totals.subtotal),
            "discount": _money(totals.discount),
            "tax": _money(totals.tax),
            "service_charge": _money(totals.service_charge),
            "total": _money(totals.total),
        }
    )


@api_view()
def sale_detail(request, pk):
    sale = selectors.sale_get_visible(
        business=request.business,
        pk=pk,
        user=request.user,
        role=roles.role_of(request),
    )
    if sale is None:
        return error_response("not_found", _("Venta no encontrada."), status=404)
    return JsonResponse(sale_json(sale))


@api_view(methods=("POST",))
def sale_void(request, pk):
    sale = selectors.sale_get(business=request.business, pk=pk)
    if sale is None:
        return error_response("not_found", _("Venta no encontrada."), status=404)
    void = services.sale_void(
        business=request.business,
        sale=sale,
        actor=request.user,
        reason=str(request.json.get("reason") or ""),
        supervisor_pin=str(request.json.get("supervisor_pin") or ""),
    )
    return JsonResponse(
        {
            "id": void.pk,
            "sale": sale.pk,
            # None for a CONSUMIDOR FINAL sale: annulled in the SRI portal instead.
            "credit_note": void.document_number or None,
            "document": void.document_label,
            "total": _money(void.total),
            "reason": void.reason,
        },
        status=201,
    )


@api_view(allowed=roles.CAN_VOID, methods=("POST",))
def supervisor_pin(request):
    """A manager or owner sets the PIN that lets a cashier void with their approval."""
    services.supervisor_pin_set(
        business=request.business,
        membership=request.membership,
        pin=str(request.json.get("pin") or ""),
    )
    return JsonResponse({"ok": True})


@api_view()
def product_list(request):
    products = selectors.product_search(
        business=request.business, q=request.GET.get("q", "").strip()
    )
    return JsonResponse(
        {
            "prices_include_tax": request.business.prices_include_tax,
            "results": [
                {
                    "id": p.pk,
                    "code": p.code,
                    "barcode": p.barcode,
                    "name": p.name,
                    "category": p.category.name if p.category else None,
                    "price": str(p.price),
                    "tax_code": p.tax_category,
                    "modifier_groups": [
                        {
                            "name": g.name,
                            "min": g.min_choices,
                            "max": g.max_choices,
                            "options": [
                                {
                                    "id": o.pk,
                                    "name": o.name,
                                    "price_delta": str(o.price_delta),
                                }
                                for o in g.options.all()
                                if o.is_active
                            ],
                        }
                        for g in p.modifier_groups.all()
                    ],
                }
                for p in products
            ],
        }
    )


@api_view()
def customer_list(request):
    customers = selectors.customer_search(
        business=request.business, q=request.GET.get("q", "").strip()
    )
    return JsonResponse(
        {
            "results": [
                {
                    "id": c.pk,
                    "id_type": c.id_type,
                    "identification": c.identification,
                    "name": c.name,
                    "email": c.email,
                }
                for c in customers
            ]
        }
    )


def _session_json(session: CashSession) -> dict:
    summary = selectors.cash_session_summary(business=session.business, session=session)
    return {
        "id": session.pk,
        "emission_point": session.emission_point_id,
        "opened_at": session.opened_at.isoformat(),
        "opening_float": _money(session.opening_float),
        "closed_at": session.closed_at.isoformat() if session.closed_at else None,
        "expected": {m: _money(v) for m, v in summary.expected.items()},
        "counted": session.counted,
        "difference": None
        if session.difference is None
        else _money(session.difference),
        "sales_count": summary.sales_count,
        "report_url": reverse("pos:cash-report", args=[session.pk]),
    }


def _session_get(request, pk) -> CashSession:
    session = (
        CashSession.objects.for_business(request.business)
        .select_related("business")
        .filter(pk=pk)
        .first()
    )
    if session is None:
        raise NotFoundError(_("Caja no encontrada."), field="session")
    return session


@api_view(methods=("GET", "POST"))
def cash_sessions(request):
    if request.method == "GET":
        point = _point_parse(request, request.GET)
        session = selectors.cash_session_current(business=request.business, point=point)
        if session is None:
            return error_response(
                "cash_session_closed",
                _("No hay una caja abierta en este punto de emisión."),
                status=404,
            )
        return JsonResponse(_session_json(session))
    session = services.cash_session_open(
        business=request.business,
        point=_point_parse(request, request.json),
        user=request.user,
        opening_float=_number(request.json.get("opening_float", 0), "opening_float"),
    )
    return JsonResponse(_session_json(session), status=201)


@api_view(methods=("POST",))
def cash_movement_create(request, pk):
    movement = services.cash_movement_add(
        business=request.business,
        session=_session_get(request, pk),
        user=request.user,
        kind=str(request.json.get("kind", "")),
        amount=_number(request.json.get("amount"), "amount"),
        reason=str(request.json.get("reason") or ""),
    )
    return JsonResponse(
        {"id": movement.pk, "kind": movement.kind, "amount": _money(movement.amount)},
        status=201,
    )


@api_view(methods=("POST",))
def cash_session_close(request, pk):
    counted = request.json.get("counted") or {}
    if not isinstance(counted, dict):
        raise SaleInputError(_("Se esperaba un objeto."), field="counted")
    session = services.cash_session_close(
        business=request.business,
        session=_session_get(request, pk),
        user=request.user,
        counted={k: _number(v, f"counted.{k}") for k, v in counted.items()},
        note=str(request.json.get("note") or ""),
    )
    return JsonResponse(_session_json(session))
