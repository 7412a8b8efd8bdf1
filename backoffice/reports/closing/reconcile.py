"""Reconciliation to the cent: sales against their documents, the ATS and the reports.

A document names its origin in `source` ("sale:12", "void:3"): every check
joins on it in SQL (index business+source) instead of walking the month.

The figures per IVA rate and per payment method compare two sides:
- documents: authorised facturas of the month (not annulled in the SRI portal)
  minus authorised notas de crédito of the month: exactly what the ATS
  declares (`fiscal.exports.month_ats` selects the same documents);
- sales: the sales report of the month (non-voided sales), plus the month's
  sales voided by a credit note in a later month (still declared this month),
  minus earlier sales whose credit note is of this month.
"""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db.models import (
    CharField,
    Exists,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
)
from django.db.models.functions import Cast, Concat
from django.utils.translation import gettext as _

from backoffice.reports import selectors
from backoffice.reports.models import DailyFigure
from core.money import ZERO, round_money
from core.sri_codes import PaymentMethod
from core.taxes import TaxCategory
from fiscal.models import DocState, DocType, ElectronicDocument
from pos.models import Payment, Sale, SaleTax, Void

from .numbers import month_documents


@dataclass(frozen=True)
class Period:
    business: object
    year: int
    month: int
    start: object  # first day
    end: object  # first day of the next month
    since: datetime  # local midnight of start
    until: datetime


def _source(prefix: str, ref: str):
    return Concat(
        Value(prefix), Cast(OuterRef(ref), CharField()), output_field=CharField()
    )


def _documents(period: Period, kind: str, ref: str) -> QuerySet:
    prefix = "sale:" if kind == DocType.INVOICE else "void:"
    return ElectronicDocument.objects.filter(
        business=period.business, kind=kind, source=_source(prefix, ref)
    ).order_by()


@dataclass(frozen=True)
class Difference:
    """A sale (or void) whose document is missing or disagrees with it."""

    sale_id: int
    sale_number: str
    expected: Decimal
    document_id: int | None
    document_number: str | None
    found: Decimal | None

    @property
    def missing(self) -> bool:
        return self.document_id is None


def _differences(period: Period, rows, documents, wrong, *, kind: str, fields, limit):
    """Rows without a document, then rows whose document disagrees.

    Two queries, not one with `~Exists(...) | Exists(...)`: PostgreSQL runs
    each EXISTS alone as a hash (anti-)join, but the OR of both as a subplan
    per row. The documents of the (few) rows found are then read by their
    `source`: a correlated subquery in the select list would make the plan's
    estimate huge (under row-level security the concatenated source is no
    index condition) and PostgreSQL would spend seconds JIT-compiling it.
    """
    prefix = "sale:" if kind == DocType.INVOICE else "void:"
    found = []
    for condition in (~Exists(documents), Exists(wrong)):
        found += rows.filter(condition).values_list("pk", *fields)[:limit]
    by_source = {f"{prefix}{row[0]}": row[1:] for row in found[:limit]}
    matched = {}
    if by_source:
        matched = {
            doc["source"]: doc
            for doc in ElectronicDocument.objects.filter(
                business=period.business, kind=kind, source__in=list(by_source)
            ).values("source", "pk", "number", "total")
        }
    differences = []
    for source, values in by_source.items():
        doc = matched.get(source, {})
        differences.append(
            Difference(*values, doc.get("pk"), doc.get("number"), doc.get("total"))
        )
    return differences


def sale_differences(period: Period, *, limit: int = 100) -> list[Difference]:
    """Sales of the month without their factura, or whose totals differ from it."""
    # The factura of a sale of the month is dated in the month (its local day):
    # naming the month lets the documents be read through their date index.
    documents = _documents(period, DocType.INVOICE, "pk").filter(
        issue_date__gte=period.start, issue_date__lt=period.end
    )
    wrong = documents.filter(
        ~Q(total=OuterRef("total"))
        | ~Q(subtotal=OuterRef("subtotal"))
        | ~Q(tax_total=OuterRef("tax_total"))
    )
    sales = (
        Sale.objects.for_business(period.business)
        .filter(posted_at__gte=period.since, posted_at__lt=period.until)
        .order_by("posted_at", "pk")
    )
    return _differences(
        period,
        sales,
        documents,
        wrong,
        kind=DocType.INVOICE,
        fields=("pk", "document_number", "total"),
        limit=limit,
    )


def void_differences(period: Period, *, limit: int = 100) -> list[Difference]:
    """Voids of the month that took a credit-note number without a matching note."""
    notes = _documents(period, DocType.CREDIT_NOTE, "pk").filter(
        issue_date__gte=period.start, issue_date__lt=period.end
    )
    # A credit note returns the invoice without its propina.
    wrong = notes.exclude(total=OuterRef("total") - OuterRef("sale__service_charge"))
    voids = (
        Void.objects.for_business(period.business)
        .filter(voided_at__gte=period.since, voided_at__lt=period.until)
        .filter(number__isnull=False)
        .order_by("voided_at", "pk")
    )
    return _differences(
        period,
        voids,
        notes,
        wrong,
        kind=DocType.CREDIT_NOTE,
        fields=("sale_id", "sale__document_number", "total"),
        limit=limit,
    )


