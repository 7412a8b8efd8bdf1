"""The reports list: each report is a title, columns and rows for one period.

The same rows feed the screen (first `SCREEN_ROWS`) and the exports (all of
them, streamed from a temporary file: a 100,000-row export never sits in memory
as a whole). Text cells that a spreadsheet would read as a formula are written
with a leading apostrophe (OWASP "CSV injection").
"""

import csv
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db.models import Count, F, Max, Q, Sum
from django.http import FileResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook

from backoffice.customers.models import Customer
from backoffice.formulas import escape_formula
from backoffice.inventory.models import StockLevel
from backoffice.tenancy.models import Establishment
from pos.models import CashSession, PaymentMethod, Void

from . import reorder, selectors
from .dashboard import percent
from .models import DailyFigure, DailyProduct

ZERO = selectors.ZERO
SCREEN_ROWS = 100

TEXT, INT, MONEY, QTY, PCT, DATE = "text", "int", "money", "qty", "pct", "date"


@dataclass(frozen=True)
class Column:
    label: str
    kind: str = TEXT


@dataclass(frozen=True)
class Report:
    slug: str
    title: str
    description: str
    columns: tuple[Column, ...]
    rows: Callable  # (business, since: date, until: date, options) -> Iterable[tuple]
    total: bool = True  # add a totals row of the numeric columns (not for QTY mixes)


def safe_text(value):
    """A text cell no spreadsheet evaluates as a formula (one rule for all exports)."""
    return escape_formula(value)


def _args(business, since: date, until: date) -> dict:
    args = {
        "business": business,
        "since": selectors.day_start(since),
        "until": selectors.day_start(until + timedelta(days=1)),
    }
    args["split"] = selectors.period_split(**args)
    return args


def _sales_rows(rows, label):
    for r in rows:
        yield (label(r), r["count"], r["base"], r["tax"], r["total"])


SALES_COLUMNS = (
    Column(_("Tickets"), INT),
    Column(_("Subtotal"), MONEY),
    Column(_("IVA"), MONEY),
    Column(_("Total"), MONEY),
)


def by_period(business, since, until, options):
    months: dict[str, list] = {}
    for d in selectors.sales_by_day(**_args(business, since, until)):
        row = months.setdefault(f"{d['day']:%Y-%m}", [0, ZERO, ZERO, ZERO])
        row[0] += d["tickets"]
        row[1] += d["subtotal"]
        row[2] += d["tax"]
        row[3] += d["total"]
    return [(month, *row) for month, row in sorted(months.items())]


def by_day(business, since, until, options):
    return [
        (d["day"], d["tickets"], d["subtotal"], d["tax"], d["total"])
        for d in selectors.sales_by_day(**_args(business, since, until))
    ]


def by_hour(business, since, until, options):
    rows = selectors.sales_by(
        **_args(business, since, until), dimension=DailyFigure.Dimension.HOUR
    )
    rows.sort(key=lambda r: int(r["key"]))
    return list(_sales_rows(rows, lambda r: f"{int(r['key']):02d}:00"))


def by_cashier(business, since, until, options):
    rows = selectors.sales_by(
        **_args(business, since, until), dimension=DailyFigure.Dimension.CASHIER
    )
    names = _user_names([r["key"] for r in rows])
    return sorted(
        _sales_rows(rows, lambda r: names.get(r["key"], r["key"])),
        key=lambda row: -row[4],
    )


def by_establishment(business, since, until, options):
    rows = selectors.sales_by(
        **_args(business, since, until), dimension=DailyFigure.Dimension.ESTABLISHMENT
    )
    names = {
        str(e.pk): f"{e.code} {e.name}"
        for e in Establishment.objects.for_business(business)
    }
    return list(_sales_rows(rows, lambda r: names.get(r["key"], r["key"])))


def by_customer(business, since, until, options):
    rows = selectors.sales_by(
        **_args(business, since, until), dimension=DailyFigure.Dimension.CUSTOMER
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
        **_args(business, since, until), dimension=DailyFigure.Dimension.TAX
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
        for p in selectors.sales_by_payment(**_args(business, since, until))
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
        for p in selectors.top_products(**_args(business, since, until), limit=None)
    ]


