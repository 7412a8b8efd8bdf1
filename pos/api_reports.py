"""The X report of a cash session as JSON: the figures so far, nothing closed."""

from __future__ import annotations

from django.http import JsonResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from backoffice.tenancy import roles

from . import selectors
from .api import _money, api_view
from .errors import NotFoundError
from .models import CashSession


@api_view()
def cash_session_x_report(request, pk):
    business = request.business
    session = (
        CashSession.objects.for_business(business)
        .select_related("opened_by")
        .filter(pk=pk)
        .first()
    )
    if session is None or not selectors.cash_session_visible(
        session=session, user=request.user, role=roles.role_of(request)
    ):
        raise NotFoundError(_("Caja no encontrada."), field="session")
    summary = selectors.cash_session_summary(business=business, session=session)
    movements = selectors.cash_movement_list(business=business, session=session)
    return JsonResponse(
        {
            "id": session.pk,
            "opened_at": session.opened_at.isoformat(),
            "opened_by": session.opened_by.get_full_name()
            or session.opened_by.get_username(),
            "closed_at": session.closed_at.isoformat() if session.closed_at else None,
            "float": _money(session.opening_float),
            "sales_count": summary.sales_count,
            "sales_total": _money(summary.sales_total),
            "service_charge": _money(summary.service_charge),
            "sales_by_method": {m: _money(v) for m, v in summary.payments.items()},
            "voids_count": summary.voids_count,
            "voids_total": _money(summary.voids_total),
            "returns_count": summary.returns_count,
            "returns_total": _money(summary.returns_total),
            "cash_in": _money(summary.cash_in),
            "cash_out": _money(summary.cash_out),
            "movements": [
                {
                    "id": m.pk,
                    "at": m.created_at.isoformat(),
                    "kind": m.kind,
                    "kind_label": m.get_kind_display(),
                    "method": m.method,
                    "amount": _money(m.amount),
                    "reason": m.reason,
                    "user": m.user.get_full_name() or m.user.get_username(),
                }
                for m in movements
            ],
            "taxes": [
                {
                    "tax_code": code,
                    "rate": str(rate.normalize()),
                    "base": _money(base),
                    "tax": _money(tax),
                }
                for code, rate, base, tax in summary.taxes
            ],
            "expected": {m: _money(v) for m, v in sorted(summary.expected.items())},
            "report_url": reverse("pos:cash-report", args=[session.pk]),
        }
    )
