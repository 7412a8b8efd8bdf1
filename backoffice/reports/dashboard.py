"""The owner's dashboard: KPI cards and chart series for one business and period.

Every money figure comes from the same selectors as the reports (roll-ups of
closed days plus a live query for the rest), so the dashboard and the reports
agree to the cent. The number of queries does not depend on the number of sales.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.auth import get_user_model
from django.db.models import Count, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from backoffice.tenancy.models import Establishment
from fiscal.models import PENDING_STATES, DocState, ElectronicDocument
from fiscal.selectors import certificate_active, certificate_days_left
from pos.models import CashMovement, CashSession, Payment, PaymentMethod, Void
from pos.returns_models import SaleReturn

from . import selectors
from .models import DailyFigure

ZERO = selectors.ZERO
CASH = PaymentMethod.CASH.value


def money(value) -> str:
    return f"$ {Decimal(value or 0):,.2f}"


def percent(part, whole) -> Decimal | None:
    """part / whole as a percentage with one decimal, None when whole is zero."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(
        Decimal("0.1"), rounding=ROUND_HALF_UP
    )


@dataclass
class Card:
    key: str
    title: str
    value: str
    footer: str = ""
    url: str = ""
    tone: str = ""  # "", "good", "bad", "warn"


@dataclass
class Dashboard:
    since: date
    until: date
    total: Decimal
    tickets: int
    cards: list[Card] = field(default_factory=list)
    charts: dict = field(default_factory=dict)


def _bounds(since: date, until: date):
    return {
        "since": selectors.day_start(since),
        "until": selectors.day_start(until + timedelta(days=1)),
    }


def _args(business, since: date, until: date, place=None) -> dict:
    args = {"business": business, **_bounds(since, until)}
    args["split"] = selectors.period_split(**args, establishment=place)
    return args


def _names(queryset, keys, label) -> dict[str, str]:
    ids = [int(k) for k in keys if str(k).isdigit()]
    if not ids:
        return {}
    return {str(obj.pk): label(obj) for obj in queryset.filter(pk__in=ids)}


def _user_label(user) -> str:
    return user.get_full_name() or user.get_username()


def open_cash(*, business, establishment=None) -> tuple[Decimal, int]:
    """Cash the open drawers should hold: floats + cash payments + cash movements."""
    sessions = CashSession.objects.for_business(business).filter(closed_at__isnull=True)
    if establishment is not None:
        sessions = sessions.filter(emission_point__establishment_id=establishment)
    # The few open sessions by id, then their rows on the (business, session)
    # indexes: as a subquery PostgreSQL planned the payments badly (0.9 s).
    opened = list(sessions.values_list("id", "opening_float"))
    ids = [pk for pk, _float in opened]
    if not ids:
        return ZERO, 0
    paid = (
        Payment.objects.for_business(business)
        .filter(method=CASH, sale__business=business, sale__cash_session_id__in=ids)
        .aggregate(total=Sum("amount"))["total"]
    )
    moved = (
        CashMovement.objects.for_business(business)
        .filter(method=CASH, session_id__in=ids)
        .aggregate(total=Sum("amount"))["total"]
    )
    floats = sum((value for _pk, value in opened), ZERO)
    return floats + (paid or ZERO) + (moved or ZERO), len(ids)


