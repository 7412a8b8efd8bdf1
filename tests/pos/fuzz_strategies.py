"""Hypothesis strategies of tests/pos/test_api_fuzz.py: hostile values, JSON
bodies of every endpoint, query strings."""

import json

from hypothesis import strategies as st

RAW = "__raw__"  # a string "__raw__1e999" is written to JSON as the bare number
HOSTILE_TEXT = [
    "",
    " ",
    "0",
    "-0",
    "1",
    "-1",
    "0.001",
    "2.50",
    "1e999",
    "-1e999",
    "1e30",
    "1e-999999999",
    "NaN",
    "Infinity",
    "999999999999.99",
    "1000000000000",
    "123456789012345678901234567890",
    "9" * 60,
    "1_000",
    "0x10",
    "٣",
    "\x00",
    "caja\x00chica",
    "01",
    "19",
    "in",
    "out",
    "final",
    "x" * 400,
]
RAW_NUMBERS = ["1e999", "-1e999", "1e30", "1E400", "-0", "0.0000001", "1" * 30]


REF = "__ref__"  # "__ref__product" is written as the fixture's product id


SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.sampled_from(HOSTILE_TEXT),
    st.sampled_from(RAW_NUMBERS).map(lambda n: RAW + n),
    st.decimals(allow_nan=False, allow_infinity=False, places=3).map(str),
    st.text(max_size=12),
)
VALUES = st.one_of(
    SCALARS,
    st.lists(SCALARS, max_size=3),
    st.dictionaries(st.text(max_size=4), SCALARS, max_size=2),
)
ANYTHING = st.recursive(  # arbitrary JSON
    SCALARS,
    lambda kids: st.lists(kids, max_size=3) | st.dictionaries(st.text(), kids),
    max_leaves=12,
)


def mostly(good):
    """Usually a good value (to reach the deeper checks), sometimes anything."""
    # (one_of would flatten VALUES' branches and pick `good` rarely)
    return st.integers(0, 7).flatmap(lambda i: VALUES if i == 7 else good)


def ids(name: str):
    """The fixture's real id (as a number or as text) or any value."""
    return mostly(st.sampled_from([REF + name, REF + name + "_text"]))


LINE = st.fixed_dictionaries(
    {"product": ids("product")},
    optional={
        "quantity": mostly(st.sampled_from(["1", "2", "0.5", 3])),
        "discount": mostly(st.sampled_from(["0", "0.10", 0])),
        "modifiers": mostly(st.lists(ids("option"), max_size=2)),
        "discount_percent": mostly(st.sampled_from(["5", "100", 0, "12.5"])),
        "note": mostly(st.sampled_from(["", "sin cebolla"])),
    },
)
PAYMENT = st.fixed_dictionaries(
    {
        "method": mostly(st.sampled_from(["01", "01", "16", "19", "20"])),
        "amount": mostly(st.sampled_from(["50.00", "50", "2.00", "0.01"])),
    },
    optional={"reference": mostly(st.sampled_from(["", "VISA 4242"]))},
)
SALE = st.fixed_dictionaries(
    {
        "idempotency_key": mostly(st.uuids().map(str)),
        "lines": mostly(st.lists(LINE, min_size=1, max_size=3)),
        "payments": mostly(st.lists(PAYMENT, min_size=1, max_size=3)),
    },
    optional={
        "customer": st.sampled_from([{"id": REF + "customer"}, "final"])
        | ids("customer"),
        "emission_point": ids("point"),
        "discount": mostly(st.sampled_from(["0.50", "0", 1])),
        "discount_percent": mostly(st.sampled_from(["10", "0", 50])),
        "approval_pin": VALUES,
    },
)


def keyed(**fields):
    return st.fixed_dictionaries({}, optional=fields)


OTHER_BODIES = st.one_of(
    ANYTHING.map(json.dumps),
    st.binary(max_size=80),
    st.integers(min_value=1, max_value=3000).map(
        lambda n: '{"lines": ' + "[" * n + "]" * n + "}"
    ),
    st.just(""),
)


def bodies(structured):
    """A structured body (JSON text with placeholders), random JSON, raw bytes,
    deep nesting or nothing."""
    return st.integers(0, 9).flatmap(
        lambda i: structured.map(json.dumps) if i < 6 else OTHER_BODIES
    )


COUNTED_METHODS = st.sampled_from(["01", "16", "19", "20"]) | st.text(max_size=3)
BODIES = {
    "sales": bodies(SALE),
    "quote": bodies(
        keyed(
            lines=mostly(st.lists(LINE, max_size=3)),
            discount=VALUES,
            discount_percent=VALUES,
        )
    ),
    "void": bodies(keyed(reason=VALUES, supervisor_pin=VALUES)),
    "pin": bodies(keyed(pin=VALUES)),
    "customer": bodies(
        keyed(
            id_type=mostly(st.sampled_from(["04", "05", "06", "07", "08"])),
            identification=mostly(st.sampled_from(["1710034065", "1790012345001"])),
            name=VALUES,
            email=VALUES,
            phone=VALUES,
        )
    ),
    "return": bodies(
        keyed(
            idempotency_key=mostly(st.uuids().map(str)),
            reason=mostly(st.just("Dañado")),
            pin=VALUES,
            lines=mostly(
                st.lists(
                    st.fixed_dictionaries(
                        {"line": VALUES, "quantity": VALUES},
                    ),
                    max_size=2,
                )
            ),
        )
    ),
    "open": bodies(keyed(emission_point=ids("point"), opening_float=VALUES)),
    "move": bodies(
        keyed(
            kind=mostly(st.sampled_from(["in", "out"])),
            amount=mostly(st.sampled_from(["1.00", "0.50", 2])),
            reason=mostly(st.just("Cambio")),
        )
    ),
    "close": bodies(
        keyed(
            counted=st.dictionaries(COUNTED_METHODS, VALUES, max_size=4) | VALUES,
            note=VALUES,
        )
    ),
}
QUERIES = st.text(max_size=30) | st.sampled_from(HOSTILE_TEXT)
PKS = st.integers(min_value=0, max_value=2**80)
