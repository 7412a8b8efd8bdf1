"""Login form of the back office.

Django's admin login only admits `is_staff` users. In SouthernPOS a person's
rights come from their role in a business, so the form admits any active user
who has an active membership (or is platform staff); what they may open is
decided afterwards by the site's `has_permission` and each admin's roles.

Wrong passwords are counted per account name and per client address
(backoffice.throttle); past the limit the form refuses before checking the
password, with words that do not say whether the account exists.
"""

from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from unfold.forms import AuthenticationForm as UnfoldAuthenticationForm

from backoffice.tenancy.selectors import (
    invitation_list_for_user,
    membership_list_for_user,
)
from backoffice.throttle import services as throttle

LOCKED = "locked"


class BackOfficeAuthenticationForm(UnfoldAuthenticationForm):
    def clean(self):
        username = self.cleaned_data.get("username") or ""
        keys = throttle.login_keys(self.request, username)
        if wait := throttle.wait_for(keys):
            raise ValidationError(
                _(
                    "Demasiados intentos; espere %(minutes)d minutos o pida al "
                    "dueño del negocio que lo desbloquee."
                )
                % {"minutes": throttle.minutes(wait)},
                code=LOCKED,
            )
        try:
            cleaned = super().clean()
        except ValidationError:
            throttle.hit(keys)
            raise
        if self.user_cache is not None:  # signed in: the account starts afresh
            throttle.clear(throttle.LOGIN_ACCOUNT, [username])
        return cleaned

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

    def is_locked(self) -> bool:
        return self.has_error("__all__", LOCKED)
