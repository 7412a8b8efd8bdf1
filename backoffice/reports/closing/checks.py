"""The month's checks, composed: what blocks the declaration and what to do.

`month_checks` is the one read the page and `close_month` share. Every part is
a grouped query; lists shown to people are capped (LIST_LIMIT) with their
full count beside them.
"""

import hashlib
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date

from django.db import connection, transaction
from django.db.models import Count, Max, OuterRef, Q, Subquery, Sum
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from backoffice.reports.models import MonthClose
from core.dates import day_start
from fiscal.models import (
    PENDING_STATES,
    REJECTED_STATES,
    DocState,
    DocType,
    ElectronicDocument,
    SriMessage,
)
from fiscal.selectors import certificate_warning, month_range
from pos.models import Void

from . import reconcile
from .numbers import NumberRange, month_documents, number_ranges

LIST_LIMIT = 50


def money(value) -> str:
    """2 decimals in the active language's format (2,30 in Spanish)."""
    return number_format(value, decimal_pos=2, use_l10n=True)


def period_of(*, business, year: int, month: int) -> reconcile.Period:
    start, end = month_range(year, month)
    return reconcile.Period(
        business, year, month, start, end, day_start(start), day_start(end)
    )


@dataclass(frozen=True)
class Blocker:
    """Why the month is not ready: a code (for scripts) and a Spanish sentence."""

    code: str
    message: str


@dataclass
class DocumentList:
    rows: list[dict]
    count: int

    def __bool__(self) -> bool:
        return self.count > 0


