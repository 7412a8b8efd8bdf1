"""The restaurant JSON API: thin views over services and selectors.

Errors are JSON `{"error", "detail", "field"}` with a 4xx status, as the
counter's API answers (session authentication with CSRF).
"""

from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation
from functools import wraps

from django.core.exceptions import RequestDataTooBig
from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from backoffice import limits
from backoffice.customers.models import Customer
from backoffice.tenancy import roles
from backoffice.tenancy.models import EmissionPoint, Role
from core.errors import SouthernPOSError
from pos.services import PaymentIn

from . import selectors, services
from .errors import NotFoundError, RestaurantError
from .models import BillPart, Order, Station

FLOOR = roles.role_set(Role.OWNER, Role.MANAGER, Role.CASHIER, Role.WAITER)


class BadInput(RestaurantError):
    code = "invalid_input"


def error_response(code, detail, status, field=None) -> JsonResponse:
    return JsonResponse(
        {"error": code, "detail": str(detail), "field": field}, status=status
    )


def _body(request) -> dict:
    try:
        size = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        size = 0
    if size > limits.MAX_BODY_BYTES:
        raise BadInput(_("Solicitud demasiado grande."))
    try:
        data = json.loads(request.body or b"{}")
    except (ValueError, RequestDataTooBig, RecursionError):
        raise BadInput(_("JSON no válido."))
    if not isinstance(data, dict):
        raise BadInput(_("JSON no válido."))
    return data


def api(methods=("POST",)):
    def decorator(view):
        @require_http_methods(list(methods))
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return error_response("not_authenticated", _("Inicie sesión."), 401)
            if request.business is None or not roles.has_role(request, FLOOR):
                return error_response(
                    "forbidden", _("No tiene permiso para esta acción."), 403
                )
            if any(pk > limits.MAX_ID for pk in kwargs.values()):
                return error_response("not_found", _("No encontrado."), 404)
            try:
                request.json = _body(request) if request.method == "POST" else {}
                return view(request, *args, **kwargs)
            except SouthernPOSError as exc:
                return error_response(exc.code, exc.message, exc.status, exc.field)

        return wrapper

    return decorator


def _int(data, name, *, required=True):
    value = data.get(name)
    if value in (None, "") and not required:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise BadInput(_("Número no válido."), field=name)
    try:
        number = int(value)
    except ValueError:
        raise BadInput(_("Número no válido."), field=name)
    if not 0 <= number <= limits.MAX_ID:
        raise BadInput(_("Número no válido."), field=name)
    return number


def _ids(data, name) -> list[int]:
    value = data.get(name) or []
    if not isinstance(value, list) or len(value) > limits.MAX_LINES:
        raise BadInput(_("Lista no válida."), field=name)
    return [_int({"v": v}, "v") for v in value]


def _text(data, name) -> str:
    value = data.get(name, "")
    if not isinstance(value, (str, int, type(None))):
        raise BadInput(_("Texto no válido."), field=name)
    return str(value or "")


def _order_json(request, order_id):
    order = (
        Order.objects.filter(business=request.business, pk=order_id)
        .select_related("table")
        .first()
    )
    if order is None:
        raise NotFoundError(_("La orden no existe."))
    return JsonResponse(selectors.order_state(business=request.business, order=order))


@api(methods=("GET",))
def floor(request):
    data = selectors.floor_state(business=request.business)
    data["stations"] = selectors.stations(business=request.business)
    return JsonResponse(data)


@api(methods=("GET",))
def menu(request):
    return JsonResponse({"products": selectors.menu(business=request.business)})


@api()
def table_open(request, pk):
    order = services.table_open(
        business=request.business,
        table_id=pk,
        user=request.user,
        guests=_int(request.json, "guests", required=False) or 0,
    )
    return _order_json(request, order.pk)


@api(methods=("GET",))
def order_detail(request, pk):
    return _order_json(request, pk)


@api()
def item_add(request, pk):
    data = request.json
    services.item_add(
        business=request.business,
        order_id=pk,
        user=request.user,
        product_id=_int(data, "product"),
        quantity=_text(data, "quantity") or "1",
        modifier_ids=_ids(data, "modifiers"),
        note=_text(data, "note"),
        seat=_int(data, "seat", required=False),
        course=_int(data, "course", required=False) or 1,
    )
    return _order_json(request, pk)


@api()
def item_change(request, pk, item):
    data = request.json
    changes = {k: data[k] for k in ("quantity", "note", "seat", "course") if k in data}
    services.item_change(
        business=request.business,
        order_id=pk,
        item_id=item,
        version=_int(data, "version"),
        **changes,
    )
    return _order_json(request, pk)


@api()
def item_cancel(request, pk, item):
    services.item_cancel(
        business=request.business,
        order_id=pk,
        item_id=item,
        actor=request.user,
        reason=_text(request.json, "reason"),
        supervisor_pin=_text(request.json, "supervisor_pin"),
    )
    return _order_json(request, pk)


