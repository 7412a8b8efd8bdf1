"""What a checkout answers: the sale and the rows posted with it.

`sale_post` returns a `PostedSale` built from the rows it has just inserted,
so the API answer and the SRI factura read them without querying again and
without touching Django's private relation caches. A replayed request (same
idempotency key) gets the stored sale, read back with its rows.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..models import Payment, Sale, SaleLine, SaleTax


@dataclass(frozen=True, slots=True)
class PostedSale:
    sale: Sale
    lines: tuple[SaleLine, ...]
    taxes: tuple[SaleTax, ...]
    payments: tuple[Payment, ...]
    replayed: bool = False
    voided: bool = False

    @classmethod
    def of(cls, sale: Sale, *, replayed: bool = False) -> PostedSale:
        """A stored sale with its rows (prefetched by `selectors.sale_get`)."""
        return cls(
            sale=sale,
            lines=tuple(sorted(sale.lines.all(), key=lambda line: line.position)),
            taxes=tuple(sale.taxes.all()),
            payments=tuple(sale.payments.all()),
            replayed=replayed,
            voided=hasattr(sale, "void"),
        )
