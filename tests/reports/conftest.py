from tests.pos.conftest import (  # noqa: F401  (fixtures shared with the pos tests)
    _fast_hashers,
    cashier,
    customer,
    point,
    post,
    product,
    session,
)
