"""The POS JSON API: thin views over pos.services and pos.selectors.

Session authentication with CSRF (Django's middleware). Errors are JSON:
`{"error": code, "detail": text, "field": name-or-null}` with a 4xx status.
"""

from __future__ import annotations

from functools import wraps

from django.core.exceptions import RequestDataTooBig
from django.http import JsonResponse
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.translation import gettext as _
from django.views.csrf import csrf_failure as django_csrf_failure
from django.views.decorators.http import require_http_methods

from backoffice import limits
from backoffice.customers.models import Customer
from backoffice.tenancy import roles
from core.errors import SouthernPOSError

from . import schema, selectors, services
from .errors import CashInputError, NotFoundError, QueryError, SaleInputError
from .models import CashSession
from .services import PostedSale

SELLERS = roles.SELLERS
# The JSON APIs of the POS (the counter's and restaurant mode's): their errors,
# CSRF failures and refusals included, answer JSON.
API_PREFIXES = ("/pos/api/", "/pos/mesas/api/")


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
            if any(pk > limits.MAX_ID for pk in kwargs.values()):
                return error_response("not_found", _("No encontrado."), status=404)
            try:
                if request.method == "POST":
                    request.json = schema.body_load(_body(request))
                return view(request, *args, **kwargs)
            except SouthernPOSError as exc:
                return error_response(exc.code, exc.message, exc.status, exc.field)

        return wrapper

    return decorator


def _body(request) -> bytes:
    """The raw body, refused unread when it announces more than the API takes."""
    try:
        announced = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        announced = 0
    if announced > limits.MAX_BODY_BYTES:
        return b" " * (limits.MAX_BODY_BYTES + 1)  # body_load answers 413
    try:
        return request.body
    except RequestDataTooBig:
        return b" " * (limits.MAX_BODY_BYTES + 1)


def csrf_failure(request, reason=""):
    """CSRF_FAILURE_VIEW: JSON for the APIs (API_PREFIXES), Django's page elsewhere."""
    if not request.path.startswith(API_PREFIXES):
        return django_csrf_failure(request, reason)
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return error_response("not_authenticated", _("Inicie sesión."), status=401)
    return error_response(
        "csrf_failed",
        _("Falta el token CSRF o no es válido; recargue la página."),
        status=403,
    )


def _money(value) -> str:
    return f"{value:.2f}"


_PK_MARK = 918273645546372819  # stands for the sale's id in a reversed URL
_URLS: dict = {}


def _sale_url(name: str, pk: int) -> str:
    """`reverse(name, args=[pk])`, reversed once per URLconf and script prefix
    (every checkout answers two receipt URLs)."""
    key = (name, get_script_prefix(), get_urlconf())
    url = _URLS.get(key)
    if url is None:
        url = _URLS[key] = reverse(name, args=[_PK_MARK])
    return url.replace(str(_PK_MARK), str(int(pk)))


def sale_json(posted: PostedSale, *, returned: dict | None = None) -> dict:
    """The sale as the API answers it; `returned` (line id → quantity already
    returned) adds each line's `returned` for the return dialog."""
    sale = posted.sale
    data = {
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
                "id": line.pk,
                "code": line.code,
                "name": line.name,
                "note": line.note,
                "quantity": str(line.quantity.normalize()),
                "unit_price": str(line.unit_price),
                "discount": _money(line.discount),
                "tax_code": line.tax_code,
                "base": _money(line.base),
                "tax": _money(line.tax),
                "total": _money(line.base + line.tax),
            }
            for line in posted.lines
        ],
        "taxes": [
            {
                "tax_code": t.tax_code,
                "rate": str(t.rate.normalize()),
                "base": _money(t.base),
                "tax": _money(t.tax),
            }
            for t in posted.taxes
        ],
        "payments": [
            {"method": p.method, "amount": _money(p.amount), "reference": p.reference}
            for p in posted.payments
        ],
        "subtotal": _money(sale.subtotal),
        "discount": _money(sale.discount_total),
        "tax": _money(sale.tax_total),
        "service_charge": _money(sale.service_charge),
        "total": _money(sale.total),
        "tendered": _money(sale.tendered),
        "change": _money(sale.change),
        "voided": posted.voided,
        "receipt_url": _sale_url("pos:sale-receipt-pdf", sale.pk),
        "receipt_html_url": _sale_url("pos:sale-receipt-html", sale.pk),
    }
    if returned is not None:
        for line in data["lines"]:
            line["returned"] = str(returned.get(line["id"], 0))
    return data


