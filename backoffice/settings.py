"""SouthernPOS settings: everything from the environment, safe development defaults."""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

DEV_SECRET_KEY = "dev-insecure-southernpos-key-change-me"


def env_bool(name: str, default: bool) -> bool:
    return os.environ.get(name, "1" if default else "0").lower() in {"1", "true", "yes"}


def env_list(name: str, default: str = "") -> list[str]:
    return [v.strip() for v in os.environ.get(name, default).split(",") if v.strip()]


DEBUG = env_bool("DJANGO_DEBUG", True)
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", DEV_SECRET_KEY)
if not DEBUG and SECRET_KEY == DEV_SECRET_KEY:
    raise ImproperlyConfigured("Set DJANGO_SECRET_KEY: production refuses the dev key.")

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")
# The POS API answers a CSRF failure in its JSON error shape (pos.api.csrf_failure).
CSRF_FAILURE_VIEW = "pos.api.csrf_failure"

INSTALLED_APPS = [
    "unfold.apps.BasicAppConfig",
    "unfold.contrib.filters",
    "unfold.contrib.forms",
    "unfold.contrib.import_export",
    "unfold.contrib.simple_history",
    "admin_theme.apps.AdminThemeConfig",
    "admin_theme.apps.SouthernAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "import_export",
    "simple_history",
    "django_tasks",
    "django_tasks_db",
    "backoffice.tenancy",
    "backoffice.throttle",
    "backoffice.catalog",
    "backoffice.customers",
    "backoffice.inventory",
    "backoffice.reports",
    "fiscal",
    "pos",
    "pos.restaurant.apps.RestaurantConfig",
    "fixtures",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "backoffice.headers.SecurityHeadersMiddleware",  # CSP, Permissions-Policy, no-store
    "backoffice.uploads.RequestSizeLimitMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "backoffice.tenancy.middleware.TenantMiddleware",
    "backoffice.tenancy.session_limits.PosSessionLimitMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "backoffice.admin_lookups.AdminDateLookupMiddleware",
]

ROOT_URLCONF = "backoffice.urls"
WSGI_APPLICATION = "backoffice.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "admin_theme" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ]
        },
    }
]

# --- Database -------------------------------------------------------------------
# SQLite by default (embedded, zero set-up); PostgreSQL through DATABASE_URL.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}", conn_max_age=0
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
else:
    # Our backend keeps the row-level-security setting in step with the tenant.
    DATABASES["default"]["ENGINE"] = "backoffice.tenancy.pgbackend"
    DATABASES["default"]["CONN_MAX_AGE"] = int(
        os.environ.get("DJANGO_CONN_MAX_AGE", 60)
    )
    # The app runs as a role that cannot bypass row-level security, even when the
    # connection logs in as a superuser (see README: PostgreSQL).
    options = DATABASES["default"].setdefault("OPTIONS", {})
    if role := os.environ.get("DATABASE_ROLE"):
        options["assume_role"] = role
    # Server-side parameters and prepared statements (psycopg prepares a query
    # on its 5th run): the checkout's statements repeat on every sale, and
    # planning them (row-level security included) was a third of their time.
    # Needs a session-mode pooler, like the row-level-security setting does.
    if env_bool("DATABASE_PREPARED_STATEMENTS", True):
        options["server_side_binding"] = True
        options["prepare_threshold"] = 5
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": f"django.contrib.auth.password_validation.{name}"}
    for name in (
        "UserAttributeSimilarityValidator",
        "MinimumLengthValidator",
        "CommonPasswordValidator",
        "NumericPasswordValidator",
    )
]
# Behind n reverse proxies that each append to X-Forwarded-For, the client's
# address (for login and sign-up limits) is the n-th from the right; 0 (no
# proxy) uses REMOTE_ADDR and ignores the header, which the client can forge.
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", 0))
LOGIN_URL = "admin:login"
LOGIN_REDIRECT_URL = "admin:index"