def sri_counts(*, business) -> dict[str, int]:
    rows = dict(
        ElectronicDocument.objects.for_business(business)
        .filter(state__in=[*PENDING_STATES, DocState.RETURNED, DocState.NOT_AUTHORISED])
        .values_list("state")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {
        "pending": sum(rows.get(state, 0) for state in PENDING_STATES),
        "returned": rows.get(DocState.RETURNED, 0),
        "not_authorised": rows.get(DocState.NOT_AUTHORISED, 0),
    }


def dashboard(
    *,
    business,
    since: date | None = None,
    until: date | None = None,
    establishment: int | None = None,
):
    """KPI cards and chart series of [since, until] (default: today), of the
    whole business or of one establishment (its id)."""
    today = timezone.localdate()
    until = until or today
    since = since or until
    week = timedelta(days=7)
    place = establishment
    now_args = _args(business, since, until, place)
    before_args = _args(business, since - week, until - week, place)

    days = selectors.sales_by_day(**now_args)
    total = sum((d["total"] for d in days), ZERO)
    tickets = sum(d["tickets"] for d in days)
    before_total = sum(
        (d["total"] for d in selectors.sales_by_day(**before_args)), ZERO
    )
    products = selectors.top_products(**now_args, limit=None)
    base = sum((p["base"] for p in products), ZERO)
    cost = sum((p["cost"] for p in products), ZERO)
    voids = Void.objects.for_business(business).filter(
        voided_at__gte=now_args["since"], voided_at__lt=now_args["until"]
    )
    if place is not None:
        voids = voids.filter(sale__establishment_id=place)
    voids = voids.aggregate(n=Count("id"), total=Sum("total"))
    returned = SaleReturn.objects.for_business(business).filter(
        returned_at__gte=now_args["since"], returned_at__lt=now_args["until"]
    )
    if place is not None:
        returned = returned.filter(sale__establishment_id=place)
    returned = returned.aggregate(n=Count("id"), total=Sum("total"))
    cash, sessions = open_cash(business=business, establishment=place)
    sri = sri_counts(business=business)
    certificate = certificate_active(business=business)
    low_stock = selectors.low_stock_count(business=business, establishment=place)
    negative_stock = selectors.negative_stock_count(
        business=business, establishment=place
    )

    change = percent(total - before_total, before_total)
    single_day = since == until
    period = (
        _("el mismo día de la semana pasada")
        if single_day
        else _("los mismos días de la semana anterior")
    )
    if change is None:
        vs = _("sin ventas en %(period)s") % {"period": period}
    else:
        vs = _("%(sign)s%(pct)s %% frente a %(period)s (%(amount)s)") % {
            "sign": "+" if change > 0 else "",
            "pct": change,
            "period": period,
            "amount": money(before_total),
        }
    margin = base - cost
    margin_pct = percent(margin, base)
    documents = reverse("admin:fiscal_electronicdocument_changelist")
    cards = [
        Card(
            "sales",
            _("Ventas de hoy") if single_day and until == today else _("Ventas"),
            money(total),
            vs,
            tone="" if change is None else ("good" if change >= 0 else "bad"),
        ),
        Card("tickets", _("Tickets"), f"{tickets:,}"),
        Card(
            "average",
            _("Ticket promedio"),
            money(
                (total / tickets).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
                if tickets
                else ZERO
            ),
        ),
        Card(
            "margin",
            _("Margen bruto"),
            money(margin),
            _("%(pct)s %% de %(base)s sin IVA")
            % {"pct": margin_pct, "base": money(base)}
            if margin_pct is not None
            else _("sin ventas"),
        ),
        Card(
            "cash",
            _("Efectivo en cajas abiertas"),
            money(cash),
            ngettext("%(n)d caja abierta", "%(n)d cajas abiertas", sessions)
            % {"n": sessions},
        ),
        Card(
            "voids",
            _("Anulaciones"),
            f"{voids['n']:,}",
            money(voids["total"] or ZERO),
            url=reverse("admin:pos_void_changelist"),
            tone="warn" if voids["n"] else "",
        ),
        Card(
            "returns",
            _("Devoluciones"),
            f"{returned['n']:,}",
            money(returned["total"] or ZERO),
            url=reverse("reports:report", args=["devoluciones"])
            + f"?since={since:%Y-%m-%d}&until={until:%Y-%m-%d}",
            tone="warn" if returned["n"] else "",
        ),
        Card(
            "sri_pending",
            _("SRI pendientes"),
            str(sri["pending"]),
            _("por enviar o sin respuesta"),
            url=f"{documents}?state__in={','.join(PENDING_STATES)}",
            tone="warn" if sri["pending"] else "",
        ),
        Card(
            "sri_returned",
            _("SRI devueltos"),
            str(sri["returned"]),
            _("corrija y reenvíe") if sri["returned"] else "",
            url=f"{documents}?state__exact={DocState.RETURNED}",
            tone="bad" if sri["returned"] else "",
        ),
        Card(
            "sri_not_authorised",
            _("SRI no autorizados"),
            str(sri["not_authorised"]),
            url=f"{documents}?state__exact={DocState.NOT_AUTHORISED}",
            tone="bad" if sri["not_authorised"] else "",
        ),
        _certificate_card(certificate),
        Card(
            "low_stock",
            _("Productos con stock bajo"),
            str(low_stock),
            ngettext(
                "%(n)d con stock negativo: registre la recepción",
                "%(n)d con stock negativo: registre la recepción",
                negative_stock,
            )
            % {"n": negative_stock}
            if negative_stock
            else "",
            url=reverse("reports:report", args=["pedido"]),
            tone="bad" if negative_stock else ("warn" if low_stock else ""),
        ),
    ]
    board = Dashboard(since, until, total, tickets, cards)
    board.charts = _charts(business, since, until, now_args, products, place)
    return board


def _certificate_card(certificate) -> Card:
    if certificate is None:
        return Card(
            "certificate",
            _("Firma electrónica"),
            _("Sin certificado"),
            _("Suba su certificado para emitir comprobantes."),
            tone="bad",
        )
    days = certificate_days_left(certificate)
    return Card(
        "certificate",
        _("Firma electrónica"),
        _("%(days)d días") % {"days": days} if days >= 0 else _("Caducada"),
        _("caduca el %(date)s") % {"date": f"{certificate.not_after:%d/%m/%Y}"},
        tone="bad" if days < 0 else ("warn" if days <= 30 else "good"),
    )


def _charts(business, since, until, now_args, products, place) -> dict:
    week = timedelta(days=7)
    hour = DailyFigure.Dimension.HOUR
    today_hours = selectors.sales_by(
        **_args(business, until, until, place), dimension=hour
    )
    last_week_hours = selectors.sales_by(
        **_args(business, until - week, until - week, place), dimension=hour
    )

    def by_hour(rows):
        found = {int(r["key"]): float(r["total"]) for r in rows}
        return [found.get(h, 0) for h in range(24)]

    month = selectors.sales_by_day(
        **_args(business, until - timedelta(days=29), until, place)
    )
    per_day = {d["day"]: d["total"] for d in month}
    month_days = [until - timedelta(days=n) for n in range(29, -1, -1)]
    methods = dict(PaymentMethod.choices)
    payments = selectors.sales_by_payment(**now_args)
    cashiers = selectors.sales_by(**now_args, dimension=DailyFigure.Dimension.CASHIER)
    cashier_names = _names(
        get_user_model().objects.all(), [r["key"] for r in cashiers], _user_label
    )
    places = selectors.sales_by(
        **now_args, dimension=DailyFigure.Dimension.ESTABLISHMENT
    )
    place_names = _names(
        Establishment.objects.for_business(business),
        [r["key"] for r in places],
        lambda e: f"{e.code} {e.name}".strip(),
    )
    top = sorted(products, key=lambda p: (-p["base"], p["code"]))[:10]
    return {
        "hours": {
            "labels": [f"{h:02d}h" for h in range(24)],
            "series": [
                {"label": f"{until:%d/%m}", "data": by_hour(today_hours)},
                {"label": f"{until - week:%d/%m}", "data": by_hour(last_week_hours)},
            ],
        },
        "days": {
            "labels": [f"{d:%d/%m}" for d in month_days],
            "series": [
                {
                    "label": _("Ventas"),
                    "data": [float(per_day.get(d, 0)) for d in month_days],
                }
            ],
        },
        "products": _bar(
            [p["name"][:28] for p in top], [p["base"] for p in top], _("Base")
        ),
        "payments": _bar(
            [str(methods.get(p["method"], p["method"])) for p in payments],
            [p["amount"] for p in payments],
            _("Monto"),
        ),
        "cashiers": _bar(
            [cashier_names.get(r["key"], r["key"]) for r in cashiers],
            [r["total"] for r in cashiers],
            _("Ventas"),
        ),
        "establishments": _bar(
            [place_names.get(r["key"], r["key"]) for r in places],
            [r["total"] for r in places],
            _("Ventas"),
        ),
    }


def _bar(labels, values, label) -> dict:
    return {
        "labels": list(labels),
        "series": [{"label": label, "data": [float(v) for v in values]}],
        "empty": not labels,
    }
