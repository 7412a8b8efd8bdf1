"""Cierre del mes: the accountant's page, its actions and the bundle download."""

import re
from datetime import date, timedelta

from django.contrib import admin, messages
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View

from backoffice.tenancy import roles
from backoffice.tenancy.decorators import role_required
from core.errors import SouthernPOSError
from fiscal.models import DocState

from . import services
from .bundle import bundle_name, month_bundle
from .checks import month_checks, month_state

MONTH = re.compile(r"(\d{4})-(0[1-9]|1[0-2])")


def previous_month() -> tuple[int, int]:
    first = timezone.localdate().replace(day=1)
    return (first.year, first.month - 1) if first.month > 1 else (first.year - 1, 12)


def month_choices(year: int, month: int, count: int = 24) -> list[tuple[str, date]]:
    """The last `count` months (newest first), and the one shown if older."""
    first = timezone.localdate().replace(day=1)
    months = []
    for _n in range(count):
        months.append(first)
        first = (first.replace(day=1) - timedelta(days=1)).replace(day=1)
    chosen = date(year, month, 1)
    if chosen not in months:
        months.append(chosen)
    return [(f"{m:%Y-%m}", m) for m in sorted(months, reverse=True)]


def parse_month(text: str | None) -> tuple[int, int] | None:
    match = MONTH.fullmatch(text or "")
    if match is None or not 2000 <= int(match[1]) <= 2999:
        return None
    return int(match[1]), int(match[2])


def _month_or_404(text: str) -> tuple[int, int]:
    parsed = parse_month(text)
    if parsed is None:
        raise Http404(_("Mes inválido: use AAAA-MM, p. ej. 2026-11."))
    return parsed


def _page_url(year: int, month: int) -> str:
    return f"{reverse('closing:month')}?month={year:04d}-{month:02d}"


@method_decorator(role_required(roles.READERS), name="dispatch")
class MonthCloseView(View):
    """Per business and month: numbers, reconciliation, what to do, ready or not."""

    def get(self, request):
        text = request.GET.get("month")
        parsed = parse_month(text) if text else previous_month()
        status = 200
        if parsed is None:
            parsed, status = previous_month(), 400
        year, month = parsed
        report = month_checks(business=request.business, year=year, month=month)
        state = month_state(
            business=request.business, year=year, month=month, digest=report.digest
        )
        context = {
            **admin.site.each_context(request),
            "title": _("Cierre del mes"),
            "report": report,
            "state": state,
            "month_value": f"{year:04d}-{month:02d}",
            "month_first": date(year, month, 1),
            "month_choices": month_choices(year, month),
            "invalid_month": status == 400,
            "rejected_state": DocState.RETURNED,
        }
        return render(request, "reports/close.html", context, status=status)


@method_decorator(role_required(roles.READERS), name="dispatch")
class MonthCloseActionView(View):
    """POST: close or reopen the month, or resend one of its documents."""

    def post(self, request, month, action, document_id=None):
        year, number = _month_or_404(month)
        args = {"business": request.business, "year": year, "month": number}
        try:
            if action == "close":
                services.month_close(**args, actor=request.user)
                messages.success(request, _("Mes cerrado."))
            elif action == "reopen":
                note = request.POST.get("note", "")
                services.month_reopen(**args, actor=request.user, note=note)
                messages.warning(request, _("Mes reabierto."))
            else:
                edoc = services.month_document_resend(
                    business=request.business,
                    document_id=document_id,
                    actor=request.user,
                )
                messages.info(
                    request,
                    _("%(number)s: %(state)s")
                    % {"number": edoc.number, "state": edoc.get_state_display()},
                )
        except SouthernPOSError as exc:
            messages.error(request, exc.message)
        return redirect(_page_url(year, number))


@method_decorator(role_required(roles.READERS), name="dispatch")
class MonthBundleView(View):
    """The month's zip, streamed: XML, RIDE, ATS, workbooks and the summary."""

    def get(self, request, month):
        year, number = _month_or_404(month)
        chunks = month_bundle(business=request.business, year=year, month=number)
        response = StreamingHttpResponse(chunks, content_type="application/zip")
        name = bundle_name(request.business, year, number)
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
