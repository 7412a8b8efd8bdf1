from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from backoffice.media import media_urlpatterns
from backoffice.tenancy.views import InvitationsView, SignupView

handler403 = "admin_theme.refusals.permission_denied"

urlpatterns = [
    path("", RedirectView.as_view(url="/admin/", permanent=False)),
    path("signup/", SignupView.as_view(), name="signup"),
    path("invitations/", InvitationsView.as_view(), name="invitations"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("pos/", include("pos.urls")),
    path("reports/", include("backoffice.reports.urls")),
    path("admin/", admin.site.urls),
] + media_urlpatterns()  # local uploads, DEBUG or not (S3 serves its own)
