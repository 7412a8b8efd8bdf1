from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.csrf import ensure_csrf_cookie

from backoffice.tenancy import roles
from backoffice.tenancy.decorators import role_required
from backoffice.tenancy.models import EmissionPoint
from fiscal.receipts import cash_report_pdf, receipt_html, receipt_pdf

from . import selectors
from .api import SELLERS
from .models import CashSession
from .receipts import cash_report_data, sale_receipt_data


@method_decorator(ensure_csrf_cookie, name="dispatch")
@method_decorator(role_required(roles.ALL), name="dispatch")
class PosPageView(View):
    def get(self, request):
        business = request.business
        # Restaurant mode has its own floor; ?mostrador opens the counter anyway.
        if "mostrador" not in request.GET and (
            business.mode == business.Mode.RESTAURANT
            or roles.role_of(request) == "waiter"
        ):
            return redirect("restaurant:floor")
        points = EmissionPoint.objects.for_business(business).filter(is_active=True)
        return render(
            request,
            "pos/page.html",
            {
                "business": business,
                "points": points.select_related("establishment"),
                "sellers": roles.has_role(request, SELLERS),
                "back_office": roles.has_role(request, roles.BACK_OFFICE),
            },
        )


def _sale_or_404(request, pk):
    sale = selectors.sale_get_visible(
        business=request.business,
        pk=pk,
        user=request.user,
        role=roles.role_of(request),
    )
    if sale is None:
        raise Http404
    return sale


@method_decorator(role_required(roles.ALL), name="dispatch")
class SaleReceiptPdfView(View):
    def get(self, request, pk):
        data = sale_receipt_data(
            business=request.business,
            sale=_sale_or_404(request, pk),
            logo_image=True,
        )
        response = HttpResponse(receipt_pdf(data), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{data.number}.pdf"'
        return response


@method_decorator(role_required(roles.ALL), name="dispatch")
class SaleReceiptHtmlView(View):
    def get(self, request, pk):
        data = sale_receipt_data(
            business=request.business, sale=_sale_or_404(request, pk)
        )
        return HttpResponse(receipt_html(data))


@method_decorator(role_required(roles.BACK_OFFICE), name="dispatch")
class CashReportView(View):
    """X report of an open session, Z report of a closed one (80 mm PDF)."""

    def get(self, request, pk):
        session = (
            CashSession.objects.for_business(request.business)
            .select_related("emission_point__establishment")
            .filter(pk=pk)
            .first()
        )
        if session is None or not selectors.cash_session_visible(
            session=session, user=request.user, role=roles.role_of(request)
        ):
            raise Http404
        report = cash_report_data(business=request.business, session=session)
        response = HttpResponse(cash_report_pdf(report), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="caja-{session.pk}.pdf"'
        return response