def by_category(business, since, until, options):
    groups: dict[str, list] = {}
    for p in selectors.top_products(**_args(business, since, until), limit=None):
        row = groups.setdefault(p["category"], [ZERO, ZERO])
        row[0] += p["base"]
        row[1] += p["cost"]
    rows = [
        (name or str(_("Sin categoría")), b, c, b - c, percent(b - c, b))
        for name, (b, c) in groups.items()
    ]
    return sorted(rows, key=lambda row: -row[1])


def voids(business, since, until, options):
    args = _args(business, since, until)
    queryset = (
        Void.objects.for_business(business)
        .filter(voided_at__gte=args["since"], voided_at__lt=args["until"])
        .order_by("voided_at", "pk")
        .values_list(
            "voided_at",
            "sale__document_number",
            "sale__posted_at",
            "document_number",
            "reason",
            "actor__username",
            "authorized_by__username",
            "total",
        )
    )
    zone = timezone.get_current_timezone()  # once, not twice per row
    for row in queryset.iterator(chunk_size=2000):
        yield (
            row[0].astimezone(zone).strftime("%Y-%m-%d %H:%M"),
            row[1],
            row[2].astimezone(zone).strftime("%Y-%m-%d %H:%M"),
            row[3],
            row[4],
            row[5],
            row[6],
            row[7],
        )


def cash_differences(business, since, until, options):
    args = _args(business, since, until)
    rows = (
        CashSession.objects.for_business(business)
        .filter(closed_at__gte=args["since"], closed_at__lt=args["until"])
        .values("opened_by_id")
        .annotate(
            sessions=Count("id"),
            net=Sum("difference"),
            short=Sum("difference", filter=Q(difference__lt=0)),
            over=Sum("difference", filter=Q(difference__gt=0)),
            exact=Count("id", filter=Q(difference=0)),
        )
        .order_by()
    )
    rows = list(rows)
    names = _user_names([str(r["opened_by_id"]) for r in rows])
    return sorted(
        (
            (
                names.get(str(r["opened_by_id"]), str(r["opened_by_id"])),
                r["sessions"],
                r["exact"],
                r["short"] or ZERO,
                r["over"] or ZERO,
                r["net"] or ZERO,
            )
            for r in rows
        ),
        key=lambda row: row[5],
    )


def stock_valuation(business, since, until, options):
    queryset = (
        StockLevel.objects.for_business(business)
        .filter(product__track_stock=True)
        .exclude(quantity=0)
        .order_by("establishment__code", "product__code")
        .values_list(
            "establishment__code",
            "establishment__name",
            "product__code",
            "product__name",
            "quantity",
            "product__cost",
        )
    )
    for code, name, product_code, product_name, quantity, cost in queryset.iterator(
        chunk_size=2000
    ):
        yield (
            f"{code} {name}",
            product_code,
            product_name,
            quantity,
            cost,
            (quantity * cost).quantize(Decimal("0.01")),
        )


def slow_movers(business, since, until, options):
    """Products in stock that sold little or nothing in the period, slowest first."""
    sold = {
        p["code"]: p["quantity"]
        for p in selectors.top_products(**_args(business, since, until), limit=None)
    }
    last_sold = dict(
        DailyProduct.objects.for_business(business)
        .values_list("code")
        .annotate(last=Max("day"))
        .order_by()
    )
    stock = (
        StockLevel.objects.for_business(business)
        .filter(product__track_stock=True, product__is_active=True, quantity__gt=0)
        .values("product__code", "product__name")
        .annotate(
            on_hand=Sum("quantity"), value=Sum(F("quantity") * F("product__cost"))
        )
        .order_by()
    )
    rows = []
    for s in stock:
        code = s["product__code"]
        quantity = sold.get(code, ZERO)
        last = last_sold.get(code)
        rows.append(
            (
                code,
                s["product__name"],
                s["on_hand"],
                Decimal(s["value"] or 0).quantize(Decimal("0.01")),
                quantity,
                last,
            )
        )
    rows.sort(key=lambda row: (row[4], row[5] or date.min, row[0]))
    limit = options.get("limit", 200)
    return rows[:limit]


