"""Sales reports: by period, day, hour, cashier, establishment, customer,
IVA rate, payment method; margin by product and category."""

from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from backoffice.customers.models import Customer
from backoffice.tenancy.models import Establishment
from pos.models import PaymentMethod

from .. import selectors
from ..dashboard import percent
from ..models import DailyFigure
from .base import ZERO, period_args, sales_rows, user_names


def by_period(business, since, until, options):
    months: dict[str, list] = {}
    for d in selectors.sales_by_day(**period_args(business, since, until)):
        row = months.setdefault(f"{d['day']:%Y-%m}", [0, ZERO, ZERO, ZERO])
        row[0] += d["tickets"]
        row[1] += d["subtotal"]
        row[2] += d["tax"]
        row[3] += d["total"]
    return [(month, *row) for month, row in sorted(months.items())]


def by_day(business, since, until, options):
    return [
        (d["day"], d["tickets"], d["subtotal"], d["tax"], d["total"])
        for d in selectors.sales_by_day(**period_args(business, since, until))
    ]


def by_hour(business, since, until, options):
    rows = selectors.sales_by(
        **period_args(business, since, until), dimension=DailyFigure.Dimension.HOUR
    )
    rows.sort(key=lambda r: int(r["key"]))
    return list(sales_rows(rows, lambda r: f"{int(r['key']):02d}:00"))


def by_cashier(business, since, until, options):
    rows = selectors.sales_by(
        **period_args(business, since, until), dimension=DailyFigure.Dimension.CASHIER
    )
    names = user_names([r["key"] for r in rows])
    return sorted(
        sales_rows(rows, lambda r: names.get(r["key"], r["key"])),
        key=lambda row: -row[4],
    )


def by_establishment(business, since, until, options):
    rows = selectors.sales_by(
        **period_args(business, since, until),
        dimension=DailyFigure.Dimension.ESTABLISHMENT,
    )
    names = {
        str(e.pk): f"{e.code} {e.name}"
        for e in Establishment.objects.for_business(business)
    }
    return list(sales_rows(rows, lambda r: names.get(r["key"], r["key"])))


def by_customer(business, since, until, options):
    rows = selectors.sales_by(
        **period_args(business, since, until), dimension=DailyFigure.Dimension.CUSTOMER
    )
    ids = [int(r["key"]) for r in rows if r["key"].isdigit()]
    people = {
        str(pk): (identification, name)
        for pk, identification, name in Customer.objects.for_business(business)
        .filter(pk__in=ids)
        .values_list("pk", "identification", "name")
    }
    found = [
        (*people.get(r["key"], ("", "—")), r["count"], r["base"], r["tax"], r["total"])
        for r in rows
    ]
    return sorted(found, key=lambda row: (-row[5], row[1]))


def by_tax(business, since, until, options):
    rows = selectors.sales_by(
        **period_args(business, since, until), dimension=DailyFigure.Dimension.TAX
    )
    return [
        (
            r["key"].split(":")[0],
            f"{Decimal(r['key'].split(':')[1]):g} %",
            r["count"],
            r["base"],
            r["tax"],
            r["total"],
        )
        for r in rows
    ]


def by_payment(business, since, until, options):
    methods = dict(PaymentMethod.choices)
    return [
        (
            p["method"],
            str(methods.get(p["method"], p["method"])),
            p["count"],
            p["amount"],
        )
        for p in selectors.sales_by_payment(**period_args(business, since, until))
    ]


def by_product(business, since, until, options):
    return [
        (
            p["code"],
            p["name"],
            p["category"],
            p["quantity"],
            p["base"],
            p["cost"],
            p["base"] - p["cost"],
            percent(p["base"] - p["cost"], p["base"]),
        )
        for p in selectors.top_products(
            **period_args(business, since, until), limit=None
        )
    ]


def by_category(business, since, until, options):
    groups: dict[str, list] = {}
    for p in selectors.top_products(**period_args(business, since, until), limit=None):
        row = groups.setdefault(p["category"], [ZERO, ZERO])
        row[0] += p["base"]
        row[1] += p["cost"]
    rows = [
        (name or str(_("Sin categoría")), b, c, b - c, percent(b - c, b))
        for name, (b, c) in groups.items()
    ]
    return sorted(rows, key=lambda row: -row[1])
