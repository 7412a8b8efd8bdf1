"""A year of a busy shop, for read benchmarks: sales, lines, stock moves, SRI documents.

Usage (PostgreSQL only; the database migrated and the demo loaded first):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_year \\
        python bench/gen_year.py --sales 200000 --lines 5 --tenants 50

`--tenants N` makes the shop one business among N: N - 1 more shops (the demo
shop's catalog and customers, their own owner and cashier) get
`--tenant-sales` sales each over the last 30 days, so every read is measured
with other businesses' rows in the same tables, as in production.

Writes straight SQL as the connecting user (an administrator: row-level
security does not apply to it), for the demo shop "Demo Tienda": `--sales`
cash sales spread over the last 365 days, `--lines` lines and stock moves per
sale, one authorised factura per sale with XML bodies of realistic size, one
void in a hundred (some voided on a later day). Rows are shaped like the
checkout's own (same columns, snapshots and totals that add up), but written in
bulk: this is data for measuring reads, not a test of the checkout.
"""

import argparse
import os
import time
from urllib.parse import urlparse

import psycopg

SALE = """
INSERT INTO pos_sale (created_at, updated_at, idempotency_key, number, document_number,
    posted_at, customer_id_type, customer_identification, customer_name,
    customer_address, customer_email, customer_phone, subtotal, discount_total,
    tax_total, service_charge, total, tendered, change, business_id, cash_session_id,
    cashier_id, customer_id, emission_point_id, establishment_id, request_hash)
SELECT t, t, gen_random_uuid(), %(base)s + i,
    %(prefix)s || lpad((%(base)s + i)::text, 9, '0'), t, '07', '9999999999999',
    'CONSUMIDOR FINAL', '', '', '', 2.00 * %(lines)s, 0, 0.30 * %(lines)s, 0,
    2.30 * %(lines)s, 2.30 * %(lines)s, 0, %(business)s, %(session)s, %(cashier)s,
    %(final_consumer)s, %(point)s, %(establishment)s, ''
FROM (SELECT i, now() - make_interval(secs => (%(n)s - i) * %(span)s / %(n)s) AS t
      FROM generate_series(1, %(n)s) AS i) AS s
"""

NEW_SALES = "FROM pos_sale s WHERE s.business_id = %(business)s AND s.number > %(base)s"

LINE = f"""
INSERT INTO pos_saleline (created_at, updated_at, position, code, name, modifiers,
    quantity, unit_price, discount, tax_code, tax_rate, base, tax, business_id,
    product_id, sale_id, note)
SELECT s.posted_at, s.posted_at, p, pr.code, pr.name, '[]', 1, 2.00, 0, '4', 15,
    2.00, 0.30, s.business_id, pr.id, s.id, ''
{NEW_SALES.replace("FROM pos_sale s", "FROM pos_sale s CROSS JOIN generate_series(1, %(lines)s) AS p JOIN products pr ON pr.k = (s.id + p) %% %(products)s")}
"""  # noqa: E501

TAX = f"""
INSERT INTO pos_saletax (created_at, updated_at, tax_code, rate, base, tax,
    business_id, sale_id)
SELECT s.posted_at, s.posted_at, '4', 15, s.subtotal, s.tax_total, s.business_id, s.id
{NEW_SALES}
"""

PAYMENT = f"""
INSERT INTO pos_payment (created_at, updated_at, method, amount, reference,
    business_id, sale_id)
SELECT s.posted_at, s.posted_at, CASE WHEN s.id %% 3 = 0 THEN '19' ELSE '01' END,
    s.total, '', s.business_id, s.id
{NEW_SALES}
"""

MOVE = """
INSERT INTO inventory_stockmove (created_at, updated_at, quantity, reason, reference,
    note, unit_cost, business_id, establishment_id, product_id, user_id, supplier)
SELECT l.created_at, l.created_at, -l.quantity, 'sale', s.document_number, '', NULL,
    s.business_id, s.establishment_id, l.product_id, s.cashier_id, ''
FROM pos_saleline l JOIN pos_sale s ON s.id = l.sale_id
WHERE s.business_id = %(business)s AND s.number > %(base)s
"""