# --- Locale ---------------------------------------------------------------------
LANGUAGE_CODE = "es-ec"
LANGUAGES = [("es-ec", _("Español (Ecuador)")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "America/Guayaquil"
USE_I18N = True
USE_TZ = True
CURRENCY = "USD"

# --- Static and media -------------------------------------------------------------
STATIC_URL = os.environ.get("DJANGO_STATIC_URL", "/static/")
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT", BASE_DIR / "staticfiles"))
MEDIA_URL = os.environ.get("DJANGO_MEDIA_URL", "/media/")
MEDIA_ROOT = Path(os.environ.get("DJANGO_MEDIA_ROOT", BASE_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Uploads (logos, product images), issue 9 §3: S3-compatible object storage
# through django-storages when MEDIA_S3_BUCKET is set (any provider: AWS, R2,
# MinIO, DigitalOcean Spaces), else the local MEDIA_ROOT, served under MEDIA_URL
# by backoffice.media (whitenoise only serves files present at start-up).
MEDIA_S3 = {
    "bucket_name": os.environ.get("MEDIA_S3_BUCKET", ""),
    "endpoint_url": os.environ.get("MEDIA_S3_ENDPOINT_URL", ""),
    "region_name": os.environ.get("MEDIA_S3_REGION", ""),
    "access_key": os.environ.get("MEDIA_S3_ACCESS_KEY_ID", ""),
    "secret_key": os.environ.get("MEDIA_S3_SECRET_ACCESS_KEY", ""),
    "custom_domain": os.environ.get("MEDIA_S3_CUSTOM_DOMAIN", ""),
    "location": os.environ.get("MEDIA_S3_PREFIX", ""),
}
if MEDIA_S3["bucket_name"]:
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            **{k: v for k, v in MEDIA_S3.items() if v},
            # Same-named uploads of two businesses must never replace each other.
            "file_overwrite": False,
            "signature_version": "s3v4",  # what AWS, R2 and MinIO all accept
            # A private bucket answers signed URLs; a public custom domain plain ones.
            "querystring_auth": env_bool(
                "MEDIA_S3_SIGNED_URLS", not MEDIA_S3["custom_domain"]
            ),
        },
    }
# Development (and tests) serve static files without collectstatic.
WHITENOISE_AUTOREFRESH = DEBUG
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- Security (production values whenever DEBUG is off) ---------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_ENGINE = "backoffice.tenancy.sessions"  # Django's db sessions, read by hand
# ModelBackend, with the per-request user read by hand (backoffice/tenancy/auth.py).
AUTHENTICATION_BACKENDS = ["backoffice.tenancy.auth.MemberBackend"]
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", 31536000))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

# --- Local HTTP with DEBUG off (issue 9 §3): for testing a production build on
# http://127.0.0.1 only. Cookies lose their Secure flag and nothing redirects to
# HTTPS; `check --deploy` warns while it is on. Behind a TLS proxy: never set it.
INSECURE_HTTP = env_bool("DJANGO_INSECURE_HTTP", False)
if not DEBUG and INSECURE_HTTP:
    SECURE_SSL_REDIRECT = False
    SESSION_COOKIE_SECURE = False
    CSRF_COOKIE_SECURE = False

# --- Background tasks (django-tasks, database backend: no extra server) ----------
TASKS = {
    "default": {
        "BACKEND": os.environ.get(
            "DJANGO_TASKS_BACKEND", "fiscal.queue.DatabaseBackend"
        )
    }
}

EMAIL_BACKEND = os.environ.get(
    "DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = os.environ.get(
    "DJANGO_DEFAULT_FROM_EMAIL", "no-reply@southernpos.ec"
)
# SMTP (issue 9 §3): `check --deploy` warns while mail goes to the console.
EMAIL_HOST = os.environ.get("DJANGO_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("DJANGO_EMAIL_PORT", 587))
EMAIL_HOST_USER = os.environ.get("DJANGO_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("DJANGO_EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("DJANGO_EMAIL_USE_TLS", True)

# --- SRI ------------------------------------------------------------------------
# Our own SRI schemas (fiscal/sri/xsd) unless SRI_XSD_DIR names a directory with
# the official ones (same file names). The WSDLs are only documentation.
SRI_XSD_DIR = os.environ.get("SRI_XSD_DIR") or str(BASE_DIR / "fiscal" / "sri" / "xsd")
SRI_WSDL_DIR = os.environ.get("SRI_WSDL_DIR", "")
FISCAL_CERT_KEY = os.environ.get("FISCAL_CERT_KEY", "")
# PEM bundle of the accredited certification authorities (BCE, Security Data…):
# a signing certificate they issued for a business's RUC verifies that RUC.
# Empty: only platform staff verify RUCs.
RUC_VERIFY_CA_FILE = os.environ.get("RUC_VERIFY_CA_FILE", "")
# Development and the demo sign documents but never reach the SRI (their
# certificates are throw-away); production sends unless told otherwise.
SRI_SEND_ENABLED = env_bool("SRI_SEND_ENABLED", not DEBUG)
SRI_BASE_URL = os.environ.get("SRI_BASE_URL", "")
SRI_TIMEOUT = int(os.environ.get("SRI_TIMEOUT", 20))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {
        "handlers": ["console"],
        "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO"),
    },
}

from admin_theme.unfold_config import UNFOLD  # noqa: E402, F401
