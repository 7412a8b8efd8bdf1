from django.shortcuts import render
from django.utils.decorators import method_decorator
from django.views import View

from backoffice.tenancy import roles
from backoffice.tenancy.decorators import role_required


@method_decorator(role_required(roles.ALL), name="dispatch")
class PosPageView(View):
    def get(self, request):
        return render(request, "pos/page.html", {"business": request.business})
