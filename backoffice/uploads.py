"""Request bodies are bounded before Django reads them (issue 10).

The largest legitimate upload is a 5 MB spreadsheet or image; Django would
otherwise stream a 100 MB body to a temporary file before any form could say
no. The reverse proxy's own limit (client_max_body_size) comes first in
production; this one holds wherever the app runs.
"""

from django.conf import settings
from django.http import HttpResponse
from django.utils.translation import gettext as _

MAX_REQUEST_BODY = 10 * 1024 * 1024


class RequestSizeLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        limit = getattr(settings, "MAX_REQUEST_BODY", MAX_REQUEST_BODY)
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > limit:
            return HttpResponse(
                _("El archivo o formulario enviado pesa más de %(mb)s MB.")
                % {"mb": limit // (1024 * 1024)},
                status=413,
                content_type="text/plain; charset=utf-8",
            )
        return self.get_response(request)
