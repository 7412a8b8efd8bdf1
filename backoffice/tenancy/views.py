from django.contrib.auth import login
from django.shortcuts import redirect, render
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
        user, business = business_register(**form.cleaned_data)
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        request.session[SESSION_KEY] = business.pk
        return redirect("admin:index")
