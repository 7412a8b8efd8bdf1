"""What a report is: columns of a kind, rows for a period; shared helpers."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from backoffice.formulas import escape_formula

from .. import selectors

ZERO = selectors.ZERO
SCREEN_ROWS = 100

TEXT, INT, MONEY, QTY, PCT, DATE = "text", "int", "money", "qty", "pct", "date"


@dataclass(frozen=True)
class Column:
    label: str
    kind: str = TEXT


@dataclass(frozen=True)
class Report:
    slug: str
    title: str
    description: str
    columns: tuple[Column, ...]
    rows: Callable  # (business, since: date, until: date, options) -> Iterable[tuple]
    total: bool = True  # add a totals row of the numeric columns (not for QTY mixes)


def safe_text(value):
    """A text cell no spreadsheet evaluates as a formula (one rule for all exports)."""
    return escape_formula(value)


def period_args(business, since: date, until: date) -> dict:
    args = {
        "business": business,
        "since": selectors.day_start(since),
        "until": selectors.day_start(until + timedelta(days=1)),
    }
    args["split"] = selectors.period_split(**args)
    return args


def sales_rows(rows, label):
    for r in rows:
        yield (label(r), r["count"], r["base"], r["tax"], r["total"])


SALES_COLUMNS = (
    Column(_("Tickets"), INT),
    Column(_("Subtotal"), MONEY),
    Column(_("IVA"), MONEY),
    Column(_("Total"), MONEY),
)


def user_label(user) -> str:
    return user.get_full_name() or user.get_username()


def user_names(keys) -> dict[str, str]:
    ids = [int(k) for k in keys if str(k).isdigit()]
    users = get_user_model().objects.filter(pk__in=ids) if ids else []
    return {str(u.pk): user_label(u) for u in users}
