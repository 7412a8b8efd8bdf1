"""Document dataclasses to and from JSON-safe dicts.

Stored with each ElectronicDocument so a returned document can be corrected
and rebuilt (fix-and-resend) and its RIDE re-printed without the sale.
Decimals travel as strings, dates as ISO text: nothing passes through float.
"""

from dataclasses import fields, is_dataclass
from datetime import date
from decimal import Decimal

from .documents import Buyer, CreditNote, Invoice, Issuer, Line, Payment

_KINDS = {"invoice": Invoice, "credit_note": CreditNote}
_NESTED = {"issuer": Issuer, "buyer": Buyer}
_SEQUENCES = {"lines": Line, "payments": Payment}
_DATES = {"fecha", "modified_date"}


_NAMES: dict[type, tuple[str, ...]] = {}  # a dataclass's field names, read once
_AS_IS = (str, int, bool, type(None))


def _plain(value):
    kind = type(value)
    if kind in _AS_IS:  # most values: strings and codes
        return value
    names = _NAMES.get(kind)
    if names is None and is_dataclass(value):
        names = _NAMES[kind] = tuple(f.name for f in fields(value))
    if names is not None:
        return {name: _plain(getattr(value, name)) for name in names}
    if isinstance(value, tuple | list):
        return [_plain(item) for item in value]
    if isinstance(value, Decimal | date):
        return str(value) if isinstance(value, Decimal) else value.isoformat()
    return value


def payload_from_document(document: Invoice | CreditNote) -> dict:
    kind = "credit_note" if isinstance(document, CreditNote) else "invoice"
    return {"kind": kind, **_plain(document)}


def _line(data: dict) -> Line:
    return Line(
        **{
            **data,
            **{k: Decimal(data[k]) for k in ("quantity", "unit_price", "discount")},
        }
    )


def _payment(data: dict) -> Payment:
    return Payment(**{**data, "amount": Decimal(data["amount"])})


def document_from_payload(payload: dict) -> Invoice | CreditNote:
    data = dict(payload)
    cls = _KINDS[data.pop("kind")]
    for name, nested in _NESTED.items():
        data[name] = nested(**data[name])
    data["lines"] = tuple(_line(item) for item in data["lines"])
    if "payments" in data:
        data["payments"] = tuple(_payment(item) for item in data["payments"])
    if "propina" in data:
        data["propina"] = Decimal(data["propina"])
    for name in _DATES & data.keys():
        data[name] = date.fromisoformat(data[name]) if data[name] else None
    data["extra_info"] = tuple(tuple(pair) for pair in data.get("extra_info", ()))
    return cls(**data)
