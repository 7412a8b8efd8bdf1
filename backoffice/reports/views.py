from datetime import date, timedelta
from decimal import Decimal
from io import BytesIO

from django import forms
from django.contrib import admin
from django.core.cache import cache
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import transaction
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from openpyxl import Workbook

from backoffice import limits
from backoffice.headers import unfold_layout
from backoffice.tenancy import roles
from backoffice.tenancy.decorators import role_required
from pos.models import PaymentMethod

from . import reorder, selectors, tables
from .tasks import rollup_pending_task


def _bounded_date(label) -> forms.DateField:
    # Beyond these a day's bounds overflow datetime (issue 9 §4).
    return forms.DateField(
        label=label,
        required=False,
        validators=[
            MinValueValidator(limits.MIN_DATE),
            MaxValueValidator(limits.MAX_DATE),
        ],
    )


class PeriodForm(forms.Form):
    since = _bounded_date(gettext_lazy("Desde"))
    until = _bounded_date(gettext_lazy("Hasta"))

    def period(self) -> tuple[date, date]:
        today = timezone.localdate()
        data = self.cleaned_data if self.is_valid() else {}
        since = data.get("since") or today.replace(day=1)
        until = data.get("until") or today
        return (since, until) if since <= until else (until, since)


def _rollup_soon(business) -> None:
    """Queue the roll-up of closed days, at most once an hour per business."""
    if cache.add(f"reports:rollup:{business.pk}", True, timeout=3600):
        transaction.on_commit(lambda: rollup_pending_task.enqueue(business.pk))


def _report(business, since: date, until: date) -> dict:
    start = selectors.day_start(since)
    end = selectors.day_start(until + timedelta(days=1))
    args = {"business": business, "since": start, "until": end}
    args["split"] = selectors.period_split(**args)
    if args["split"].reads_closed_days_live:
        _rollup_soon(business)
    days = selectors.sales_by_day(**args)
    methods = dict(PaymentMethod.choices)
    payments = [
        {**p, "label": str(methods.get(p["method"], p["method"]))}
        for p in selectors.sales_by_payment(**args)
    ]
    return {
        "days": days,
        "payments": payments,
        "products": selectors.top_products(**args),
        "tickets": sum(d["tickets"] for d in days),
        "total": sum((d["total"] for d in days), start=Decimal("0.00")),
    }


def _xlsx(report: dict, since: date, until: date) -> HttpResponse:
    book = Workbook()
    sheet = book.active
    sheet.title = _("Ventas por día")
    sheet.append([_("Fecha"), _("Tickets"), _("Subtotal"), _("IVA"), _("Total")])
    for d in report["days"]:
        sheet.append([d["day"], d["tickets"], d["subtotal"], d["tax"], d["total"]])
    pay = book.create_sheet(_("Formas de pago"))
    pay.append([_("Código SRI"), _("Forma de pago"), _("Pagos"), _("Monto")])
    for p in report["payments"]:
        pay.append([p["method"], p["label"], p["count"], p["amount"]])
    top = book.create_sheet(_("Productos"))
    top.append([_("Código"), _("Producto"), _("Cantidad"), _("Base")])
    for p in report["products"]:
        top.append(
            [tables.safe_text(p["code"]), tables.safe_text(p["name"])]
            + [p["quantity"], p["base"]]
        )
    out = BytesIO()
    book.save(out)
    response = HttpResponse(
        out.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = (
        f'attachment; filename="ventas-{since:%Y%m%d}-{until:%Y%m%d}.xlsx"'
    )
    return response


@method_decorator(unfold_layout, name="dispatch")
@method_decorator(role_required(roles.READERS), name="dispatch")
class ReportIndexView(View):
    """Sales by day, by payment method and top products for a period."""

    def get(self, request):
        form = PeriodForm(request.GET or None)
        since, until = form.period()
        report = _report(request.business, since, until)
        invalid = form.is_bound and not form.is_valid()
        if request.GET.get("format") == "xlsx" and not invalid:
            return _xlsx(report, since, until)
        context = {
            **admin.site.each_context(request),
            "title": _("Reportes de ventas"),
            "form": form,
            "since": since,
            "until": until,
            "reports": tables.REPORTS,
            **report,
        }
        # A bad period shows the form's errors (and this month) with a 400.
        return render(
            request, "reports/index.html", context, status=400 if invalid else 200
        )


class ReorderForm(forms.Form):
    lead = forms.IntegerField(
        label=gettext_lazy("Plazo de entrega (días)"),
        initial=reorder.LEAD_DAYS,
        min_value=0,
        max_value=180,
        required=False,
    )
    target = forms.IntegerField(
        label=gettext_lazy("Cobertura deseada (días)"),
        initial=reorder.TARGET_DAYS,
        min_value=1,
        max_value=365,
        required=False,
    )


@method_decorator(unfold_layout, name="dispatch")
@method_decorator(role_required(roles.READERS), name="dispatch")
class ReportTableView(View):
    """One report of the list: on screen (first rows) or exported whole."""

    def get(self, request, slug):
        report = tables.BY_SLUG.get(slug)
        if report is None:
            raise Http404(_("Reporte desconocido."))
        form = PeriodForm(request.GET or None)
        since, until = form.period()
        options = {}
        reorder_form = None
        if slug == "pedido":
            reorder_form = ReorderForm(request.GET or None)
        bad = (form.is_bound and not form.is_valid()) or (
            reorder_form is not None
            and reorder_form.is_bound
            and not reorder_form.is_valid()
        )
        if bad:  # the errors on the page, no rows and no file
            return self._page(
                request, report, form, reorder_form, since, until, [], status=400
            )
        if reorder_form is not None:
            data = reorder_form.cleaned_data if reorder_form.is_bound else {}
            options["lead"] = data.get("lead") or reorder.LEAD_DAYS
            options["target"] = data.get("target") or reorder.TARGET_DAYS
        fmt = request.GET.get("format")
        if fmt in ("csv", "xlsx"):
            rows = report.rows(request.business, since, until, options)
            name = f"{slug}-{since:%Y%m%d}-{until:%Y%m%d}"
            return tables.export(report, rows, fmt=fmt, filename=name)
        if fmt:
            return HttpResponseBadRequest(_("Formato desconocido: use csv o xlsx."))
        rows = []
        for row in report.rows(request.business, since, until, options):
            rows.append(row)
            if len(rows) > tables.SCREEN_ROWS:
                break
        return self._page(request, report, form, reorder_form, since, until, rows)

    def _page(
        self, request, report, form, reorder_form, since, until, rows, status=200
    ):
        more = len(rows) > tables.SCREEN_ROWS
        rows = rows[: tables.SCREEN_ROWS]
        totals = None if more else tables.totals(report, rows)
        context = {
            **admin.site.each_context(request),
            "title": report.title,
            "report": report,
            "reports": tables.REPORTS,
            "form": form,
            "reorder_form": reorder_form,
            "since": since,
            "until": until,
            "rows": tables.screen_rows(report, rows),
            "more": more,
            "totals": tables.screen_rows(report, [totals])[0] if totals else None,
            "query": request.GET.urlencode(),
        }
        return render(request, "reports/table.html", context, status=status)