def _customer_get(request, customer_id) -> Customer | None:
    if customer_id is None:
        return None
    customer = (
        Customer.objects.for_business(request.business).filter(pk=customer_id).first()
    )
    if customer is None:
        raise SaleInputError(_("Cliente no encontrado."), field="customer")
    return customer


def _point_get(request, point_id, *, error=SaleInputError):
    if point_id is None:
        point = selectors.emission_point_default(business=request.business)
    else:
        point = selectors.emission_point_get(business=request.business, pk=point_id)
    if point is None:
        raise error(_("Punto de emisión no encontrado."), field="emission_point")
    return point


def sale_create(request):
    """POST /pos/api/sales (routed by pos.api_sales.sales, which also lists)."""
    body = schema.sale_body(request.json)
    posted = services.sale_post(
        business=request.business,
        # The page sends its point's id: the checkout reads the point with the
        # cart. Without one, the business's first point.
        point=body.emission_point
        if body.emission_point is not None
        else _point_get(request, None),
        cashier=request.user,
        lines=body.lines,
        payments=body.payments,
        customer=_customer_get(request, body.customer),
        key=body.key,
        order=body.order,
        approval_pin=body.approval_pin,
    )
    return JsonResponse(sale_json(posted), status=200 if posted.replayed else 201)


@api_view(methods=("POST",))
def sale_quote(request):
    """Totals of a cart before payment (nothing is written)."""
    business = request.business
    totals, applied = services.cart_price(
        business=business,
        lines=schema.lines_body(request.json),
        order=schema.order_body(request.json),
    )
    above = applied.above(business.cashier_max_discount)
    return JsonResponse(
        {
            # The page asks for a manager's PIN before "Cobrar", not after.
            "approval_needed": bool(above)
            and roles.role_of(request) not in roles.MANAGERS,
            "approval_field": above,
            "lines": [
                {
                    "discount": _money(r.discount),
                    "base": _money(r.base),
                    "tax": _money(r.tax),
                    "total": _money(r.total),
                }
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
    returned = selectors.sale_returned_quantities(business=request.business, sale=sale)
    return JsonResponse(sale_json(PostedSale.of(sale), returned=returned))


@api_view(methods=("POST",))
def sale_void(request, pk):
    sale = selectors.sale_get(business=request.business, pk=pk)
    if sale is None:
        return error_response("not_found", _("Venta no encontrada."), status=404)
    body = schema.void_body(request.json)
    void = services.sale_void(
        business=request.business,
        sale=sale,
        actor=request.user,
        reason=body.reason,
        supervisor_pin=body.supervisor_pin,
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
        pin=schema.pin_body(request.json),
    )
    return JsonResponse({"ok": True})


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
        point = _point_get(
            request,
            schema.query_ident(request.GET, "emission_point"),
            error=QueryError,
        )
        session = selectors.cash_session_current(business=request.business, point=point)
        if session is None:
            return error_response(
                "cash_session_closed",
                _("No hay una caja abierta en este punto de emisión."),
                status=404,
                field="emission_point",
            )
        return JsonResponse(_session_json(session))
    body = schema.session_open_body(request.json)
    session = services.cash_session_open(
        business=request.business,
        point=_point_get(request, body.emission_point, error=CashInputError),
        user=request.user,
        opening_float=body.opening_float,
    )
    return JsonResponse(_session_json(session), status=201)


@api_view(methods=("POST",))
def cash_movement_create(request, pk):
    session = _session_get(request, pk)
    body = schema.movement_body(request.json)
    movement = services.cash_movement_add(
        business=request.business,
        session=session,
        user=request.user,
        kind=body.kind,
        amount=body.amount,
        reason=body.reason,
    )
    return JsonResponse(
        {"id": movement.pk, "kind": movement.kind, "amount": _money(movement.amount)},
        status=201,
    )


@api_view(methods=("POST",))
def cash_session_close(request, pk):
    session = _session_get(request, pk)
    body = schema.close_body(request.json)
    session = services.cash_session_close(
        business=request.business,
        session=session,
        user=request.user,
        counted=body.counted,
        note=body.note,
    )
    return JsonResponse(_session_json(session))