@dataclass
class MonthReport:
    business: object
    year: int
    month: int
    ranges: list[NumberRange]
    sale_differences: list[reconcile.Difference]
    void_differences: list[reconcile.Difference]
    orphan_notes: list[dict]
    earlier_notes: list[dict]
    rates: list[reconcile.Figure]
    payments: list[reconcile.Figure]
    pending: DocumentList
    rejected: DocumentList
    annulments: DocumentList
    certificate: str | None
    digest: str
    documents: int
    blockers: list[Blocker] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ready(self) -> bool:
        return not self.blockers

    @property
    def label(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


def _document_list(queryset, *, with_message: bool = False) -> DocumentList:
    rows = queryset.order_by("issue_date", "number")
    if with_message:
        latest = SriMessage.objects.filter(document=OuterRef("pk")).order_by(
            "-created_at", "-pk"
        )
        rows = rows.annotate(message=Subquery(latest.values("mensaje")[:1]))
    fields = ["pk", "kind", "number", "issue_date", "state", "total", "last_error"]
    names = [*fields, *(["message"] if with_message else [])]
    listed = list(rows.values(*names)[:LIST_LIMIT])
    for row in listed:
        row["kind_label"] = DocType(row["kind"]).label
        row["state_label"] = DocState(row["state"]).label
    return DocumentList(listed, queryset.count())


def to_do(period: reconcile.Period) -> dict:
    """Pending and rejected documents of the month; portal annulments to register."""
    documents = month_documents(
        business=period.business, year=period.year, month=period.month
    )
    annulments = documents.model.objects.for_business(period.business).filter(
        annulment_requested_at__isnull=False,
        annulled_in_portal_at__isnull=True,
        issue_date__lt=period.end,
    )
    return {
        "pending": _document_list(documents.filter(state__in=PENDING_STATES)),
        "rejected": _document_list(
            documents.filter(state__in=REJECTED_STATES), with_message=True
        ),
        "annulments": _document_list(annulments),
    }


def month_digest(period: reconcile.Period) -> tuple[str, int]:
    """A fingerprint of the month's documents and voids (three aggregate queries).

    What a declaration depends on, not bookkeeping: documents of the month
    (count, totals, states, newest authorisation, annulments), credit notes of
    its invoices and voids of its sales. An e-mailed RIDE changes nothing.
    """
    states = {
        f"state_{state}": Count("id", filter=Q(state=state))
        for state in DocState.values
    }
    documents = month_documents(
        business=period.business, year=period.year, month=period.month
    ).aggregate(
        count=Count("id"),
        total=Sum("total"),
        tax=Sum("tax_total"),
        authorised_last=Max("authorized_at"),
        annulled=Count("id", filter=Q(annulment_requested_at__isnull=False)),
        annulled_last=Max("annulment_requested_at"),
        portal_last=Max("annulled_in_portal_at"),
        **states,
    )
    notes = (
        ElectronicDocument.objects.for_business(period.business)
        .filter(
            kind=DocType.CREDIT_NOTE,
            modifies__issue_date__gte=period.start,
            modifies__issue_date__lt=period.end,
        )
        .aggregate(
            notes=Count("id"),
            notes_total=Sum("total"),
            notes_authorised=Max("authorized_at"),
        )
    )
    voids = (
        Void.objects.for_business(period.business)
        .filter(sale__posted_at__gte=period.since, sale__posted_at__lt=period.until)
        .aggregate(count=Count("id"), last=Max("voided_at"))
    )
    parts = [documents, notes, voids]
    text = "|".join(repr(sorted(part.items())) for part in parts)
    return hashlib.sha256(text.encode()).hexdigest(), documents["count"]


@contextmanager
def custom_plans():
    """Plan each check for its own month, also once its statement is prepared.

    With server-side binding psycopg prepares a statement on its 5th run, and
    after 5 more PostgreSQL may switch to a generic plan that ignores the
    month's dates: the voids check went from 40 ms to 5-8 s that way.
    """
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL plan_cache_mode = force_custom_plan")
        yield


def month_checks(*, business, year: int, month: int) -> MonthReport:
    """Every check of a business's month, with its blockers."""
    with custom_plans():
        return _month_checks(business=business, year=year, month=month)


def _month_checks(*, business, year: int, month: int) -> MonthReport:
    period = period_of(business=business, year=year, month=month)
    digest, count = month_digest(period)
    report = MonthReport(
        business=business,
        year=year,
        month=month,
        ranges=number_ranges(business=business, year=year, month=month),
        sale_differences=reconcile.sale_differences(period),
        void_differences=reconcile.void_differences(period),
        orphan_notes=reconcile.credit_notes_without_invoice(period),
        earlier_notes=reconcile.credit_notes_of_earlier_invoices(period),
        rates=reconcile.figures_by_rate(period),
        payments=reconcile.figures_by_payment(period),
        certificate=certificate_warning(business=business),
        digest=digest,
        documents=count,
        **to_do(period),
    )
    report.blockers = _blockers(report)
    report.warnings = _warnings(report)
    return report


def _blockers(report: MonthReport) -> list[Blocker]:
    found: list[Blocker] = []

    def add(code: str, message: str) -> None:
        found.append(Blocker(code, message))

    for r in report.ranges:
        for first, last in r.gaps:
            missing = r.number(first)
            if last != first:
                missing = f"{missing} … {r.number(last)}"
            add(
                "gap",
                _("Falta el número %(missing)s (%(kind)s).")
                % {"missing": missing, "kind": r.kind_label},
            )
        for seq in r.duplicates:
            add("duplicate", _("Número repetido: %(n)s.") % {"n": r.number(seq)})
    for d in report.sale_differences:
        if d.missing:
            message = _("La venta %(sale)s no tiene factura electrónica.")
        else:
            message = _(
                "La venta %(sale)s suma $%(expected)s y su factura %(doc)s $%(found)s."
            )
        add("sale_document", message % _values(d))
    for d in report.void_differences:
        if d.missing:
            message = _("La anulación de la venta %(sale)s no tiene nota de crédito.")
        else:
            message = _(
                "La nota de crédito %(doc)s ($%(found)s) no cuadra con la "
                "anulación de la venta %(sale)s."
            )
        add("void_document", message % _values(d))
    for note in report.orphan_notes:
        message = _("La nota de crédito %(number)s no referencia ninguna factura.")
        add("orphan_note", message % {"number": note["number"]})
    if report.pending:
        n = report.pending.count
        add("pending", ngettext(
            "%(count)s comprobante pendiente de autorización del SRI.",
            "%(count)s comprobantes pendientes de autorización del SRI.", n,
        ) % {"count": n})  # fmt: skip
    if report.rejected:
        n = report.rejected.count
        add("rejected", ngettext(
            "%(count)s comprobante devuelto o no autorizado por el SRI.",
            "%(count)s comprobantes devueltos o no autorizados por el SRI.", n,
        ) % {"count": n})  # fmt: skip
    if report.annulments:
        n = report.annulments.count
        add("annulment", ngettext(
            "%(count)s anulación por registrar en el portal del SRI.",
            "%(count)s anulaciones por registrar en el portal del SRI.", n,
        ) % {"count": n})  # fmt: skip
    for figure in [*report.rates, *report.payments]:
        if not figure.ok:
            message = _("%(label)s: comprobantes $%(documents)s, ventas $%(sales)s.")
            add("figures", message % {
                "label": figure.label, "documents": money(figure.documents),
                "sales": money(figure.sales)})  # fmt: skip
    return found


def _values(d: reconcile.Difference) -> dict:
    return {
        "sale": d.sale_number,
        "expected": money(d.expected),
        "doc": d.document_number or "",
        "found": money(d.found) if d.found is not None else "",
    }


def _warnings(report: MonthReport) -> list[str]:
    found = [
        _(
            "La nota de crédito %(number)s corrige la factura %(invoice)s de "
            "%(month)s (un mes anterior)."
        )
        % {
            "number": note["number"],
            "invoice": note["modifies__number"],
            "month": f"{note['modifies__issue_date']:%m/%Y}",
        }
        for note in report.earlier_notes
    ]
    return found


def month_state(*, business, year: int, month: int, digest: str) -> dict:
    """The month's latest close/reopen row and whether it still holds."""
    latest = (
        MonthClose.objects.for_business(business)
        .filter(month=date(year, month, 1))
        .select_related("actor")
        .order_by("-pk")
        .first()
    )
    closed = latest is not None and latest.action == MonthClose.Action.CLOSE
    return {
        "latest": latest,
        "closed": closed and latest.digest == digest,
        "changed_since_close": closed and latest.digest != digest,
    }
