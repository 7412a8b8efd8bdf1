"""Hooks for other apps (SRI e-invoicing, printing), sent after the commit.

Receivers run only once the sale or void is durably stored, and a failing
receiver never undoes it (they are sent with `robust=True` semantics by the
on_commit callback). Kwargs: `sale` (pos.Sale) / `void` (pos.Void).
A receiver that hands work to a background task passes the business along
(`sale.business_id`): the worker has no tenant in context.
"""

from django.dispatch import Signal
from django.utils import timezone

sale_posted = Signal()  # kwargs: sale
sale_voided = Signal()  # kwargs: void

# Sent INSIDE the transaction (not after commit) when a sale posted late or a void
# changes the figures of a past day, so derived data (the reports' daily
# roll-ups) is corrected atomically with the change. A failing receiver rolls the
# change back. Kwargs: business, at (the sale's posted_at).
past_day_changed = Signal()


def past_day_change(*, sender, business, at) -> None:
    """Send `past_day_changed` if `at` falls on a day before today (local time)."""
    if timezone.localtime(at).date() < timezone.localdate():
        past_day_changed.send(sender=sender, business=business, at=at)