def reorder_rows(business, since, until, options):
    return [
        (
            s.establishment,
            s.code,
            s.name,
            s.stock,
            s.velocity,
            s.cover_days,
            s.suggested,
        )
        for s in reorder.suggestions(
            business=business,
            lead_days=options.get("lead", reorder.LEAD_DAYS),
            target_days=options.get("target", reorder.TARGET_DAYS),
        )
        if s.suggested > 0 or not options.get("only_needed", True)
    ]


def _label(user) -> str:
    return user.get_full_name() or user.get_username()


def _user_names(keys) -> dict[str, str]:
    ids = [int(k) for k in keys if str(k).isdigit()]
    users = get_user_model().objects.filter(pk__in=ids) if ids else []
    return {str(u.pk): _label(u) for u in users}


REPORTS = [
    Report(
        "periodo",
        _("Ventas por mes"),
        _("Ventas sin anular de cada mes del período."),
        (Column(_("Mes")), *SALES_COLUMNS),
        by_period,
    ),
    Report(
        "dia",
        _("Ventas por día"),
        _("Ventas sin anular de cada día."),
        (Column(_("Fecha"), DATE), *SALES_COLUMNS),
        by_day,
    ),
    Report(
        "hora",
        _("Ventas por hora"),
        _("A qué hora se vende: todas las ventas del período por hora del día."),
        (Column(_("Hora")), *SALES_COLUMNS),
        by_hour,
    ),
    Report(
        "producto",
        _("Margen por producto"),
        _(
            "Cantidad, base sin IVA, costo (al costo del producto del día de la "
            "venta) y margen bruto."
        ),
        (
            Column(_("Código")),
            Column(_("Producto")),
            Column(_("Categoría")),
            Column(_("Cantidad"), QTY),
            Column(_("Base"), MONEY),
            Column(_("Costo"), MONEY),
            Column(_("Margen"), MONEY),
            Column(_("Margen %"), PCT),
        ),
        by_product,
    ),
    Report(
        "categoria",
        _("Margen por categoría"),
        _("Base sin IVA, costo y margen bruto por categoría."),
        (
            Column(_("Categoría")),
            Column(_("Base"), MONEY),
            Column(_("Costo"), MONEY),
            Column(_("Margen"), MONEY),
            Column(_("Margen %"), PCT),
        ),
        by_category,
    ),
    Report(
        "cajero",
        _("Ventas por cajero"),
        _("Ventas sin anular de cada cajero."),
        (Column(_("Cajero")), *SALES_COLUMNS),
        by_cashier,
    ),
    Report(
        "establecimiento",
        _("Ventas por establecimiento"),
        _("Ventas sin anular de cada establecimiento."),
        (Column(_("Establecimiento")), *SALES_COLUMNS),
        by_establishment,
    ),
    Report(
        "cliente",
        _("Ventas por cliente"),
        _(
            "Ventas sin anular de cada cliente (consumidor final incluido), de "
            "mayor a menor."
        ),
        (Column(_("Identificación")), Column(_("Cliente")), *SALES_COLUMNS),
        by_customer,
    ),
    Report(
        "pago",
        _("Ventas por forma de pago"),
        _("Pagos de las ventas sin anular, por forma de pago del SRI."),
        (
            Column(_("Código SRI")),
            Column(_("Forma de pago")),
            Column(_("Pagos"), INT),
            Column(_("Monto"), MONEY),
        ),
        by_payment,
    ),
    Report(
        "iva",
        _("Ventas por tarifa de IVA"),
        _("Base imponible e IVA de cada tarifa (como en el ATS)."),
        (
            Column(_("Código")),
            Column(_("Tarifa")),
            Column(_("Ventas"), INT),
            Column(_("Base imponible"), MONEY),
            Column(_("IVA"), MONEY),
            Column(_("Total"), MONEY),
        ),
        by_tax,
    ),
    Report(
        "anulaciones",
        _("Anulaciones"),
        _("Ventas anuladas en el período: motivo, quién anuló y quién autorizó."),
        (
            Column(_("Anulada el")),
            Column(_("Factura")),
            Column(_("Fecha de la venta")),
            Column(_("Nota de crédito")),
            Column(_("Motivo")),
            Column(_("Anulada por")),
            Column(_("Autorizada por")),
            Column(_("Total"), MONEY),
        ),
        voids,
    ),
    Report(
        "caja",
        _("Diferencias de caja por cajero"),
        _("Cierres de caja del período: sesiones, faltantes y sobrantes."),
        (
            Column(_("Cajero")),
            Column(_("Cierres"), INT),
            Column(_("Cuadrados"), INT),
            Column(_("Faltantes"), MONEY),
            Column(_("Sobrantes"), MONEY),
            Column(_("Diferencia neta"), MONEY),
        ),
        cash_differences,
    ),
    Report(
        "inventario",
        _("Valoración de inventario"),
        _("Existencias actuales por establecimiento, al costo del producto."),
        (
            Column(_("Establecimiento")),
            Column(_("Código")),
            Column(_("Producto")),
            Column(_("Existencia"), QTY),
            Column(_("Costo unitario"), QTY),
            Column(_("Valor"), MONEY),
        ),
        stock_valuation,
    ),
    Report(
        "lentos",
        _("Productos de baja rotación"),
        _("Productos con existencias que menos se vendieron en el período."),
        (
            Column(_("Código")),
            Column(_("Producto")),
            Column(_("Existencia"), QTY),
            Column(_("Valor al costo"), MONEY),
            Column(_("Vendido en el período"), QTY),
            Column(_("Última venta (días cerrados)"), DATE),
        ),
        slow_movers,
        total=False,
    ),
    Report(
        "pedido",
        _("Por pedir"),
        reorder.METHOD,
        (
            Column(_("Establecimiento")),
            Column(_("Código")),
            Column(_("Producto")),
            Column(_("Existencia"), QTY),
            Column(_("Venta diaria estimada"), QTY),
            Column(_("Días de cobertura"), QTY),
            Column(_("Pedir"), INT),
        ),
        reorder_rows,
        total=False,
    ),
]
BY_SLUG = {r.slug: r for r in REPORTS}


