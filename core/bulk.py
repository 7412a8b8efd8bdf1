"""Fast writes: batched imports of thousands of rows (history included) and the
few-row INSERTs of a checkout, without the ORM's per-statement compilation.

Django's `bulk_create` spends most of its time compiling one SQL statement per
small batch (SQLite allows 999 parameters, so ~50 products per INSERT), and
simple-history's bulk helper builds a second model instance per row. Here
primary keys are reserved up front, each row's database values are prepared
once, and the same values feed the row and its history row through one fixed
statement (`executemany`, pipelined by psycopg on PostgreSQL). Must run
inside a transaction (imports always do).
"""

from contextlib import contextmanager
from decimal import Decimal
from uuid import UUID

from django.db import connections, models, transaction
from django.utils import timezone
from psycopg import pq

from .sql import placeholders

BATCH = 2000


def _reserve_ids(connection, model, count: int) -> list[int] | None:
    if connection.vendor not in ("postgresql", "sqlite"):
        return None
    expression, params = _next_id(connection, model)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"SELECT {expression} FROM generate_series(1, %s)",  # noqa: S608 - names quoted from model metadata
                [*params, count],
            )
            return [row[0] for row in cursor.fetchall()]
        cursor.execute(f"SELECT {expression}", params)  # noqa: S608 - as above
        start = cursor.fetchone()[0]
        return list(range(start, start + count))


def _next_id(connection, model) -> tuple[str, list]:
    """A SQL expression for a new primary key of `model`, and its parameters:
    the next value of the column's sequence on PostgreSQL; on SQLite the
    next one after the last used (the write lock is held from BEGIN IMMEDIATE,
    settings, so no other writer can take it before we insert it; reserving
    several means counting up from it)."""
    table, column = model._meta.db_table, model._meta.pk.column
    qn = connection.ops.quote_name
    if connection.vendor == "postgresql":
        return "nextval(pg_get_serial_sequence(%s, %s))", [qn(table), column]
    return (
        "(MAX(COALESCE((SELECT seq FROM sqlite_sequence WHERE name = %s), 0), "  # noqa: S608 - names quoted from model metadata
        f"COALESCE((SELECT MAX({qn(column)}) FROM {qn(table)}), 0)) + 1)",
        [table],
    )


def _prepared(objs, fields, connection, *, add: bool) -> list[tuple]:
    """Each field's database value, as `save()` prepares it.

    A checkout sends ~250 values, and Django's per-field preparation cost more
    than the INSERTs' own Python: values already of their column's plain type
    go as they are (for them `get_db_prep_save` returns its input), and the
    instant of `auto_now` fields is taken, and converted, once per call.
    """
    plan = _plan(connection, fields)
    now = now_db = None
    rows = []
    for obj in objs:
        values = obj.__dict__
        row = []
        for field, attname, plain in plan:
            if plain is _NOW and (add or field.auto_now):
                if now is None:
                    now = timezone.now()
                    now_db = field.get_db_prep_save(now, connection)
                values[attname] = now  # what pre_save sets
                row.append(now_db)
                continue
            value = values.get(attname, _MISSING)
            if type(value) is not plain or (plain is Decimal and not value.is_finite()):
                value = field.get_db_prep_save(field.pre_save(obj, add), connection)
            row.append(value)
        rows.append(tuple(row))
    return rows


_MISSING = object()
_NOW = object()
_PLAIN = {
    models.AutoField: int,
    models.BigAutoField: int,
    models.IntegerField: int,
    models.BigIntegerField: int,
    models.SmallIntegerField: int,
    models.PositiveIntegerField: int,
    models.PositiveBigIntegerField: int,
    models.PositiveSmallIntegerField: int,
    models.ForeignKey: int,
    models.OneToOneField: int,
    models.CharField: str,
    models.TextField: str,
    models.BooleanField: bool,
    # A finite Decimal is its own database value on every backend
    # (`adapt_decimalfield_value` returns it; to_python only copies it).
    models.DecimalField: Decimal,
}
_PLANS_PREPARED: dict = {}


