from django.urls import path

from . import views
from .closing import views as closing

app_name = "reports"
urlpatterns = [
    path("", views.ReportIndexView.as_view(), name="index"),
    # Before "<slug>/", which would take "cierre" for a report's slug.
    path("cierre/", closing.MonthCloseView.as_view(), name="close"),
    path(
        "cierre/<str:month>/paquete.zip",
        closing.MonthBundleView.as_view(),
        name="close_bundle",
    ),
    path(
        "cierre/<str:month>/cerrar/",
        closing.MonthCloseActionView.as_view(),
        {"action": "close"},
        name="close_close",
    ),
    path(
        "cierre/<str:month>/reabrir/",
        closing.MonthCloseActionView.as_view(),
        {"action": "reopen"},
        name="close_reopen",
    ),
    path(
        "cierre/<str:month>/reenviar/<int:document_id>/",
        closing.MonthCloseActionView.as_view(),
        {"action": "resend"},
        name="close_resend",
    ),
    path("<slug:slug>/", views.ReportTableView.as_view(), name="report"),
]
