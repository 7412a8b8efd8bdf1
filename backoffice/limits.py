"""What SouthernPOS accepts from the outside, in one place (issue 9 §4).

Every value that reaches the database is checked against these at the edge (the
POS API's body parser, the look-ups, report forms, admin filters), so hostile or
mistyped input is a 4xx naming the field, never an overflow in the database.
Documented in docs/pos-api.md ("Limits").
"""

from datetime import date
from decimal import Decimal

# Money columns are DecimalField(max_digits=14, decimal_places=2).
MONEY_DECIMALS = 2
MONEY_INTEGER_DIGITS = 12
MAX_MONEY = Decimal("999999999999.99")

# Quantities are DecimalField(max_digits=14, decimal_places=6): 8 integer digits.
QUANTITY_DECIMALS = 6
MAX_QUANTITY = Decimal("99999999.999999")

# A sale's document total: far below the money columns, far above any real sale.
MAX_SALE_TOTAL = Decimal("999999999.99")

MAX_LINES = 500  # lines per sale
MAX_MODIFIERS = 20  # modifier options per line
MAX_PAYMENTS = 20  # payments per sale
MAX_ID = 2**63 - 1  # BigAutoField

MAX_TEXT = 300  # reasons, notes, names (CharField max_length=300)
MAX_REFERENCE = 120  # payment reference
MAX_QUERY = 100  # `?q=` of the look-ups

MAX_BODY_BYTES = 512 * 1024  # a 500-line sale is ~60 KB
MAX_JSON_DEPTH = 16  # a sale body nests 4 levels

# Dates typed into reports and admin filters.
MIN_DATE = date(1900, 1, 1)
MAX_DATE = date(2199, 12, 31)


def is_id(value) -> bool:
    """Whether `value` can be a row's id: an int (not a bool) in BigAutoField's
    range. Hand-written reads check it before binding a value from a session
    or a body, so a bad one is "not found", never a database error."""
    return (
        isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_ID
    )
