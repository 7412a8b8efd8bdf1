from django.apps import AppConfig
from django.contrib.admin.apps import AdminConfig


class AdminThemeConfig(AppConfig):
    name = "admin_theme"
    verbose_name = "Admin theme"

    def ready(self):
        from .labels import label_unnamed_fields

        label_unnamed_fields()


class SouthernAdminConfig(AdminConfig):
    """django.contrib.admin, with our tenant-aware unfold site as admin.site."""

    default_site = "admin_theme.sites.SouthernAdminSite"
