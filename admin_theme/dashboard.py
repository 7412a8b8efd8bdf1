"""Dashboard of the back office: the owner's day at a glance."""


def dashboard_callback(request, context):
    business = getattr(request, "business", None)
    if business is None:
        return context
    context["kpis"] = _kpis(business)
    return context


def _kpis(business):
    from backoffice.reports import selectors

    return [
        {"title": k.title, "value": k.value, "footer": k.footer}
        for k in selectors.dashboard_kpis(business=business)
    ]
