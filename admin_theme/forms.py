"""Login form of the back office.

Django's admin login only admits `is_staff` users. In SouthernPOS a person's
rights come from their role in a business, so the form admits any active user
who has an active membership (or is platform staff); what they may open is
decided afterwards by the site's `has_permission` and each admin's roles.
"""

from django.contrib.auth.forms import AuthenticationForm
from unfold.forms import AuthenticationForm as UnfoldAuthenticationForm

from backoffice.tenancy.selectors import (
    invitation_list_for_user,
    membership_list_for_user,
)


class BackOfficeAuthenticationForm(UnfoldAuthenticationForm):
    def confirm_login_allowed(self, user):
        # Skip the admin's is_staff rule; keep the inactive-user rule.
        AuthenticationForm.confirm_login_allowed(self, user)
        if user.is_superuser:
            return
        # A pending invitation is enough to come in and answer it. Without a
        # business, the same words as a wrong password: a deactivated member
        # must not learn that the password was right.
        if not membership_list_for_user(user=user) and not invitation_list_for_user(
            user=user
        ):
            raise self.get_invalid_login_error()
