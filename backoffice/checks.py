"""Deployment checks of the project's settings: mail, media storage, local HTTP.

They run under `check --deploy` (the fiscal key and SRI schemas are checked
in fiscal.checks). Registered by backoffice.tenancy's AppConfig.ready().
"""

import os
from pathlib import Path

from django.conf import settings
from django.core import checks

DEV_MAIL_BACKENDS = {
    "django.core.mail.backends.console.EmailBackend",
    "django.core.mail.backends.locmem.EmailBackend",
    "django.core.mail.backends.dummy.EmailBackend",
    "django.core.mail.backends.filebased.EmailBackend",
}
S3_BACKEND = "storages.backends.s3.S3Storage"


@checks.register(checks.Tags.security, deploy=True)
def check_email_backend(app_configs=None, **kwargs):
    if settings.EMAIL_BACKEND not in DEV_MAIL_BACKENDS:
        return []
    return [
        checks.Warning(
            f"EMAIL_BACKEND is {settings.EMAIL_BACKEND}: invitations and "
            "electronic invoices e-mailed to customers are never delivered.",
            hint="Set DJANGO_EMAIL_BACKEND=django.core.mail.backends.smtp."
            "EmailBackend and DJANGO_EMAIL_HOST (and DJANGO_EMAIL_PORT, "
            "DJANGO_EMAIL_HOST_USER, DJANGO_EMAIL_HOST_PASSWORD).",
            id="backoffice.W001",
        )
    ]


@checks.register(deploy=True)
def check_media_storage(app_configs=None, **kwargs):
    backend = settings.STORAGES["default"]["BACKEND"]
    if backend == S3_BACKEND:
        return _s3_errors(settings.STORAGES["default"].get("OPTIONS", {}))
    errors = []
    s3_vars = sorted(k for k, v in os.environ.items() if k.startswith("MEDIA_S3") and v)
    if s3_vars:
        errors.append(
            checks.Error(
                f"{', '.join(s3_vars)} set without MEDIA_S3_BUCKET: uploads go "
                "to the local MEDIA_ROOT instead of object storage.",
                hint="Set MEDIA_S3_BUCKET, or remove the MEDIA_S3_* variables.",
                id="backoffice.E002",
            )
        )
    if backend == "django.core.files.storage.FileSystemStorage":
        errors += _local_media_errors(Path(settings.MEDIA_ROOT))
    return errors


def _s3_errors(options: dict) -> list[checks.CheckMessage]:
    missing = []
    if not options.get("bucket_name"):
        missing.append("MEDIA_S3_BUCKET")
    if not (options.get("access_key") or os.environ.get("AWS_ACCESS_KEY_ID")):
        missing.append("MEDIA_S3_ACCESS_KEY_ID")
    if not (options.get("secret_key") or os.environ.get("AWS_SECRET_ACCESS_KEY")):
        missing.append("MEDIA_S3_SECRET_ACCESS_KEY")
    if not missing:
        return []
    return [
        checks.Error(
            f"S3 media storage is configured without {', '.join(missing)}: "
            "uploading a logo or a product image fails.",
            hint="Set the missing variables (see README: Configuration).",
            id="backoffice.E003",
        )
    ]


def _local_media_errors(root: Path) -> list[checks.CheckMessage]:
    existing = root
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent  # FileSystemStorage creates missing folders
    if existing.is_dir() and os.access(existing, os.W_OK | os.X_OK):
        return []
    return [
        checks.Error(
            f"MEDIA_ROOT {root} is not a directory this process can write to: "
            "uploading a logo or a product image fails.",
            hint="Make DJANGO_MEDIA_ROOT a writable directory (a volume shared "
            "by every web process), or use object storage (MEDIA_S3_BUCKET).",
            id="backoffice.E001",
        )
    ]


@checks.register(checks.Tags.security, deploy=True)
def check_insecure_http(app_configs=None, **kwargs):
    if not getattr(settings, "INSECURE_HTTP", False) or settings.DEBUG:
        return []
    return [
        checks.Warning(
            "DJANGO_INSECURE_HTTP=1: session and CSRF cookies lack the Secure "
            "flag and HTTP is not redirected to HTTPS.",
            hint="For local testing of a production build only; unset it "
            "behind a TLS proxy.",
            id="backoffice.W002",
        )
    ]
