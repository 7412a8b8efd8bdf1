"""Dashboard of the back office: the owner's day at a glance."""

from django.utils.translation import gettext as _


def dashboard_callback(request, context):
    business = getattr(request, "business", None)
    if business is None:
        return context
    context["kpis"] = _kpis(business)
    return context


def _kpis(business):
    from backoffice.reports import selectors

    return [
        {"title": _(k.title), "value": k.value, "footer": k.footer}
        for k in selectors.dashboard_kpis(business=business)
    ]
