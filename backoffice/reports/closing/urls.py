"""Cierre del mes, mounted under /admin/ (see backoffice/urls.py).

The page wears unfold's shell, whose Alpine.js needs the admin's script policy
(backoffice.headers); under /reports/ the strict policy leaves unfold's modal
overlay covering the page.
"""

from django.urls import path

from . import views

app_name = "closing"
urlpatterns = [
    path("", views.MonthCloseView.as_view(), name="month"),
    path("<str:month>/paquete.zip", views.MonthBundleView.as_view(), name="bundle"),
    path(
        "<str:month>/cerrar/",
        views.MonthCloseActionView.as_view(),
        {"action": "close"},
        name="close",
    ),
    path(
        "<str:month>/reabrir/",
        views.MonthCloseActionView.as_view(),
        {"action": "reopen"},
        name="reopen",
    ),
    path(
        "<str:month>/reenviar/<int:document_id>/",
        views.MonthCloseActionView.as_view(),
        {"action": "resend"},
        name="resend",
    ),
]
