from django.shortcuts import redirect
from django.utils.decorators import method_decorator
from django.views import View

from backoffice.tenancy import roles
from backoffice.tenancy.decorators import role_required


@method_decorator(role_required(roles.READERS), name="dispatch")
class ReportIndexView(View):
    def get(self, request):
        return redirect("admin:index")
