"""The checkout's product read is one statement whatever the cart's size on
PostgreSQL (`= ANY` of an array), so its prepared statement is reused."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.pos.conftest import make_product

pytestmark = pytest.mark.django_db


def _product_reads(post, lines) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        post(lines)
    return [q["sql"] for q in queries if 'p."is_active"' in q["sql"]]


@pytest.mark.postgres
def test_the_product_read_has_one_shape_for_any_cart(post, business):
    products = [make_product(business, price="1.00", stock=None) for _ in range(4)]
    one = _product_reads(post, [(products[0], 1)])
    four = _product_reads(post, [(p, 1) for p in products])
    assert len(one) == len(four) == 1
    assert "= ANY(" in one[0]
    # The SQL text differs only in the bound array's literal as the capture shows it.
    strip = lambda sql: sql.split("= ANY(")[0]  # noqa: E731
    assert strip(one[0]) == strip(four[0])


def test_the_checkout_fakes_no_model_state():
    """CONSUMIDOR FINAL is built with Model.from_db, not by setting `_state`
    by hand (issue 13 §3: the code most likely to break on a Django upgrade)."""
    from pathlib import Path

    import pos.services

    sources = list(Path(pos.services.__file__).parent.glob("*.py"))
    assert not [p.name for p in sources if "._state." in p.read_text()]
    # nor writes Django's private relation caches (it returns a PostedSale)
    private = ("_prefetched_objects_cache", "_result_cache", "set_cached_value")
    assert not [p.name for p in sources if any(n in p.read_text() for n in private)]
