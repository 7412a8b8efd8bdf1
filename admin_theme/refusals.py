"""Friendly refusals: a Spanish page in the back office's look, never a bare 403.

It says who the person is in which business and links to what their role can
use. API paths keep answering JSON (`{"error", "detail", "field"}`).
"""

from django.contrib import admin
from django.http import JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from backoffice.tenancy import roles
from backoffice.tenancy.roles import SELLERS
from backoffice.tenancy.selectors import invitation_list_for_user
from pos.api import API_PREFIXES


def _links(request) -> list[dict]:
    user = request.user
    links = []
    back_office = roles.has_role(request, roles.BACK_OFFICE)
    if user.is_authenticated and (user.is_superuser or back_office):
        links.append({"title": _("Volver al panel"), "url": reverse("admin:index")})
    # Sellers sell at the POS; waiters (no back office) work there.
    if roles.has_role(request, SELLERS) or (roles.role_of(request) and not back_office):
        links.append({"title": _("Ir al POS"), "url": reverse("pos:page")})
    elif user.is_authenticated and invitation_list_for_user(user=user):
        links.append({"title": _("Ver invitaciones"), "url": reverse("invitations")})
    return links


def _explanation(request, *, back_office: bool) -> str:
    membership = getattr(request, "membership", None)
    if membership is None:
        if request.user.is_superuser:
            return _("Esta página es del personal de un negocio.")
        return _("Su cuenta no pertenece a ningún negocio activo.")
    role = membership.get_role_display()
    if back_office:
        return _(
            "Su rol en %(business)s es %(role)s: el back office es para "
            "propietarios, administradores, cajeros y contadores. Trabaje desde el POS."
        ) % {"business": membership.business, "role": role}
    return _(
        "Su rol en %(business)s es %(role)s, que no puede abrir esta página. "
        "Pida acceso al propietario si la necesita."
    ) % {"business": membership.business, "role": role}


def refusal_response(request, *, back_office: bool = False):
    """The 403 page; `back_office` when the whole back office is closed to them."""
    context = {
        **admin.site.each_context(request),
        "title": _("Sin acceso"),
        "explanation": _explanation(request, back_office=back_office),
        "links": _links(request),
    }
    return render(request, "403.html", context, status=403)


def permission_denied(request, exception=None):
    """handler403: every PermissionDenied of the site ends here."""
    if request.path.startswith(API_PREFIXES):
        return JsonResponse(
            {
                "error": "forbidden",
                "detail": _("No tiene permiso para esta acción."),
                "field": None,
            },
            status=403,
        )
    return refusal_response(request)
