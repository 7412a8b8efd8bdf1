"""Writes of the counter. Import from here: `from pos.services import sale_post`."""

from .cash import cash_movement_add, cash_session_close, cash_session_open
from .checkout import LineIn, PaymentIn, cart_price, sale_post, sale_quote
from .discounts import OrderDiscount
from .pins import supervisor_authorize, supervisor_pin_set
from .posted import PostedSale
from .returns import ReturnLineIn, sale_return
from .voids import sale_void, void_authorizer

__all__ = [
    "LineIn",
    "OrderDiscount",
    "PaymentIn",
    "PostedSale",
    "ReturnLineIn",
    "cart_price",
    "cash_movement_add",
    "cash_session_close",
    "cash_session_open",
    "sale_post",
    "sale_quote",
    "sale_return",
    "sale_void",
    "supervisor_authorize",
    "supervisor_pin_set",
    "void_authorizer",
]