EDOC = f"""
INSERT INTO fiscal_electronicdocument (created_at, updated_at, kind, state, access_key,
    number, issue_date, ambiente, buyer_id_type, buyer_identification, buyer_name,
    buyer_email, subtotal, tax_total, total, source, payload, xml, signed_xml,
    authorised_xml, authorization_number, authorized_at, attempts, next_attempt_at,
    lease_until, sent_at, emailed_at, last_error, business_id, modifies_id,
    annulment_reason, annulment_requested_at, annulled_in_portal_at,
    annulled_in_portal_by_id, annulment_reference)
SELECT s.posted_at, s.posted_at, '01', 'authorised',
    '9' || lpad(s.id::text, 48, '0'), s.document_number,
    (s.posted_at AT TIME ZONE 'America/Guayaquil')::date, '1', '07', '9999999999999',
    'CONSUMIDOR FINAL', '', s.subtotal, s.tax_total, s.total, 'sale:' || s.id, '{{}}',
    x.xml, x.xml || x.signature, x.xml || x.signature || x.authorization,
    '9' || lpad(s.id::text, 48, '0'), s.posted_at, 1, NULL, NULL, s.posted_at, NULL, '',
    s.business_id, NULL, '', NULL, NULL, NULL, ''
{NEW_SALES.replace("FROM pos_sale s", "FROM pos_sale s CROSS JOIN xml_sizes x")}
"""

VOID = f"""
INSERT INTO pos_void (created_at, updated_at, number, document_number, voided_at,
    reason, total, actor_id, authorized_by_id, business_id, cash_session_id,
    emission_point_id, sale_id)
SELECT v, v, NULL, '', v, 'Generado', s.total, s.cashier_id, s.cashier_id,
    s.business_id, s.cash_session_id, s.emission_point_id, s.id
FROM (SELECT s.*, s.posted_at + make_interval(hours => (s.id %% 50)::int) AS v
      {NEW_SALES} AND s.id %% 100 = 0) AS s
"""  # noqa: S608 - a fixed statement built from another constant


def connect():
    url = urlparse(os.environ["DATABASE_URL"])
    return psycopg.connect(
        host=url.hostname,
        port=url.port or 5432,
        user=url.username,
        password=url.password,
        dbname=url.path.lstrip("/"),
    )


SHOP = "Demo Tienda"
TENANT = "Tienda de banco {:02d}"


def tenants_create(count: int) -> None:
    """`count` more shops, like the demo shop, each with an open cash session."""
    import copy
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backoffice.settings")
    import django

    django.setup()
    from django.contrib.auth import get_user_model

    from backoffice.tenancy.context import tenant_context
    from backoffice.tenancy.models import EmissionPoint
    from fixtures import demo
    from pos.models import CashSession
    from pos.services import cash_session_open

    # The catalog, customers and users; not the demo's stock documents (slow,
    # and nothing read by the benchmarks).
    demo._load_stock_documents = lambda *args: None
    for n in range(1, count + 1):
        spec = copy.deepcopy(demo.SHOP)
        spec["ruc"] = f"09{n:08d}001"
        spec["nombre_comercial"] = TENANT.format(n)
        spec["users"] = [(f"banco{n:02d}.{name}", role) for name, role in spec["users"]]
        demo.CUSTOMERS[spec["ruc"]] = demo.CUSTOMERS[demo.SHOP["ruc"]]
        business = demo.load_business(spec)
        owner = get_user_model().objects.get(username=spec["users"][0][0])
        with tenant_context(business):
            point = EmissionPoint.objects.filter(business=business).first()
            if not CashSession.objects.filter(emission_point=point, closed_at=None):
                cash_session_open(
                    business=business, point=point, user=owner, opening_float=0
                )