def _plan(connection, fields) -> list[tuple]:
    """(field, attname, plain type or _NOW or None) for each field, built once
    per backend and field list (the lists come from model metadata, so they
    live as long as the process)."""
    key = (connection.vendor, id(fields))
    cached = _PLANS_PREPARED.get(key)
    if cached is None or cached[0] is not fields:
        native_uuid = connection.features.has_native_uuid_field
        plan = [(f, f.attname, _plain_type(f, native_uuid)) for f in fields]
        cached = _PLANS_PREPARED[key] = (fields, plan)
    return cached[1]


def _plain_type(field, native_uuid: bool):
    """The Python type a field's value passes through `_prepared` unchanged in,
    _NOW for an `auto_now`/`auto_now_add` DateTimeField, or None. Only fields
    whose pre_save just reads the attribute (no file), and foreign keys to
    integer keys."""
    kind = type(field)
    if kind is models.DateTimeField and (field.auto_now or field.auto_now_add):
        return _NOW
    if kind is models.UUIDField and native_uuid:
        return UUID  # the driver's own type on PostgreSQL
    if isinstance(field, models.ForeignKey):
        plain = type(field.target_field) in (models.AutoField, models.BigAutoField)
    else:
        plain = kind.pre_save is models.Field.pre_save
    return _PLAIN.get(kind) if plain else None


def _insert(connection, model, fields, rows) -> None:
    qn = connection.ops.quote_name
    head = "INSERT INTO {} ({})".format(
        qn(model._meta.db_table), ", ".join(qn(f.column) for f in fields)
    )
    one = placeholders(1, len(fields))
    # One statement for every row: psycopg parses it once and pipelines the
    # rows; a giant multi-row VALUES costs more to parse than it saves.
    with connection.cursor() as cursor:
        if len(rows) == 1:  # a task row: executemany's machinery costs more
            cursor.execute(f"{head} VALUES {one}", rows[0])
            return
        for start in range(0, len(rows), BATCH):
            cursor.executemany(f"{head} VALUES {one}", rows[start : start + BATCH])


def _history(connection, model, fields, rows, *, user, reason, kind) -> None:
    """Historical rows built from the values just written (no second instance)."""
    if not hasattr(model, "history"):
        return
    history = model.history.model
    source = {f.attname: i for i, f in enumerate(fields)}
    date_field = history._meta.get_field("history_date")
    fixed = {
        "history_date": date_field.get_db_prep_save(timezone.now(), connection),
        "history_change_reason": reason,
        "history_type": kind,
        "history_user_id": getattr(user, "pk", None),
    }
    pk = history._meta.pk.attname
    columns = history._meta.concrete_fields
    missing = [
        f.attname
        for f in columns
        if f.attname != pk and f.attname not in fixed and f.attname not in source
    ]
    if missing:
        raise ValueError(f"history of {model.__name__}: unknown fields {missing}")
    ids = _reserve_ids(connection, history, len(rows))
    history_rows = [
        tuple(
            new_id
            if f.attname == pk
            else fixed[f.attname]
            if f.attname in fixed
            else row[source[f.attname]]
            for f in columns
        )
        for new_id, row in zip(ids, rows, strict=True)
    ]
    _insert(connection, history, columns, history_rows)


def _connection(using):
    connection = connections[using]
    if not connection.in_atomic_block:
        raise transaction.TransactionManagementError("bulk writes need atomic()")
    return connection


def insert_rows(
    model, objs: list, *, history: dict | None = None, using: str = "default"
) -> list:
    """INSERT new instances in batches (setting their primary keys).

    `history={"user": ..., "reason": ...}` also writes their simple-history rows.
    """
    if not objs:
        return objs
    connection = _connection(using)
    ids = _reserve_ids(connection, model, len(objs))
    if ids is None:  # another database: Django's own bulk path
        return model._base_manager.using(using).bulk_create(objs, batch_size=500)
    meta = model._meta
    for obj, pk in zip(objs, ids, strict=True):
        setattr(obj, meta.pk.attname, pk)
    fields = meta.concrete_fields
    rows = _prepared(objs, fields, connection, add=True)
    _insert(connection, model, fields, rows)
    if history is not None:
        _history(connection, model, fields, rows, kind="+", **history)
    _mark_saved(objs, using)
    return objs


