"""Pricing of a cart: products, modifiers, discounts and taxes (no writes)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation

from django.db import connection
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from backoffice.catalog.models import ModifierOption, Product
from backoffice.limits import (
    MAX_LINES,
    MAX_MODIFIERS,
    MAX_MONEY,
    MAX_PAYMENTS,
    MAX_QUANTITY,
    MAX_SALE_TOTAL,
)
from core import calc
from core.money import ZERO, round_unit, to_decimal
from core.sql import id_filter

from ..errors import (
    InvalidModifiersError,
    PaymentError,
    SaleInputError,
    UnknownModifierError,
    UnknownProductError,
)
from .discounts import Applied, OrderDiscount, discounts_apply
from .statements import PRODUCTS


@dataclass(frozen=True)
class LineIn:
    product_id: int
    quantity: Decimal
    discount: Decimal = ZERO  # money; with IVA when the business types prices so
    modifier_ids: tuple[int, ...] = field(default=())
    discount_percent: Decimal | None = None  # instead of `discount`
    note: str = ""  # for the kitchen or the customer; printed on the receipt


@dataclass(frozen=True)
class PaymentIn:
    method: str
    amount: Decimal  # for cash: what the customer handed over
    reference: str = ""


NO_DISCOUNT = OrderDiscount()


def money_in(value, *, field_name: str, error=SaleInputError) -> Decimal:
    try:
        result = to_decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        raise error(_("Número no válido."), field=field_name)
    if not result.is_finite() or abs(result) > MAX_MONEY:
        raise error(_("Número no válido."), field=field_name)
    return result


def cart_check(lines: list[LineIn], payments: list[PaymentIn] = ()) -> None:
    """Refuse carts past the limits before any query (backoffice.limits)."""
    if not lines:
        raise SaleInputError(_("La venta no tiene líneas."), field="lines")
    if len(lines) > MAX_LINES:
        raise SaleInputError(
            _("Demasiadas líneas (máximo %(n)s).") % {"n": MAX_LINES}, field="lines"
        )
    for i, line in enumerate(lines):
        if len(line.modifier_ids) > MAX_MODIFIERS:
            raise SaleInputError(
                _("Demasiados modificadores (máximo %(n)s).") % {"n": MAX_MODIFIERS},
                field=f"lines[{i}].modifiers",
            )
    if len(payments) > MAX_PAYMENTS:
        raise PaymentError(
            _("Demasiados pagos (máximo %(n)s).") % {"n": MAX_PAYMENTS},
            field="payments",
        )
    for i, p in enumerate(payments):
        if "\x00" in str(p.method) or "\x00" in str(p.reference or ""):
            raise PaymentError(_("Texto no válido."), field=f"payments[{i}]")


@dataclass(frozen=True)
class _Group:
    """A modifier group offered with a product: how many options to choose."""

    pk: int
    name: str
    minimum: int
    maximum: int
    order: tuple


@dataclass(frozen=True)
class _ProductRow:
    """The product columns a sale line snapshots (read without model instances)."""

    pk: int
    code: str
    name: str
    price: Decimal
    tax_category: str
    track_stock: bool
    groups: tuple[_Group, ...] = ()


@dataclass
class _Priced:
    product: _ProductRow
    unit_price: Decimal
    name: str
    modifiers: list[dict]


def products_lookup(*, business, lines) -> tuple[str, list]:
    """The statement that reads a cart's products with their modifier groups
    (hand-written, statements.PRODUCTS; RLS applies all the same)."""
    column = "p." + connection.ops.quote_name(Product._meta.pk.column)
    ids_sql, ids_params = id_filter(
        connection, column, {line.product_id for line in lines}
    )
    return PRODUCTS.render(connection, ids=ids_sql), [business.pk, *ids_params]


def _products_load(*, business, lines) -> dict[int, _ProductRow]:
    with connection.cursor() as cursor:
        cursor.execute(*products_lookup(business=business, lines=lines))
        return products_from_rows(cursor.fetchall())


def products_from_rows(rows) -> dict[int, _ProductRow]:
    """The products of `products_lookup`'s rows, by id."""
    # The field's own conversion: SQLite hands decimals back as floats.
    price_field = Product._meta.get_field("price")
    products: dict[int, _ProductRow] = {}
    product_groups: dict[int, list[_Group]] = {}
    for pk, code, name, price, tax, track, *group in rows:
        if pk not in products:
            price = round_unit(price_field.to_python(price))
            products[pk] = _ProductRow(pk, code, name, price, tax, bool(track))
            product_groups[pk] = []
        group_id, group_name, minimum, maximum, order = group
        if group_id is not None:
            product_groups[pk].append(
                _Group(group_id, group_name, minimum, maximum, (order, group_name))
            )
    return {
        pk: replace(row, groups=tuple(sorted(product_groups[pk], key=_group_order)))
        for pk, row in products.items()
    }


def _group_order(group: _Group):
    return group.order


