from django.contrib.auth import login
from django.db import IntegrityError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View

from .forms import SignupForm
from .middleware import SESSION_KEY
from .services import business_register


class SignupView(View):
    template_name = "tenancy/signup.html"

    def get(self, request):
        return render(request, self.template_name, {"form": SignupForm()})

    def post(self, request):
        form = SignupForm(request.POST)
        if not form.is_valid():
            return render(request, self.template_name, {"form": form}, status=400)
        try:
            user, business = business_register(**form.cleaned_data)
        except IntegrityError:
            # Someone registered the same RUC or e-mail a moment ago.
            form.add_error(
                None, _("Este RUC o correo acaba de ser registrado. Revise los datos.")
            )
            return render(request, self.template_name, {"form": form}, status=400)
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        request.session[SESSION_KEY] = business.pk
        return redirect("admin:index")
