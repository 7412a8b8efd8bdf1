from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView

from backoffice.media import media_urlpatterns
from backoffice.tenancy import password_views as passwords
from backoffice.tenancy import views as tenancy

handler403 = "admin_theme.refusals.permission_denied"


class FaviconView(RedirectView):
    """Pages that name no icon (a receipt opened in a tab, say) make the
    browser ask for /favicon.ico: the icon the pages name."""

    permanent = False  # the static file's name changes with its content

    def get_redirect_url(self, *args, **kwargs):
        return static("admin_theme/favicon.svg")


urlpatterns = [
    path("", RedirectView.as_view(url="/admin/", permanent=False)),
    path("favicon.ico", FaviconView.as_view()),
    path("signup/", tenancy.SignupView.as_view(), name="signup"),
    path(
        "signup/confirm/<str:token>/",
        tenancy.SignupConfirmView.as_view(),
        name="signup_confirm",
    ),
    path("signup/ruc/", tenancy.RucDisputeView.as_view(), name="ruc_dispute"),
    path("invitations/", tenancy.InvitationsView.as_view(), name="invitations"),
    path(
        "invitations/<str:token>/",
        tenancy.InvitationAcceptView.as_view(),
        name="invitation_accept",
    ),
    # Before admin/ so the admin's catch-all does not take them; the login page
    # links `admin_password_reset`.
    path(
        "admin/password_reset/",
        passwords.PasswordResetView.as_view(),
        name="admin_password_reset",
    ),
    path(
        "admin/password_reset/done/",
        passwords.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "reset/<uidb64>/<token>/",
        passwords.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "reset/done/",
        passwords.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path(
        "account/password/",
        passwords.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "account/password/done/",
        passwords.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("i18n/", include("django.conf.urls.i18n")),
    path("pos/mesas/", include("pos.restaurant.urls")),
    path("pos/", include("pos.urls")),
    path("reports/", include("backoffice.reports.urls")),
    # Before the admin's own patterns, whose "<app_label>/" would take it.
    path("admin/cierre/", include("backoffice.reports.closing.urls")),
    path("admin/", admin.site.urls),
] + media_urlpatterns()  # local uploads, DEBUG or not (S3 serves its own)
