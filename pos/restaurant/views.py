"""Pages of restaurant mode: floor, order, bill, kitchen display, printables."""

from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.csrf import ensure_csrf_cookie

from backoffice.tenancy import roles
from backoffice.tenancy.decorators import role_required
from backoffice.tenancy.models import EmissionPoint

from . import selectors
from .api import FLOOR, _may_charge
from .models import KitchenTicket, Order, Station, Table


def _page(request, template, **context):
    business = request.business
    context.update(
        business=business,
        stations=Station.objects.filter(business=business),
        back_office=roles.has_role(request, roles.BACK_OFFICE),
        may_charge=_may_charge(request),
    )
    return render(request, f"restaurant/{template}", context)


@method_decorator(ensure_csrf_cookie, name="dispatch")
@method_decorator(role_required(FLOOR), name="dispatch")
class FloorView(View):
    def get(self, request):
        return _page(request, "floor.html")


@method_decorator(ensure_csrf_cookie, name="dispatch")
@method_decorator(role_required(FLOOR), name="dispatch")
class OrderView(View):
    def get(self, request, pk):
        table = Table.objects.filter(business=request.business, pk=pk).first()
        if table is None:
            raise Http404
        return _page(request, "order.html", table=table)


@method_decorator(ensure_csrf_cookie, name="dispatch")
@method_decorator(role_required(FLOOR), name="dispatch")
class BillView(View):
    def get(self, request, pk):
        order = _order(request, pk)
        points = EmissionPoint.objects.filter(
            business=request.business, is_active=True
        ).select_related("establishment")
        return _page(request, "bill.html", order=order, points=points)


@method_decorator(ensure_csrf_cookie, name="dispatch")
@method_decorator(role_required(FLOOR), name="dispatch")
class KitchenView(View):
    def get(self, request, pk):
        station = Station.objects.filter(business=request.business, pk=pk).first()
        if station is None:
            raise Http404
        return _page(request, "kitchen.html", station=station)


def _order(request, pk) -> Order:
    order = (
        Order.objects.filter(business=request.business, pk=pk)
        .select_related("table")
        .first()
    )
    if order is None:
        raise Http404
    return order


@method_decorator(role_required(FLOOR), name="dispatch")
class TicketPrintView(View):
    """The 80 mm kitchen ticket (HTML print)."""

    def get(self, request, pk):
        ticket = (
            KitchenTicket.objects.filter(business=request.business, pk=pk)
            .select_related("station", "sent_by")
            .first()
        )
        if ticket is None:
            raise Http404
        return render(
            request,
            "restaurant/ticket_print.html",
            {"ticket": selectors.ticket_json(ticket), "station": ticket.station},
        )


@method_decorator(role_required(FLOOR), name="dispatch")
class PreBillView(View):
    """The pre-cuenta (HTML print, 80 mm): not a tax document."""

    def get(self, request, pk):
        order = _order(request, pk)
        state = selectors.order_state(business=request.business, order=order)
        state["items"] = [i for i in state["items"] if i["state"] != "cancelled"]
        return render(
            request,
            "restaurant/prebill.html",
            {
                "business": request.business,
                "order": state,
                "now": timezone.localtime(),
                "rate": request.business.service_charge_rate,
            },
        )
