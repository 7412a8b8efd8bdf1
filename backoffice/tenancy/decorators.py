from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied

from . import roles


def role_required(allowed=roles.BACK_OFFICE):
    """Login required, and a role in the current business among `allowed`."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not roles.has_role(request, allowed):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