def insert_given(model, objs: list, *, using: str = "default") -> list:
    """INSERT new instances whose primary keys are already set (UUIDs), with
    one prepared statement and no RETURNING: what `Model.objects.create` does
    for such a row, without compiling a query each time."""
    if not objs:
        return objs
    connection = connections[using]
    fields = model._meta.concrete_fields
    _insert(connection, model, fields, _prepared(objs, fields, connection, add=True))
    _mark_saved(objs, using)
    return objs


def _mark_saved(objs, using: str) -> None:
    for obj in objs:
        obj._state.adding = False
        obj._state.db = using


def update_rows(
    model,
    objs: list,
    field_names: list[str],
    *,
    history: dict | None = None,
    using: str = "default",
):
    """UPDATE some fields of existing instances with one prepared statement."""
    if not objs:
        return objs
    connection = _connection(using)
    meta = model._meta
    all_fields = meta.concrete_fields
    rows = _prepared(objs, all_fields, connection, add=False)
    position = {f.name: i for i, f in enumerate(all_fields)}
    columns = [position[name] for name in field_names]
    qn = connection.ops.quote_name
    sql = "UPDATE {} SET {} WHERE {} = %s".format(  # noqa: S608 - names quoted from model metadata
        qn(meta.db_table),
        ", ".join(f"{qn(all_fields[i].column)} = %s" for i in columns),
        qn(meta.pk.column),
    )
    pk_index = position[meta.pk.name]
    params = [(*(row[i] for i in columns), row[pk_index]) for row in rows]
    with connection.cursor() as cursor:
        for start in range(0, len(params), BATCH):
            cursor.executemany(sql, params[start : start + BATCH])
    if history is not None:
        _history(connection, model, all_fields, rows, kind="~", **history)
    return objs


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


def insert_send(model, objs: list, *, using: str = "default"):
    """Send the INSERT of `insert_returning`; return what collects the new ids.

    Inside `pipelined()` the statement goes out without waiting for its result,
    so call the returned function after the block. Instances whose primary
    key is already set (reserved by `Batch.next_ids`) are inserted with it.
    """
    if not objs:
        return lambda: objs
    connection = connections[using]
    given = objs[0].pk is not None
    if any((obj.pk is not None) != given for obj in objs):
        raise ValueError("either every instance has its primary key or none")
    fields, head, one, tail = _insert_plan(connection, model, given)
    rows = _prepared(objs, fields, connection, add=True)
    params = [value for row in rows for value in row]
    fetch = execute_send(connection, head + ", ".join([one] * len(objs)) + tail, params)

    def collect() -> list:
        pk = model._meta.pk.attname
        for obj, (new_id,) in zip(objs, fetch(), strict=True):
            setattr(obj, pk, new_id)
        _mark_saved(objs, using)
        return objs

    return collect


def execute_send(connection, sql: str, params):
    """Run a statement; return what fetches its rows (later, when pipelined).

    Outside a pipeline the rows are read at once: a statement whose RETURNING
    rows are still unread would keep SQLite from rolling back to a savepoint.
    """
    cursor = connection.cursor()
    try:
        cursor.execute(sql, params)
        if not _in_pipeline(connection):
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


def _in_pipeline(connection) -> bool:
    return (
        connection.vendor == "postgresql"
        and connection.connection.pgconn.pipeline_status != pq.PipelineStatus.OFF
    )


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
        self._then.append(insert_send(model, objs, using=self.using))
        return objs

    def execute(self, sql: str, params, then) -> None:
        """Run `sql`; `then(rows)` gets its rows when the block ends."""
        fetch = execute_send(connections[self.using], sql, params)
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
        connection = connections[self.using]
        parts = [_next_id(connection, model) for model in models]
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
