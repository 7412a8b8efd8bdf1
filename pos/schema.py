"""The POS API's request bodies, parsed at the edge into service arguments.

A small hand-made schema (no dependency): each body is a dataclass built by one
function that checks types, ranges (backoffice.limits) and text, so a malformed
value is a 400 naming its field before any query runs. Business rules (a
payment covers the total, stock, roles) stay in pos.services.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from backoffice import limits

from .errors import (
    BodyTooLargeError,
    InvalidJsonError,
    PaymentError,
    QueryError,
    ReturnInputError,
    SaleInputError,
    VoidInputError,
)
from .services import LineIn, OrderDiscount, PaymentIn, ReturnLineIn

NUMBER_TEXT = 40  # longest number written as text ("123456789012.123456" fits)
CONTAINERS = (dict, list)
NUMBERS = (int, str, Decimal)  # a JSON number is int or Decimal; text is parsed
IDS = (int, str)
PERCENT_MAX = Decimal("100")


# --- the body ---------------------------------------------------------------


def body_load(raw: bytes) -> dict:
    """The body as a JSON object: numbers as Decimal, nesting bounded."""
    if len(raw) > limits.MAX_BODY_BYTES:
        raise BodyTooLargeError(
            _("El cuerpo supera %(n)s bytes.") % {"n": limits.MAX_BODY_BYTES}
        )
    if not raw.strip():
        raise InvalidJsonError(_("El cuerpo está vacío; se esperaba un objeto JSON."))
    try:
        data = json.loads(raw, parse_float=Decimal, parse_constant=_no_constant)
    except RecursionError:
        raise InvalidJsonError(_("El JSON está demasiado anidado."))
    except (ValueError, UnicodeDecodeError):
        raise InvalidJsonError(_("El cuerpo no es JSON válido."))
    if not isinstance(data, dict):
        raise InvalidJsonError(_("Se esperaba un objeto JSON."))
    # Depth ≤ the number of openers: most bodies need no walk.
    openers = raw.count(b"[") + raw.count(b"{")
    if openers > limits.MAX_JSON_DEPTH and _depth(data) > limits.MAX_JSON_DEPTH:
        raise InvalidJsonError(_("El JSON está demasiado anidado."))
    return data


def _no_constant(name):
    raise ValueError(name)  # NaN, Infinity: not JSON numbers


def _depth(value) -> int:
    """Nesting depth, iteratively (a recursive walk is what deep input attacks)."""
    deepest = 0
    stack = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > deepest:
            deepest = depth
            if deepest > limits.MAX_JSON_DEPTH:
                break
        children = node.values() if isinstance(node, dict) else node
        stack.extend((c, depth + 1) for c in children if isinstance(c, CONTAINERS))
    return deepest


# --- values -----------------------------------------------------------------


def number(value, field, *, maximum, error=SaleInputError, default=None) -> Decimal:
    """A finite decimal with |value| ≤ maximum, from a JSON number or a string."""
    if value is None and default is not None:
        value = default
    if isinstance(value, bool) or not isinstance(value, NUMBERS):
        raise error(_("Número no válido."), field=field)
    if isinstance(value, str) and len(value) > NUMBER_TEXT:
        raise error(_("Número no válido."), field=field)
    try:
        result = Decimal(value)
    except (InvalidOperation, ValueError):
        raise error(_("Número no válido."), field=field)
    if not result.is_finite() or abs(result) > maximum:
        raise error(
            _("Número fuera de rango (máximo %(max)s).") % {"max": maximum},
            field=field,
        )
    return result


def money(value, field, *, error=SaleInputError, default=None) -> Decimal:
    return number(value, field, maximum=limits.MAX_MONEY, error=error, default=default)


def ident(value, field, *, error=SaleInputError) -> int:
    """A row id: a positive integer (or its digits) that fits the id column."""
    if isinstance(value, bool) or not isinstance(value, IDS):
        raise error(_("Identificador no válido."), field=field)
    if isinstance(value, str) and not (value.isascii() and value.isdigit()):
        raise error(_("Identificador no válido."), field=field)
    if isinstance(value, str) and len(value) > 19:
        raise error(_("Identificador no válido."), field=field)
    result = int(value)
    if not 1 <= result <= limits.MAX_ID:
        raise error(_("Identificador no válido."), field=field)
    return result


def text(value, field, *, max_length=limits.MAX_TEXT, error=SaleInputError) -> str:
    """Text (or a number, as typed) without NUL; longer than max_length is refused."""
    if value is None:
        return ""
    if isinstance(value, int | Decimal) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        raise error(_("Se esperaba un texto."), field=field)
    if "\x00" in value:  # PostgreSQL stores no NUL character
        raise error(_("El texto contiene caracteres no válidos."), field=field)
    if len(value) > max_length:
        raise error(
            _("Texto demasiado largo (máximo %(n)s caracteres).") % {"n": max_length},
            field=field,
        )
    return value


def items(value, field, *, maximum, error=SaleInputError) -> list:
    if value is None or value == "":
        return []
    if not isinstance(value, list):
        raise error(_("Se esperaba una lista."), field=field)
    if len(value) > maximum:
        raise error(
            _("Demasiados elementos (máximo %(n)s).") % {"n": maximum}, field=field
        )
    return value


def mapping(value, field, *, error=SaleInputError) -> dict:
    if not isinstance(value, dict):
        raise error(_("Se esperaba un objeto."), field=field)
    return value


def optional_ident(value, field, *, error=SaleInputError) -> int | None:
    return None if value in (None, "") else ident(value, field, error=error)


# --- bodies -----------------------------------------------------------------


@dataclass(frozen=True)
class SaleBody:
    key: uuid.UUID
    emission_point: int | None
    customer: int | None
    lines: list[LineIn]
    payments: list[PaymentIn]
    order: OrderDiscount
    approval_pin: str


def sale_body(data: dict) -> SaleBody:
    return SaleBody(
        key=_key(data.get("idempotency_key")),
        emission_point=optional_ident(data.get("emission_point"), "emission_point"),
        customer=_customer(data.get("customer")),
        lines=lines_body(data),
        payments=_payments(data.get("payments")),
        order=order_body(data),
        approval_pin=text(data.get("approval_pin"), "approval_pin", max_length=64),
    )


def order_body(data: dict) -> OrderDiscount:
    """The sale-level discount: `discount` (amount) or `discount_percent`."""
    percent = data.get("discount_percent")
    return OrderDiscount(
        amount=money(data.get("discount"), "discount", default=0),
        percent=None
        if percent in (None, "")
        else number(percent, "discount_percent", maximum=PERCENT_MAX),
    )


def lines_body(data: dict) -> list[LineIn]:
    raw_lines = items(data.get("lines"), "lines", maximum=limits.MAX_LINES)
    if not raw_lines:
        raise SaleInputError(_("La venta no tiene líneas."), field="lines")
    return [_line(raw, f"lines[{i}]") for i, raw in enumerate(raw_lines)]


def _line(raw, field) -> LineIn:
    raw = mapping(raw, field)
    percent = raw.get("discount_percent")
    modifiers = items(
        raw.get("modifiers"), f"{field}.modifiers", maximum=limits.MAX_MODIFIERS
    )
    return LineIn(
        product_id=ident(raw.get("product"), f"{field}.product"),
        quantity=number(
            raw.get("quantity"),
            f"{field}.quantity",
            maximum=limits.MAX_QUANTITY,
            default=1,
        ),
        discount=money(raw.get("discount"), f"{field}.discount", default=0),
        modifier_ids=tuple(ident(m, f"{field}.modifiers") for m in modifiers),
        discount_percent=None
        if percent in (None, "")
        else number(percent, f"{field}.discount_percent", maximum=PERCENT_MAX),
        note=text(raw.get("note"), f"{field}.note").strip(),
    )


def _payments(value) -> list[PaymentIn]:
    rows = items(value, "payments", maximum=limits.MAX_PAYMENTS, error=PaymentError)
    payments = []
    for i, raw in enumerate(rows):
        raw = mapping(raw, f"payments[{i}]", error=PaymentError)
        payments.append(
            PaymentIn(
                method=text(
                    raw.get("method"), f"payments[{i}].method", error=PaymentError
                ),
                amount=money(
                    raw.get("amount"), f"payments[{i}].amount", error=PaymentError
                ),
                reference=text(
                    raw.get("reference"),
                    f"payments[{i}].reference",
                    max_length=limits.MAX_REFERENCE,
                    error=PaymentError,
                ),
            )
        )
    return payments


def _customer(value) -> int | None:
    if value in (None, "", "final"):
        return None
    if isinstance(value, dict):
        value = value.get("id")
    return ident(value, "customer")


def _key(value, error=SaleInputError) -> uuid.UUID:
    if isinstance(value, str) and len(value) <= 64:
        try:
            return uuid.UUID(value)
        except ValueError:
            pass
    raise error(_("Falta la clave de idempotencia (UUID)."), field="idempotency_key")


@dataclass(frozen=True)
class VoidBody:
    reason: str
    supervisor_pin: str


def void_body(data: dict) -> VoidBody:
    return VoidBody(
        reason=text(data.get("reason"), "reason", error=VoidInputError),
        supervisor_pin=text(
            data.get("supervisor_pin"),
            "supervisor_pin",
            max_length=64,
            error=VoidInputError,
        ),
    )


@dataclass(frozen=True)
class ReturnBody:
    key: uuid.UUID
    reason: str
    pin: str
    lines: list[ReturnLineIn]


def return_body(data: dict) -> ReturnBody:
    raw_lines = items(
        data.get("lines"), "lines", maximum=limits.MAX_LINES, error=ReturnInputError
    )
    lines = []
    for i, raw in enumerate(raw_lines):
        raw = mapping(raw, f"lines[{i}]", error=ReturnInputError)
        lines.append(
            ReturnLineIn(
                line_id=ident(
                    raw.get("line"), f"lines[{i}].line", error=ReturnInputError
                ),
                quantity=number(
                    raw.get("quantity"),
                    f"lines[{i}].quantity",
                    maximum=limits.MAX_QUANTITY,
                    error=ReturnInputError,
                ),
            )
        )
    return ReturnBody(
        key=_key(data.get("idempotency_key"), ReturnInputError),
        reason=text(data.get("reason"), "reason", error=ReturnInputError),
        pin=text(data.get("pin"), "pin", max_length=64, error=ReturnInputError),
        lines=lines,
    )


def pin_body(data: dict) -> str:
    return text(data.get("pin"), "pin", max_length=64, error=VoidInputError)


# The cash endpoints' bodies live next door (this module would pass 400 lines).
from .schema_cash import close_body, movement_body, session_open_body  # noqa: E402

# --- query strings ----------------------------------------------------------


def query(params, name="q") -> str:
    """A look-up's search text: bounded, without NUL."""
    return text(
        params.get(name, ""), name, max_length=limits.MAX_QUERY, error=QueryError
    ).strip()


MAX_PAGE = 10_000  # 600,000 products at 60 a page


def query_page(params, name="page") -> int:
    """A page number: 1 when absent, at most MAX_PAGE."""
    page = optional_ident(params.get(name), name, error=QueryError) or 1
    if page > MAX_PAGE:
        raise QueryError(
            _("Página fuera de rango (máximo %(n)s).") % {"n": MAX_PAGE}, field=name
        )
    return page


def query_ident(params, name) -> int | None:
    return optional_ident(params.get(name), name, error=QueryError)


__all__ = [
    "body_load",
    "close_body",
    "lines_body",
    "movement_body",
    "order_body",
    "pin_body",
    "query",
    "query_ident",
    "query_page",
    "return_body",
    "sale_body",
    "session_open_body",
    "void_body",
]
