"""The checkout benchmark's baseline: the same rows and updates as
`pos.services.sale_post`, in one hand-written psycopg transaction (the practical
limit the service and the API are measured against; bench/bench_checkout.py)."""

from __future__ import annotations

import hashlib
import uuid
from decimal import Decimal

from psycopg.types.json import Jsonb

from core import calc

LINES = 5


def _cart(rng, ctx, n_lines=LINES):
    return [(pid, rng.choice([1, 2])) for pid in rng.sample(ctx["products"], n_lines)]


def post_raw(ctx, state, rng):
    """The same rows and updates as sale_post, in hand-written SQL."""
    cart = _cart(rng, ctx)
    prices = state["prices"]
    totals = calc.sale_compute(
        [calc.LineInput(Decimal(q), prices[pid][0], prices[pid][1]) for pid, q in cart]
    )
    b, point, est = ctx["business"], state["point"].pk, ctx["establishment"]
    key = uuid.uuid4()
    with state["raw"].transaction(), state["raw"].cursor() as cur:
        cur.execute("SELECT set_config('app.business_id', %s, true)", [str(b)])
        # The reads the service cannot skip: the idempotency key, the products.
        cur.execute(
            "SELECT id FROM pos_sale WHERE business_id=%s AND idempotency_key=%s",
            [b, key],
        )
        assert cur.fetchone() is None
        cur.execute(
            "SELECT id, code, name, price, tax_category, track_stock "
            "FROM catalog_product WHERE business_id=%s AND is_active "
            "AND id = ANY(%s)",
            [b, [pid for pid, _q in cart]],
        )
        cur.fetchall()
        cur.execute(
            "SELECT id FROM pos_cashsession WHERE business_id=%s AND "
            "emission_point_id=%s AND closed_at IS NULL FOR UPDATE",
            [b, point],
        )
        session = cur.fetchone()[0]
        cur.execute(
            "UPDATE fiscal_documentsequence SET last_number = last_number + 1 "
            "WHERE business_id=%s AND emission_point_id=%s AND doc_type='01' "
            "RETURNING last_number",
            [b, point],
        )
        number = cur.fetchone()[0]
        cur.execute(
            "INSERT INTO pos_sale (business_id, created_at, updated_at, "
            "idempotency_key, request_hash, establishment_id, emission_point_id, "
            "cash_session_id, "
            "number, document_number, posted_at, cashier_id, customer_id, "
            "customer_id_type, customer_identification, customer_name, "
            "customer_address, customer_email, customer_phone, subtotal, "
            "discount_total, tax_total, service_charge, total, tendered, change) "
            "VALUES (%s, now(), now(), %s, %s, %s, %s, %s, %s, %s, now(), %s, NULL, "
            "'07', '9999999999999', 'CONSUMIDOR FINAL', '', '', '', %s, 0, %s, 0, "
            "%s, 1000, %s) RETURNING id",
            [
                b,
                key,
                hashlib.sha256(repr(cart).encode()).hexdigest(),
                est,
                point,
                session,
                number,
                f"001-{state['point'].code}-{number:09d}",
                ctx["user"],
                totals.subtotal,
                totals.tax,
                totals.total,
                Decimal("1000") - totals.total,
            ],
        )
        sale = cur.fetchone()[0]
        cur.executemany(
            "INSERT INTO pos_saleline (business_id, created_at, updated_at, sale_id, "
            "position, product_id, code, name, modifiers, quantity, unit_price, "
            "discount, tax_code, tax_rate, base, tax, note) VALUES "
            "(%s, now(), now(), %s, %s, %s, 'X', 'X', '[]', %s, %s, 0, %s, %s, %s, %s, "
            "'')",
            [
                (
                    b,
                    sale,
                    n,
                    pid,
                    r.quantity,
                    r.unit_price,
                    r.tax_code,
                    r.tax_rate,
                    r.base,
                    r.tax,
                )
                for n, ((pid, _q), r) in enumerate(
                    zip(cart, totals.lines, strict=True), 1
                )
            ],
        )
        cur.executemany(
            "INSERT INTO pos_saletax (business_id, created_at, updated_at, sale_id, "
            "tax_code, rate, base, tax) VALUES (%s, now(), now(), %s, %s, %s, %s, %s)",
            [(b, sale, t.tax_code, t.rate, t.base, t.tax) for t in totals.taxes],
        )
        cur.execute(
            "INSERT INTO pos_payment (business_id, created_at, updated_at, sale_id, "
            "method, amount, reference) VALUES (%s, now(), now(), %s, '01', %s, '')",
            [b, sale, totals.total],
        )
        cur.executemany(
            "INSERT INTO inventory_stockmove (business_id, created_at, updated_at, "
            "product_id, establishment_id, quantity, reason, reference, note, "
            "supplier, unit_cost, user_id) VALUES (%s, now(), now(), %s, %s, %s, "
            "'sale', '', '', '', NULL, %s)",
            [(b, pid, est, -Decimal(q), ctx["user"]) for pid, q in cart],
        )
        ids = sorted(pid for pid, _q in cart)
        deltas = dict(cart)
        cur.execute(
            "SELECT id FROM inventory_stocklevel WHERE business_id=%s AND "
            "establishment_id=%s AND product_id = ANY(%s) ORDER BY id FOR UPDATE",
            [b, est, ids],
        )
        cur.execute(
            "UPDATE inventory_stocklevel AS s SET quantity = s.quantity - d.q "
            "FROM unnest(%s::bigint[], %s::numeric[]) AS d(p, q) "
            "WHERE s.business_id=%s AND s.establishment_id=%s AND s.product_id = d.p "
            "RETURNING s.quantity",
            [ids, [Decimal(deltas[p]) for p in ids], b, est],
        )
        if any(row[0] < 0 for row in cur.fetchall()):
            raise RuntimeError("negative stock")
        # The SRI factura row, as `sale_invoice_issue` stores it in the checkout
        # transaction (a payload of the same size, built by the service's Python
        # work and not repeated here; no XML yet: the worker builds it when it
        # signs the document, for both paths).
        xml, payload = state["edoc"]
        cur.execute(
            "INSERT INTO fiscal_electronicdocument (business_id, created_at, "
            "updated_at, kind, state, access_key, number, issue_date, ambiente, "
            "buyer_id_type, buyer_identification, buyer_name, buyer_email, subtotal, "
            "tax_total, total, source, payload, xml, signed_xml, authorised_xml, "
            "authorization_number, attempts, last_error, annulment_reason, "
            "annulment_reference) VALUES "
            "(%s, now(), now(), '01', 'generated', %s, %s, current_date, '1', '07', "
            "'9999999999999', 'CONSUMIDOR FINAL', '', %s, %s, %s, %s, %s, %s, '', "
            "'', '', 0, '', '', '') RETURNING id",
            [
                b,
                f"{uuid.uuid4().int:049d}"[:49],
                f"001-{state['point'].code}-{number:09d}",
                totals.subtotal,
                totals.tax,
                totals.total,
                f"sale:{sale}",
                payload,
                xml,
            ],
        )
        # Its SRI submission task, queued in the same transaction (outbox).
        cur.execute(
            "INSERT INTO django_tasks_database_dbtaskresult (id, status, "
            "args_kwargs, priority, task_path, queue_name, backend_name, run_after, "
            "enqueued_at, exception_class_path, traceback, worker_ids) VALUES (%s, "
            "'READY', %s, 0, 'fiscal.tasks.edoc_submit_task', 'default', 'default', "
            "'9999-01-01', now(), '', '', '[]')",
            [uuid.uuid4(), Jsonb({"args": [cur.fetchone()[0]], "kwargs": {}})],
        )


def _edoc_template(business):
    """XML (none until signed) and payload of a factura the service stored,
    for the raw path's insert."""
    from fiscal.models import ElectronicDocument

    doc = ElectronicDocument.objects.filter(business=business, kind="01").latest("pk")
    return "", Jsonb(doc.payload)
