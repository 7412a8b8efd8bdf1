from django.contrib.auth.models import AbstractBaseUser

from .context import system_context
from .models import Membership


def _memberships_of(user, *, accepted: bool):
    return Membership.unscoped_objects.filter(
        user=user,
        is_active=True,
        accepted_at__isnull=not accepted,
        business__is_active=True,
    ).select_related("business")


def membership_list_for_user(*, user: AbstractBaseUser) -> list[Membership]:
    """A user's active memberships across businesses (for login and switching)."""
    with system_context():
        return list(
            _memberships_of(user, accepted=True).order_by("business__razon_social")
        )


def membership_active_for(*, user, business_id) -> Membership | None:
    """The membership the user works in: the chosen one, else the first."""
    with system_context():
        qs = _memberships_of(user, accepted=True)
        if business_id:
            chosen = qs.filter(business_id=business_id).first()
            if chosen:
                return chosen
        return qs.order_by("business__razon_social", "pk").first()


def invitation_list_for_user(*, user: AbstractBaseUser) -> list[Membership]:
    """Memberships other businesses offered this person, not accepted yet."""
    if not user.is_authenticated:
        return []
    with system_context():
        return list(_memberships_of(user, accepted=False).order_by("created_at"))
