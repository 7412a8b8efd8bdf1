"""Statements sent together: the few-row INSERTs and reads of a checkout, as
one psycopg pipeline on PostgreSQL (`Batch`), without the ORM's per-statement
compilation. Field values are prepared as core/bulk.py prepares an import's.
"""

from contextlib import contextmanager

from django.db import connections

from .bulk import cursor_for, in_pipeline, mark_saved, next_id_sql, prepared_values
from .sql import placeholders

_PLANS: dict = {}


def _insert_plan(connection, model, given: bool):
    """Fields and SQL pieces of a model's INSERT … RETURNING pk, built once;
    with `given`, the primary key is one of the columns (reserved ids)."""
    key = (connection.vendor, model, given)
    plan = _PLANS.get(key)
    if plan is None:
        meta = model._meta
        qn = connection.ops.quote_name
        fields = [f for f in meta.concrete_fields if given or f is not meta.pk]
        plan = (
            fields,
            "INSERT INTO {} ({}) VALUES ".format(  # noqa: S608 - names quoted from model metadata
                qn(meta.db_table), ", ".join(qn(f.column) for f in fields)
            ),
            placeholders(1, len(fields)),
            f" RETURNING {qn(meta.pk.column)}",
        )
        _PLANS[key] = plan
    return plan


def insert_returning(model, objs: list, *, using: str = "default") -> list:
    """INSERT a few new instances in one statement and set their primary keys.

    What `bulk_create` does for the handful of rows of a checkout, without
    compiling a query each time: the checkout's hot path spent more time in
    the ORM's insert compiler than in PostgreSQL. Values go through each
    field's own `pre_save`/`get_db_prep_save` (auto_now, JSON, decimals), so
    rows are stored exactly as `bulk_create` stores them; no signals are sent
    (as with `bulk_create`). PostgreSQL and SQLite ≥ 3.35 return the new ids
    in VALUES order.
    """
    return insert_send(model, objs, using=using)()


def insert_send(model, objs: list, *, using: str = "default", connection=None):
    """Send the INSERT of `insert_returning`; return what collects the new ids.

    Inside `pipelined()` the statement goes out without waiting for its result,
    so call the returned function after the block. Instances whose primary
    key is already set (reserved by `Batch.next_ids`) are inserted with it.
    """
    if not objs:
        return lambda: objs
    if connection is None:
        connection = connections[using]
    given = objs[0].pk is not None
    if any((obj.pk is not None) != given for obj in objs):
        raise ValueError("either every instance has its primary key or none")
    fields, head, one, tail = _insert_plan(connection, model, given)
    rows = prepared_values(objs, fields, connection, add=True)
    params = [value for row in rows for value in row]
    fetch = execute_send(connection, head + ", ".join([one] * len(objs)) + tail, params)

    def collect() -> list:
        pk = model._meta.pk.attname
        for obj, (new_id,) in zip(objs, fetch(), strict=True):
            setattr(obj, pk, new_id)
        mark_saved(objs, using)
        return objs

    return collect


def execute_send(connection, sql: str, params):
    """Run a statement; return what fetches its rows (later, when pipelined).

    Outside a pipeline the rows are read at once: a statement whose RETURNING
    rows are still unread would keep SQLite from rolling back to a savepoint.
    """
    pipelined_now = in_pipeline(connection)
    cursor = cursor_for(connection, pipelined_now)
    try:
        cursor.execute(sql, params)
        if not pipelined_now:
            rows = cursor.fetchall()
            cursor.close()
            return lambda: rows
    except BaseException:
        cursor.close()
        raise

    def fetch() -> list:
        try:
            with connection.wrap_database_errors:
                return cursor.fetchall()
        finally:
            cursor.close()

    return fetch


class Batch:
    """Statements sent together, read when the block ends.

    A psycopg pipeline on PostgreSQL: the server runs one statement while
    Python prepares the next, and the results (errors too, as Django's
    database errors) come back together at the end of the block, where each
    statement's `then` runs in the order they were added (new ids are set,
    the stock rule is checked). Elsewhere the statements run one by one and
    `then` still runs at the end. Statements whose results are needed inside
    the block do not belong in it.

        with Batch() as batch:
            batch.insert(SaleLine, lines)
            stock_moves_apply(business=b, moves=moves, batch=batch)
    """

    def __init__(self, using: str = "default"):
        self.using = using
        self._then: list = []
        self._pipeline = None
        # Looked up once: a checkout sends ~15 statements through one batch.
        self._connection = connections[using]

    def __enter__(self) -> "Batch":
        self._pipeline = pipelined(self.using)
        self._pipeline.__enter__()
        return self

    def __exit__(self, kind, value, traceback) -> bool:
        self._pipeline.__exit__(kind, value, traceback)
        if kind is None:
            for then in self._then:
                then()
        return False

    def insert(self, model, objs: list) -> list:
        """INSERT `objs` (their primary keys are set when the block ends)."""
        self._then.append(
            insert_send(model, objs, using=self.using, connection=self._connection)
        )
        return objs

    def execute(self, sql: str, params, then) -> None:
        """Run `sql`; `then(rows)` gets its rows when the block ends."""
        fetch = execute_send(self._connection, sql, params)
        self._then.append(lambda: then(fetch()))

    def fetch(self, sql: str, params) -> "Fetched":
        """Run `sql`; its rows are read from the answer when the block ends."""
        fetched = Fetched()
        self.execute(sql, params, fetched._fill)
        return fetched

    def next_ids(self, *models) -> "Fetched":
        """Reserve a new primary key of each model, in one statement: the
        row `.first()` when the block ends. Give each to its instance before
        inserting it, so rows that point to it can go out in the same batch.
        One per model and transaction on SQLite (the next id is read from the
        table, not a sequence)."""
        parts = [next_id_sql(self._connection, model) for model in models]
        return self.fetch(
            "SELECT " + ", ".join(sql for sql, _p in parts),
            [param for _sql, params in parts for param in params],
        )


class Fetched:
    """The rows of a statement sent in a `Batch`, there once the block ends."""

    __slots__ = ("_rows",)

    def __init__(self):
        self._rows = None

    def _fill(self, rows) -> None:
        self._rows = rows

    @property
    def rows(self) -> list:
        if self._rows is None:
            raise RuntimeError("a batch's rows are read after its block ends")
        return self._rows

    def first(self):
        """The first row, or None."""
        return self.rows[0] if self.rows else None


@contextmanager
def pipelined(using: str = "default"):
    """Send the block's statements without waiting for each result.

    psycopg's pipeline mode on PostgreSQL: the server runs one statement while
    Python prepares the next, and the results come back together when the
    block ends (errors too, as Django's database errors). Use it through
    `Batch`, which reads the results after the block. Elsewhere, a plain block.
    """
    connection = connections[using]
    if connection.vendor != "postgresql":
        yield
        return
    connection.ensure_connection()
    with connection.wrap_database_errors, connection.connection.pipeline():
        yield