def credit_notes_without_invoice(period: Period) -> list[dict]:
    return list(
        month_documents(business=period.business, year=period.year, month=period.month)
        .filter(kind=DocType.CREDIT_NOTE, modifies__isnull=True)
        .order_by("number")
        .values("pk", "number", "total")[:100]
    )


def credit_notes_of_earlier_invoices(period: Period) -> list[dict]:
    """Credit notes of the month whose factura was issued in an earlier month."""
    return list(
        month_documents(business=period.business, year=period.year, month=period.month)
        .filter(kind=DocType.CREDIT_NOTE, modifies__issue_date__lt=period.start)
        .order_by("number")
        .values(
            "pk",
            "number",
            "total",
            "issue_date",
            "modifies_id",
            "modifies__number",
            "modifies__issue_date",
        )[:100]
    )


@dataclass(frozen=True)
class Figure:
    """One line of the reconciliation: a rate's base or IVA, or a payment method."""

    key: str
    label: str
    documents: Decimal
    sales: Decimal

    @property
    def difference(self) -> Decimal:
        return self.documents - self.sales

    @property
    def ok(self) -> bool:
        return self.documents == self.sales


def _sums(queryset: QuerySet, key: str, fields: list[str]) -> dict:
    rows = queryset.order_by().values(key).annotate(**{f: Sum(f) for f in fields})
    return {(row[key], f): _cents(row[f]) for row in rows for f in fields}


def _cents(value) -> Decimal:
    # SQLite returns sums with many places; every input is in cents already.
    return round_money(value or ZERO)


def _add(*parts: tuple[int, dict]) -> dict:
    total: dict = {}
    for sign, sums in parts:
        for name, value in sums.items():
            total[name] = total.get(name, ZERO) + sign * value
    return total


def _documented(period: Period, model, key: str, fields: list[str]) -> dict:
    """Rows of sales behind the authorised documents of the month, netted."""
    authorised = Q(
        state=DocState.AUTHORISED,
        issue_date__gte=period.start,
        issue_date__lt=period.end,
    )
    invoices = _documents(period, DocType.INVOICE, "sale_id").filter(
        authorised, annulment_requested_at__isnull=True
    )
    notes = _documents(period, DocType.CREDIT_NOTE, "sale__void__id").filter(authorised)
    rows = model.objects.for_business(period.business).filter(
        sale__business=period.business
    )
    sold = rows.filter(
        Exists(invoices),
        sale__posted_at__gte=period.since,
        sale__posted_at__lt=period.until,
    )
    returned = rows.filter(
        Exists(notes),
        sale__void__voided_at__gte=period.since,
        sale__void__voided_at__lt=period.until,
    )
    return _add((1, _sums(sold, key, fields)), (-1, _sums(returned, key, fields)))


def _crossing(period: Period, model, key: str, fields: list[str]) -> dict:
    """What the sales report misses: credit notes that cross a month's end."""
    rows = model.objects.for_business(period.business).filter(
        sale__business=period.business, sale__void__number__isnull=False
    )
    later = rows.filter(
        sale__posted_at__gte=period.since,
        sale__posted_at__lt=period.until,
        sale__void__voided_at__gte=period.until,
    )
    earlier = rows.filter(
        sale__posted_at__lt=period.since,
        sale__void__voided_at__gte=period.since,
        sale__void__voided_at__lt=period.until,
    )
    return _add((1, _sums(later, key, fields)), (-1, _sums(earlier, key, fields)))


def _report_args(period: Period) -> dict:
    args = {
        "business": period.business,
        "since": period.since,
        "until": period.until,
    }
    args["split"] = selectors.period_split(**args)
    return args


def figures_by_rate(period: Period) -> list[Figure]:
    fields = ["base", "tax"]
    documented = _documented(period, SaleTax, "tax_code", fields)
    report: dict = {}
    rows = selectors.sales_by(
        **_report_args(period), dimension=DailyFigure.Dimension.TAX
    )
    for row in rows:
        code = row["key"].split(":")[0]
        figures = {
            (code, "base"): _cents(row["base"]),
            (code, "tax"): _cents(row["tax"]),
        }
        report = _add((1, report), (1, figures))
    sales = _add((1, report), (1, _crossing(period, SaleTax, "tax_code", fields)))
    labels = dict(TaxCategory.choices)
    measure = {"base": _("base imponible"), "tax": _("IVA")}
    return [
        Figure(
            key=f"{code}:{name}",
            label=f"{labels.get(code, code)} · {measure[name]}",
            documents=documented.get((code, name), ZERO),
            sales=sales.get((code, name), ZERO),
        )
        for code, name in sorted(documented.keys() | sales.keys())
    ]


def figures_by_payment(period: Period) -> list[Figure]:
    documented = _documented(period, Payment, "method", ["amount"])
    report = {
        (row["method"], "amount"): _cents(row["amount"])
        for row in selectors.sales_by_payment(**_report_args(period))
    }
    crossing = _crossing(period, Payment, "method", ["amount"])
    sales = _add((1, report), (1, crossing))
    labels = dict(PaymentMethod.choices)
    return [
        Figure(
            key=method,
            label=str(labels.get(method, method)),
            documents=documented.get((method, name), ZERO),
            sales=sales.get((method, name), ZERO),
        )
        for method, name in sorted(documented.keys() | sales.keys())
    ]
