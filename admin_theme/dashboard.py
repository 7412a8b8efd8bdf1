"""Dashboard of the back office: the owner's day at a glance."""

from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

MAX_DAYS = 366


class DashboardPeriodForm(forms.Form):
    since = forms.DateField(label=_("Desde"), required=False)
    until = forms.DateField(label=_("Hasta"), required=False)
    establishment = forms.TypedChoiceField(
        label=_("Establecimiento"), required=False, coerce=int, empty_value=None
    )

    def __init__(self, *args, establishments=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["establishment"].choices = [
            ("", _("Todos")),
            *((e.pk, f"{e.code} {e.name}".strip()) for e in establishments),
        ]

    def clean(self):
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            raise forms.ValidationError(_("La fecha «desde» es posterior a «hasta»."))
        if since and until and (until - since).days >= MAX_DAYS:
            raise forms.ValidationError(
                _("El período puede tener como máximo %(n)d días.") % {"n": MAX_DAYS}
            )
        return data


def dashboard_callback(request, context):
    business = getattr(request, "business", None)
    if business is None:
        return context
    from backoffice.reports.dashboard import dashboard
    from backoffice.tenancy import roles

    if not roles.has_role(request, roles.READERS):
        context["kpis_hidden"] = True
        return context
    from backoffice.tenancy.models import Establishment

    today = timezone.localdate()
    places = list(Establishment.objects.for_business(business).order_by("code"))
    form = DashboardPeriodForm(request.GET or None, establishments=places)
    since = until = place = None
    if form.is_bound and form.is_valid():
        until = form.cleaned_data.get("until") or today
        since = form.cleaned_data.get("since") or until
        place = form.cleaned_data.get("establishment")
    board = dashboard(business=business, since=since, until=until, establishment=place)
    context.update(
        {
            "board": board,
            "period_form": form,
            # The selector shows when there is a choice to make.
            "establishments": places if len(places) > 1 else [],
            "establishment": place,
            "place_query": f"&establishment={place}" if place else "",
            "kpis": board.cards,
            "charts": board.charts,
            "chart_list": [
                ("products", _("Los 10 productos más vendidos (base)"), "bar", 1),
                ("payments", _("Formas de pago"), "doughnut", 0),
                ("cashiers", _("Ventas por cajero"), "bar", 1),
                ("establishments", _("Ventas por establecimiento"), "bar", 1),
            ],
            "quick_periods": [
                (_("Hoy"), today, today),
                (_("Ayer"), today - timedelta(days=1), today - timedelta(days=1)),
                (_("7 días"), today - timedelta(days=6), today),
                (_("30 días"), today - timedelta(days=29), today),
                (_("Este mes"), today.replace(day=1), today),
            ],
        }
    )
    return context
