"""Idempotency of the checkout: a request's fingerprint and the sale of a key."""

from __future__ import annotations

import hashlib
import json
from decimal import InvalidOperation

from django.db import connection
from django.utils.translation import gettext as _

from core.money import to_decimal

from .. import selectors
from ..errors import IdempotencyKeyReusedError
from ..models import Sale
from .discounts import OrderDiscount
from .posted import PostedSale
from .pricing import NO_DISCOUNT, LineIn
from .statements import SALE_BY_KEY


def _plain(value) -> str:
    """A number as a canonical string (`1`, `1.0` and `1.00` hash alike)."""
    try:
        number = to_decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return str(value)
    if not number.is_finite():
        return str(value)
    return format(number.normalize(), "f") if number else "0"


def _line_print(line: LineIn) -> list:
    printed = [
        line.product_id,
        _plain(line.quantity),
        _plain(line.discount or 0),
        list(line.modifier_ids),
    ]
    # Fields added by issue 11 only when used: earlier requests hash as before.
    if line.discount_percent is not None:
        printed.append(["%", _plain(line.discount_percent)])
    if line.note:
        printed.append(["note", line.note])
    return printed


def request_fingerprint(
    *,
    point,
    lines,
    payments,
    customer,
    order: OrderDiscount = NO_DISCOUNT,
    service: bool = True,
) -> str:
    """SHA-256 of what a checkout request asks for, to recognise a true replay."""
    data = {
        "point": getattr(point, "pk", point),  # the point, or its id
        "customer": getattr(customer, "pk", None),
        "lines": [_line_print(line) for line in lines],
        "payments": [
            [str(p.method), _plain(p.amount), str(p.reference or "")] for p in payments
        ],
    }
    if order:
        data["order"] = [_plain(order.amount or 0), _plain(order.percent or 0)]
    if not service:
        data["service"] = False
    encoded = json.dumps(data, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(encoded.encode()).hexdigest()


def key_lookup(*, business, key) -> tuple[str, list]:
    """The statement that finds the sale of an idempotency key (one row, or none)."""
    key_field = Sale._meta.get_field("idempotency_key")
    return SALE_BY_KEY.render(connection), [
        business.pk,
        key_field.get_db_prep_value(key, connection),
    ]


def sale_by_key(*, business, key, fingerprint) -> PostedSale | None:
    """The sale already posted with `key` (a replay), or None."""
    with connection.cursor() as cursor:
        cursor.execute(*key_lookup(business=business, key=key))
        row = cursor.fetchone()
    return sale_replayed(business=business, row=row, fingerprint=fingerprint)


def sale_replayed(*, business, row, fingerprint) -> PostedSale | None:
    """The replayed sale a `key_lookup` row names, or None for no row.

    A key used before for a different cart is refused.
    """
    if row is None:
        return None
    sale = selectors.sale_get(business=business, pk=row[0])
    # Sales posted before fingerprints were stored have none: taken as a replay.
    if sale.request_hash and sale.request_hash != fingerprint:
        raise IdempotencyKeyReusedError(
            _(
                "La clave de idempotencia ya se usó con otra venta (%(doc)s); "
                "genere una clave nueva para una venta distinta."
            )
            % {"doc": sale.document_number},
            field="idempotency_key",
        )
    return PostedSale.of(sale, replayed=True)