def context(cursor, name: str = SHOP) -> dict:
    cursor.execute(
        "SELECT b.id, p.id, p.establishment_id, e.code || '-' || p.code || '-' "
        "FROM tenancy_business b JOIN tenancy_emissionpoint p ON p.business_id = b.id "
        "JOIN tenancy_establishment e ON e.id = p.establishment_id "
        "WHERE b.nombre_comercial = %s ORDER BY p.id LIMIT 1",
        [name],
    )
    business, point, establishment, prefix = cursor.fetchone()
    cursor.execute(
        "SELECT id, opened_by_id FROM pos_cashsession WHERE business_id = %s "
        "ORDER BY id LIMIT 1",
        [business],
    )
    session, cashier = cursor.fetchone()
    cursor.execute(
        "SELECT coalesce(max(number), 0) + 1000000 FROM pos_sale "
        "WHERE business_id = %s AND emission_point_id = %s",
        [business, point],
    )
    (base,) = cursor.fetchone()
    # The checkout links every sale to a customer row, CONSUMIDOR FINAL included.
    cursor.execute(
        "SELECT id FROM customers_customer WHERE business_id = %s "
        "AND identification = '9999999999999'",
        [business],
    )
    (final_consumer,) = cursor.fetchone()
    cursor.execute("DROP TABLE IF EXISTS products, xml_sizes")
    cursor.execute(
        "CREATE TEMP TABLE products AS SELECT "
        "row_number() OVER (ORDER BY id) - 1 AS k, id, code, name "
        "FROM catalog_product WHERE business_id = %s",
        [business],
    )
    cursor.execute("SELECT count(*) FROM products")
    (products,) = cursor.fetchone()
    # Sizes of a real 5-line factura: ~3 KB unsigned, +3 KB signature, +1 KB answer.
    cursor.execute(
        "CREATE TEMP TABLE xml_sizes AS SELECT "
        "string_agg(md5(g::text), '') AS xml, "
        "string_agg(md5((g + 1000)::text), '') AS signature, "
        "string_agg(md5((g + 3000)::text), '') FILTER (WHERE g <= 30) AS authorization "
        "FROM generate_series(1, 100) AS g"
    )
    return {
        "business": business,
        "point": point,
        "establishment": establishment,
        "prefix": prefix,
        "session": session,
        "cashier": cashier,
        "base": base,
        "final_consumer": final_consumer,
        "products": products,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sales", type=int, default=200_000)
    parser.add_argument("--lines", type=int, default=5)
    parser.add_argument("--tenants", type=int, default=1)
    parser.add_argument("--tenant-sales", type=int, default=2_000)
    args = parser.parse_args()
    if args.tenants > 1:
        started = time.perf_counter()
        tenants_create(args.tenants - 1)
        print(f"{args.tenants - 1} more shops in {time.perf_counter() - started:.1f} s")
    shops = [(SHOP, args.sales)] + [
        (TENANT.format(n), args.tenant_sales) for n in range(1, args.tenants)
    ]
    with connect() as conn, conn.cursor() as cursor:
        for shop, sales in shops:
            # The shop measured sells over a year; the others over the last 30
            # days (their closed days are rolled up too: a year of each would
            # make `rollup_days` take half an hour).
            span = 365 if shop == SHOP else 30
            params = context(cursor, shop) | {
                "n": sales,
                "lines": args.lines,
                "span": span * 86400.0,
            }
            for name, sql in STATEMENTS:
                started = time.perf_counter()
                cursor.execute(sql, params)
                elapsed = time.perf_counter() - started
                if shop == SHOP:
                    print(f"{name}: {cursor.rowcount} rows in {elapsed:.1f} s")
            if shop == SHOP:
                business = params["business"]
        conn.commit()
        conn.autocommit = True
        cursor.execute("VACUUM ANALYZE")
    print(f"done; business {business}, one of {len(shops)}")


STATEMENTS = [
    ("sales", SALE),
    ("lines", LINE),
    ("taxes", TAX),
    ("payments", PAYMENT),
    ("stock moves", MOVE),
    ("SRI documents", EDOC),
    ("voids", VOID),
]


if __name__ == "__main__":
    main()
