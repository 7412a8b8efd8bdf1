"""Stock ledger writes. Every change is a StockMove plus an F() update of levels."""

from .documents import (
    CountResult,
    LineInput,
    stock_adjust,
    stock_count_book,
    stock_document_post,
    stock_receive,
    stock_transfer,
)
from .ledger import (
    InsufficientStockError,
    MoveInput,
    StockOperationError,
    stock_initial_load,
    stock_moves_apply,
)

__all__ = [
    "CountResult",
    "InsufficientStockError",
    "LineInput",
    "MoveInput",
    "StockOperationError",
    "stock_adjust",
    "stock_count_book",
    "stock_document_post",
    "stock_initial_load",
    "stock_moves_apply",
    "stock_receive",
    "stock_transfer",
]