def totals(report: Report, rows: list[tuple]) -> tuple | None:
    """Sums of the INT and MONEY columns (None when the report has no totals)."""
    if not report.total or not rows:
        return None
    sums = []
    for n, column in enumerate(report.columns):
        if column.kind in (INT, MONEY):
            sums.append(sum((row[n] or 0 for row in rows), 0))
        else:
            sums.append(None)
    return tuple(sums)


def export(report: Report, rows: Iterable[tuple], *, fmt: str, filename: str):
    """Write the rows to a temporary file and stream it (csv or xlsx)."""
    out = tempfile.TemporaryFile()  # noqa: SIM115 (FileResponse closes it)
    header = [str(c.label) for c in report.columns]
    if fmt == "csv":
        import io

        text = io.TextIOWrapper(out, encoding="utf-8-sig", newline="")
        writer = csv.writer(text, delimiter=";")
        writer.writerow(header)
        for row in rows:
            writer.writerow([_csv_cell(v) for v in row])
        text.flush()
        text.detach()
        content_type = "text/csv; charset=utf-8"
    else:
        book = Workbook(write_only=True)
        sheet = book.create_sheet(str(report.title)[:31])
        sheet.append(header)
        for row in rows:
            sheet.append([_xlsx_cell(v) for v in row])
        book.save(out)
        content_type = (
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
    out.seek(0)
    return FileResponse(
        out, as_attachment=True, filename=f"{filename}.{fmt}", content_type=content_type
    )


def _csv_cell(value):
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    return safe_text(str(value)) if isinstance(value, str) else str(value)


def _xlsx_cell(value):
    if isinstance(value, str):
        return safe_text(value)
    return value


def display(value, kind: str) -> str:
    """A cell as shown on screen (es-EC style: thousands with commas, 2 decimals)."""
    if value is None:
        return "—"
    if kind == MONEY:
        return f"{Decimal(value):,.2f}"
    if kind == QTY:
        text = f"{Decimal(value):,.3f}".rstrip("0").rstrip(".")
        return text or "0"
    if kind == PCT:
        return f"{Decimal(value):.1f} %"
    if kind == INT:
        return f"{int(value):,}"
    if kind == DATE and isinstance(value, date):
        return f"{value:%d/%m/%Y}"
    return str(value)


def screen_rows(report: Report, rows) -> list[list[tuple[str, bool]]]:
    """Rows as (text, right-aligned) cells."""
    return [
        [
            (display(value, column.kind), column.kind not in (TEXT, DATE))
            for value, column in zip(row, report.columns, strict=True)
        ]
        for row in rows
    ]