def _options_load(*, business, lines) -> dict[tuple[int, int], dict]:
    option_ids = {o for line in lines for o in line.modifier_ids}
    options = {}
    if option_ids:
        rows = ModifierOption.objects.filter(
            business=business, is_active=True, pk__in=option_ids
        ).values_list(
            "pk", "name", "price_delta", "group_id", "group__name", "group__products"
        )
        for pk, name, delta, group_id, group, product_id in rows:
            options[(pk, product_id)] = {
                "group_id": group_id,
                "group": group,
                "name": name,
                "delta": delta,
            }
    return options


def modifier_count_error(*, group: str, n: int, minimum: int, maximum: int):
    """The refusal for `n` options chosen in a group of [minimum, maximum], or None
    (one rule for the counter's checkout and restaurant orders)."""
    if n < minimum:
        return ngettext(
            "«%(group)s»: elija al menos %(n)d opción.",
            "«%(group)s»: elija al menos %(n)d opciones.",
            minimum,
        ) % {"group": group, "n": minimum}
    if n > maximum:
        return ngettext(
            "«%(group)s»: elija como máximo %(n)d opción.",
            "«%(group)s»: elija como máximo %(n)d opciones.",
            maximum,
        ) % {"group": group, "n": maximum}
    return None


def _groups_check(product: _ProductRow, chosen: list[dict], *, field: str) -> None:
    """Every modifier group of the product gets between its min and max options."""
    counts = Counter(o["group_id"] for o in chosen)
    for group in product.groups:
        message = modifier_count_error(
            group=group.name,
            n=counts.get(group.pk, 0),
            minimum=group.minimum,
            maximum=group.maximum,
        )
        if message:
            raise InvalidModifiersError(message, field=field)


def lines_price(*, business, lines: list[LineIn], products=None) -> list[_Priced]:
    """Load products and modifier options (two queries) and price each line.

    `products` (from `products_from_rows`) when the caller has read them.
    """
    if products is None:
        products = _products_load(business=business, lines=lines)
    options = _options_load(business=business, lines=lines)
    priced = []
    for i, line in enumerate(lines):
        product = products.get(line.product_id)
        if product is None:
            raise UnknownProductError(
                _("Producto no encontrado: %(id)s") % {"id": line.product_id},
                field=f"lines[{i}].product",
            )
        chosen = []
        for option_id in line.modifier_ids:
            option = options.get((option_id, product.pk))
            if option is None:
                raise UnknownModifierError(
                    _("Modificador no válido para %(name)s.") % {"name": product.name},
                    field=f"lines[{i}].modifiers",
                )
            chosen.append(option)
        _groups_check(product, chosen, field=f"lines[{i}].modifiers")
        unit = round_unit(product.price + sum((o["delta"] for o in chosen), ZERO))
        name = product.name
        if chosen:
            name += " (" + ", ".join(o["name"] for o in chosen) + ")"
        mods = [
            {"group": o["group"], "name": o["name"], "price": str(o["delta"])}
            for o in chosen
        ]
        priced.append(_Priced(product, unit, name[:300], mods))
    return priced


def totals_compute(
    *, business, lines, priced, order: OrderDiscount = NO_DISCOUNT, service=True
) -> tuple[calc.SaleTotals, Applied]:
    """Totals of the priced lines, discounts applied (line and order), with the
    business's service charge unless `service` is False."""
    inputs = []
    for i, (line, p) in enumerate(zip(lines, priced, strict=True)):
        quantity = money_in(line.quantity, field_name=f"lines[{i}].quantity")
        if quantity <= 0:
            raise SaleInputError(
                _("La cantidad debe ser mayor que cero."),
                field=f"lines[{i}].quantity",
            )
        if quantity > MAX_QUANTITY:
            raise SaleInputError(
                _("Cantidad demasiado grande."), field=f"lines[{i}].quantity"
            )
        if quantity != round_unit(quantity):
            raise SaleInputError(
                _("La cantidad admite hasta 6 decimales."),
                field=f"lines[{i}].quantity",
            )
        money_in(line.discount or 0, field_name=f"lines[{i}].discount")
        inputs.append(
            calc.LineInput(
                quantity=quantity,
                unit_price=p.unit_price,
                tax_code=p.product.tax_category,
            )
        )
    applied = discounts_apply(
        business=business, lines=lines, inputs=inputs, order=order
    )
    inputs = [
        replace(line, discount=discount)
        for line, discount in zip(inputs, applied.discounts, strict=True)
    ]
    try:
        rate = business.service_charge_rate if service else calc.ZERO
        totals = calc.sale_compute(inputs, service_rate=rate)
    except calc.CalcError as exc:
        field_name = "lines" if exc.index is None else f"lines[{exc.index}]"
        if exc.code == "discount":
            raise SaleInputError(
                _("El descuento no puede ser negativo ni mayor que la línea."),
                field=f"{field_name}.discount",
            )
        raise SaleInputError(_("Línea no válida."), field=field_name)
    if totals.total > MAX_SALE_TOTAL:
        raise SaleInputError(_("El total de la venta es demasiado grande."))
    return totals, applied
