from django.urls import path

from . import api, views

app_name = "restaurant"
urlpatterns = [
    path("", views.FloorView.as_view(), name="floor"),
    path("mesa/<int:pk>/", views.OrderView.as_view(), name="order"),
    path("cuenta/<int:pk>/", views.BillView.as_view(), name="bill"),
    path("cuenta/<int:pk>/precuenta", views.PreBillView.as_view(), name="prebill"),
    path("cocina/<int:pk>/", views.KitchenView.as_view(), name="kitchen"),
    path("comandas/<int:pk>/", views.TicketPrintView.as_view(), name="ticket-print"),
    path("api/floor", api.floor, name="api-floor"),
    path("api/menu", api.menu, name="api-menu"),
    path("api/tables/<int:pk>/open", api.table_open, name="api-table-open"),
    path("api/orders/<int:pk>", api.order_detail, name="api-order"),
    path("api/orders/<int:pk>/items", api.item_add, name="api-item-add"),
    path(
        "api/orders/<int:pk>/items/<int:item>", api.item_change, name="api-item-change"
    ),
    path(
        "api/orders/<int:pk>/items/<int:item>/cancel",
        api.item_cancel,
        name="api-item-cancel",
    ),
    path("api/orders/<int:pk>/send", api.order_send, name="api-send"),
    path("api/orders/<int:pk>/move", api.order_move, name="api-move"),
    path("api/orders/<int:pk>/merge", api.order_merge, name="api-merge"),
    path("api/orders/<int:pk>/transfer", api.items_transfer, name="api-transfer"),
    path("api/orders/<int:pk>/bill", api.bill_request, name="api-bill-request"),
    path("api/orders/<int:pk>/release", api.order_release, name="api-release"),
    path("api/orders/<int:pk>/split", api.bill_split, name="api-split"),
    path("api/parts/<int:pk>/pay", api.part_pay, name="api-part-pay"),
    path("api/stations/<int:pk>/tickets", api.station_tickets, name="api-tickets"),
    path("api/tickets/<int:pk>/ready", api.ticket_ready, name="api-ticket-ready"),
]
