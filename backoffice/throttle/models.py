from django.db import models
from django.utils import timezone


class Attempt(models.Model):
    """One counted attempt (a failed login, a sign-up, a reset request…).

    Not tenant data: the public pages have no business. The key (an account
    name, an IP address, an e-mail) is stored as a keyed hash, never in clear.
    Rows are only inserted and counted, so concurrent requests never lose one.
    """

    scope = models.CharField(max_length=32)
    key = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(
                fields=["scope", "key", "created_at"], name="throttle_scope_key_at"
            ),
            models.Index(fields=["created_at"], name="throttle_created_at"),
        ]

    def __str__(self):
        return f"{self.scope} · {self.created_at:%Y-%m-%d %H:%M}"
