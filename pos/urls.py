from django.urls import path

from . import api, api_lookups, api_reports, api_sales, views

app_name = "pos"
urlpatterns = [
    path("", views.PosPageView.as_view(), name="page"),
    path("supervisor-pin/", views.SupervisorPinView.as_view(), name="supervisor-pin"),
    path("api/sales", api_sales.sales, name="api-sales"),
    path("api/sales/quote", api.sale_quote, name="api-sale-quote"),
    path("api/sales/<int:pk>", api.sale_detail, name="api-sale"),
    path("api/sales/<int:pk>/void", api.sale_void, name="api-sale-void"),
    path(
        "api/sales/<int:pk>/returns",
        api_sales.sale_return_create,
        name="api-sale-returns",
    ),
    path("api/products", api_lookups.product_list, name="api-products"),
    path("api/categories", api_lookups.category_list, name="api-categories"),
    path("api/supervisor-pin", api.supervisor_pin, name="api-supervisor-pin"),
    path("api/customers", api_lookups.customer_list, name="api-customers"),
    path(
        "api/customers/new",
        api_lookups.customer_create,
        name="api-customer-create",
    ),
    path("api/cash-sessions", api.cash_sessions, name="api-cash-sessions"),
    path(
        "api/cash-sessions/<int:pk>/movements",
        api.cash_movement_create,
        name="api-cash-movements",
    ),
    path(
        "api/cash-sessions/<int:pk>/x-report",
        api_reports.cash_session_x_report,
        name="api-cash-x-report",
    ),
    path(
        "api/cash-sessions/<int:pk>/close",
        api.cash_session_close,
        name="api-cash-close",
    ),
    path(
        "sales/<int:pk>/receipt.pdf",
        views.SaleReceiptPdfView.as_view(),
        name="sale-receipt-pdf",
    ),
    path(
        "sales/<int:pk>/receipt",
        views.SaleReceiptHtmlView.as_view(),
        name="sale-receipt-html",
    ),
    path(
        "cash-sessions/<int:pk>/report.pdf",
        views.CashReportView.as_view(),
        name="cash-report",
    ),
]
