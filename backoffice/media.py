"""Uploads (logos, product images) on the local file system, in production too.

With S3 storage the bucket (or its custom domain) serves them and this view is
not routed. Locally, whitenoise cannot serve them (it indexes files at
start-up, and uploads arrive later), and django.views.static.serve is for
development: this view reads through the storage API (whose path() refuses
names outside MEDIA_ROOT), serves only image types inline, and forbids
uploaded content from running scripts.
"""

import mimetypes
import posixpath
import re

from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation
from django.core.files.storage import FileSystemStorage, default_storage, storages
from django.http import FileResponse, Http404
from django.urls import re_path
from django.views.decorators.http import require_safe

INLINE_TYPES = {"image/png", "image/jpeg", "image/webp", "image/gif"}


@require_safe
def media_serve(request, name: str):
    """Serve one uploaded file by its storage name, or 404."""
    name = posixpath.normpath(name).lstrip("/")
    if name.startswith("..") or "\x00" in name:
        raise Http404
    try:
        if not default_storage.exists(name):
            raise Http404
        handle = default_storage.open(name, "rb")
    except (SuspiciousFileOperation, IsADirectoryError, PermissionError, ValueError):
        raise Http404 from None
    content_type, _ = mimetypes.guess_type(name)
    inline = content_type in INLINE_TYPES
    response = FileResponse(
        handle,
        content_type=content_type if inline else "application/octet-stream",
        as_attachment=not inline,
    )
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "public, max-age=86400"
    return response


def media_urlpatterns():
    """The media route when uploads are local and MEDIA_URL is a path on this site."""
    url = settings.MEDIA_URL
    if not isinstance(storages["default"], FileSystemStorage):
        return []
    if not url.startswith("/") or url.startswith("//") or url == "/":
        return []
    prefix = re.escape(url.strip("/"))
    return [re_path(rf"^{prefix}/(?P<name>.+)$", media_serve, name="media")]
