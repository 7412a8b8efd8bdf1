"""Security headers Django does not set itself (issue 10, Headers and secrets).

- Content-Security-Policy: no inline script on our own pages (the POS page,
  receipts, sign-up, reports: their scripts are static files). The admin is
  django-unfold, whose templates carry inline scripts and Alpine.js (which
  evaluates its attributes as code), so /admin/ gets a policy that allows
  both; everything else it keeps as tight as ours.
- Permissions-Policy: no camera, microphone, geolocation, payment or USB for
  any page (no feature uses them; barcode scanning is by keyboard wedge).
- Cache-Control: no-store on every page and API answer (receipts, reports, the
  POS API, the admin): they carry a business's data and must not stay in a
  shared till's or a proxy's cache. Static files and uploads keep their own.
"""

from functools import wraps
from urllib.parse import urlsplit

from django.conf import settings
from django.urls import NoReverseMatch, reverse


def _image_sources() -> str:
    """Where images may come from: ours, data: URIs, and the uploads bucket."""
    sources = ["'self'", "data:"]
    s3 = getattr(settings, "MEDIA_S3", {})
    if s3.get("bucket_name"):
        endpoint = s3.get("endpoint_url") or ""
        # Signed bucket URLs or a CDN domain: any HTTPS origin, plus a plain
        # HTTP endpoint such as a local MinIO.
        sources.append("https:")
        if endpoint.startswith("http://"):
            parts = urlsplit(endpoint)
            sources.append(f"{parts.scheme}://{parts.netloc}")
    return " ".join(sources)


def _policy(script_src: str, frame_ancestors: str = "'none'") -> str:
    return "; ".join(
        (
            "default-src 'self'",
            f"script-src {script_src}",
            # Inline style attributes and the brand colour stay: CSS cannot run
            # code, and our templates escape what they print.
            "style-src 'self' 'unsafe-inline'",
            f"img-src {_image_sources()}",
            "font-src 'self' data:",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            f"frame-ancestors {frame_ancestors}",
        )
    )


STRICT_SCRIPTS = "'self'"


def framed_by_self_policy() -> str:
    """Our strict policy for a page that our own pages frame (the POS prints
    receipts in a hidden frame, so no new tab opens)."""
    return _policy(STRICT_SCRIPTS, frame_ancestors="'self'")


ADMIN_SCRIPTS = "'self' 'unsafe-inline' 'unsafe-eval'"  # unfold: inline + Alpine.js
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"


def unfold_policy() -> str:
    """unfold's script policy (inline scripts and Alpine.js), as /admin/ has."""
    return _policy(ADMIN_SCRIPTS)


def unfold_layout(view):
    """A page outside /admin/ rendered with unfold's layout (the reports) runs
    Alpine.js like the admin: it gets unfold's script policy. Under the strict
    one Alpine never starts, and unfold's hidden overlays cover the page and
    take every click."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response["Content-Security-Policy"] = unfold_policy()
        return response

    return wrapper


def _admin_prefix() -> str:
    try:
        return reverse("admin:index")
    except NoReverseMatch:  # a URLconf without the admin (some tests): no admin page
        return "\0"


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.strict = _policy(STRICT_SCRIPTS)
        self.admin = _policy(ADMIN_SCRIPTS)
        self.own_cache = tuple(
            url for url in (settings.STATIC_URL, settings.MEDIA_URL) if url
        )

    def __call__(self, request):
        response = self.get_response(request)
        admin = request.path.startswith(_admin_prefix())
        response.setdefault(
            "Content-Security-Policy", self.admin if admin else self.strict
        )
        response.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        if not request.path.startswith(self.own_cache) and "no-store" not in (
            response.get("Cache-Control", "")
        ):
            response["Cache-Control"] = "no-store"
        return response