@api()
def order_send(request, pk):
    tickets = services.order_send(
        business=request.business, order_id=pk, user=request.user
    )
    response = _order_json(request, pk)
    data = json.loads(response.content)
    data["tickets"] = [{"id": t.pk, "station": t.station_id} for t in tickets]
    return JsonResponse(data)


@api()
def order_move(request, pk):
    order = services.order_move(
        business=request.business,
        order_id=pk,
        table_id=_int(request.json, "table"),
        version=_int(request.json, "version"),
    )
    return _order_json(request, order.pk)


@api()
def order_merge(request, pk):
    order = services.order_merge(
        business=request.business,
        order_id=pk,
        into_table_id=_int(request.json, "table"),
    )
    return _order_json(request, order.pk)


@api()
def items_transfer(request, pk):
    services.items_transfer(
        business=request.business,
        order_id=pk,
        item_ids=_ids(request.json, "items"),
        table_id=_int(request.json, "table"),
        user=request.user,
    )
    return _order_json(request, pk)


@api()
def bill_request(request, pk):
    services.bill_request(business=request.business, order_id=pk)
    return _order_json(request, pk)


@api()
def order_release(request, pk):
    services.order_release(business=request.business, order_id=pk)
    return JsonResponse({"ok": True})


def _may_charge(request) -> bool:
    if roles.has_role(request, roles.SELLERS):
        return True
    return services.restaurant_settings_get(
        business=request.business
    ).waiters_take_payment


def _forbidden():
    return error_response(
        "forbidden", _("Su rol no permite cobrar; pida la cuenta en caja."), 403
    )


@api()
def bill_split(request, pk):
    if not _may_charge(request):
        return _forbidden()
    data = request.json
    groups = data.get("groups") or []
    if not isinstance(groups, list) or len(groups) > 50:
        raise BadInput(_("Partes no válidas."), field="groups")
    services.bill_split(
        business=request.business,
        order_id=pk,
        mode=_text(data, "mode"),
        service=data.get("service", True) is not False,
        groups=[_ids({"g": g}, "g") for g in groups],
        parts=_int(data, "parts", required=False) or 2,
    )
    return _order_json(request, pk)


def _payments(data) -> list[PaymentIn]:
    rows = data.get("payments")
    if not isinstance(rows, list) or not 1 <= len(rows) <= limits.MAX_PAYMENTS:
        raise BadInput(_("Indique el pago."), field="payments")
    payments = []
    for row in rows:
        if not isinstance(row, dict):
            raise BadInput(_("Pago no válido."), field="payments")
        try:
            amount = Decimal(str(row.get("amount")))
        except (InvalidOperation, ValueError):
            raise BadInput(_("Monto no válido."), field="payments")
        payments.append(
            PaymentIn(_text(row, "method"), amount, _text(row, "reference")[:100])
        )
    return payments


@api()
def part_pay(request, pk):
    if not _may_charge(request):
        return _forbidden()
    business = request.business
    part = BillPart.objects.filter(business=business, pk=pk).first()
    if part is None:
        raise NotFoundError(_("Parte de la cuenta no encontrada."))
    data = request.json
    point_id = _int(data, "emission_point", required=False)
    points = EmissionPoint.objects.filter(business=business, is_active=True)
    point = (points.filter(pk=point_id) if point_id else points.order_by("pk")).first()
    if point is None:
        raise NotFoundError(
            _("Punto de emisión no encontrado."), field="emission_point"
        )
    customer = None
    if identification := _text(data, "customer").strip()[:13]:
        customer = Customer.objects.filter(
            business=business, identification=identification
        ).first()
        if customer is None:
            raise NotFoundError(
                _("Cliente no encontrado: regístrelo o cobre a consumidor final."),
                field="customer",
            )
    sale = services.part_pay(
        business=business,
        part_id=pk,
        point=point,
        cashier=request.user,
        payments=_payments(data),
        customer=customer,
    )
    response = json.loads(_order_json(request, part.order_id).content)
    response["sale"] = {
        "id": sale.pk,
        "number": sale.document_number,
        "total": f"{sale.total:.2f}",
        "change": f"{sale.change:.2f}",
    }
    return JsonResponse(response)


@api(methods=("GET",))
def station_tickets(request, pk):
    station = Station.objects.filter(business=request.business, pk=pk).first()
    if station is None:
        raise NotFoundError(_("Estación no encontrada."))
    return JsonResponse(
        {
            "station": {"id": station.pk, "name": station.name},
            "tickets": selectors.station_tickets(
                business=request.business, station=station
            ),
        }
    )


@api()
def ticket_ready(request, pk):
    ticket = services.ticket_ready(business=request.business, ticket_id=pk)
    return JsonResponse(selectors.ticket_json(ticket))
