"""Hooks for other apps (SRI e-invoicing, printing), sent after the commit.

Receivers run only once the sale or void is durably stored, and a failing
receiver never undoes it (they are sent with `robust=True` semantics by the
on_commit callback). Kwargs: `sale` (pos.Sale) / `void` (pos.Void).
A receiver that hands work to a background task passes the business along
(`sale.business_id`): the worker has no tenant in context.
"""

from django.dispatch import Signal

sale_posted = Signal()  # kwargs: sale
sale_voided = Signal()  # kwargs: void
