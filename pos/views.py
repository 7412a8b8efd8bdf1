from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.csrf import ensure_csrf_cookie

from backoffice.catalog.models import Category
from backoffice.headers import framed_by_self_policy
from backoffice.tenancy import roles
from backoffice.tenancy.decorators import role_required
from backoffice.tenancy.models import EmissionPoint
from core.errors import SouthernPOSError
from fiscal.receipts import cash_report_pdf, receipt_html, receipt_pdf

from . import selectors, services
from .api import SELLERS
from .forms import SupervisorPinForm
from .models import CashSession
from .page_strings import page_strings
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
        categories = (
            Category.objects.for_business(business)
            .filter(is_active=True, products__is_active=True)
            .distinct()
            .order_by("sort_order", "name")
        )
        return render(
            request,
            "pos/page.html",
            {
                "business": business,
                "points": points.select_related("establishment"),
                "categories": categories,
                "sellers": roles.has_role(request, SELLERS),
                "back_office": roles.has_role(request, roles.BACK_OFFICE),
                "config": _page_config(request),
                "strings": page_strings(),
                "modules": PAGE_MODULES,
            },
        )


# Preloaded in parallel: the browser would otherwise find them one import at a time.
PAGE_MODULES = [
    f"pos/js/{name}.js"
    for name in (
        "main",
        "i18n",
        "ui",
        "api",
        "store",
        "cart",
        "catalog",
        "payment",
        "till",
        "sales",
    )
]


def _page_config(request) -> dict:
    """What the page's modules need to know, as JSON (json_script)."""
    business = request.business
    return {
        "business": business.pk,
        "user": request.user.pk,
        "role": roles.role_of(request),
        "canVoid": roles.has_role(request, roles.CAN_VOID),
        "finalConsumerLimit": f"{business.final_consumer_limit:.2f}",
        "pricesIncludeTax": business.prices_include_tax,
    }


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


@method_decorator(xframe_options_sameorigin, name="dispatch")
@method_decorator(role_required(roles.ALL), name="dispatch")
class SaleReceiptHtmlView(View):
    """The printable receipt; the POS page prints it in a hidden same-origin frame."""

    def get(self, request, pk):
        data = sale_receipt_data(
            business=request.business, sale=_sale_or_404(request, pk)
        )
        response = HttpResponse(receipt_html(data))
        response["Content-Security-Policy"] = framed_by_self_policy()
        return response


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


@method_decorator(role_required(roles.MANAGERS), name="dispatch")
class SupervisorPinView(View):
    """An owner or manager sets the PIN that authorises a cashier's void,
    return or discount above the maximum (issue 11)."""

    template_name = "pos/supervisor_pin.html"

    def get(self, request):
        return self._render(request, SupervisorPinForm())

    def post(self, request):
        form = SupervisorPinForm(request.POST)
        if form.is_valid():
            try:
                services.supervisor_pin_set(
                    business=request.business,
                    membership=request.membership,
                    pin=form.cleaned_data["pin"],
                )
            except SouthernPOSError as exc:
                form.add_error("pin", exc.message)
            else:
                messages.success(request, _("PIN de supervisor guardado."))
                return redirect("admin:supervisor_pin")
        return self._render(request, form, status=400)

    def _render(self, request, form, status=200):
        from django.contrib import admin

        context = {
            **admin.site.each_context(request),
            "form": form,
            "has_pin": bool(request.membership.pin),
            "back_url": reverse("admin:index"),
        }
        return render(request, self.template_name, context, status=status)
