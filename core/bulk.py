"""Fast writes: batched imports of thousands of rows (history included),
without the ORM's per-statement compilation (core/batch.py sends the few-row
INSERTs of a checkout with the same field preparation).

Django's `bulk_create` spends most of its time compiling one SQL statement per
small batch (SQLite allows 999 parameters, so ~50 products per INSERT), and
simple-history's bulk helper builds a second model instance per row. Here
primary keys are reserved up front, each row's database values are prepared
once, and the same values feed the row and its history row through one fixed
statement (`executemany`, pipelined by psycopg on PostgreSQL). Must run
inside a transaction (imports always do).
"""

from decimal import Decimal
from uuid import UUID

from django.db import connections, models, transaction
from django.utils import timezone
from psycopg import pq

from .memo import remember
from .sql import placeholders

BATCH = 2000


def _reserve_ids(connection, model, count: int) -> list[int] | None:
    if connection.vendor not in ("postgresql", "sqlite"):
        return None
    expression, params = next_id_sql(connection, model)
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


def next_id_sql(connection, model) -> tuple[str, list]:
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


def prepared_values(objs, fields, connection, *, add: bool) -> list[tuple]:
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
            # None is NULL for every plain kind (a document's many unset dates too).
            if (
                type(value) is not plain or (plain is Decimal and not value.is_finite())
            ) and (value is not None or plain is None):
                value = field.get_db_prep_save(field.pre_save(obj, add), connection)
            row.append(value)
        rows.append(tuple(row))
    return rows


_MISSING = object()
_NOW = object()
# The plain type of a field whose only value passed as it is is None (NULL):
# no value is of this type.
_NULL_ONLY = type("NullOnly", (), {})
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
_CACHE_MAX = 512


def _plan(connection, fields) -> list[tuple]:
    """(field, attname, plain type or _NOW or None) for each field."""

    def build():
        native_uuid = connection.features.has_native_uuid_field
        return [(f, f.attname, _plain_type(f, native_uuid)) for f in fields]

    return _per_fields(_PLANS_PREPARED, (connection.vendor, id(fields)), fields, build)


def _per_fields(cache: dict, key, fields, build):
    """`build()`, once per field list: the lists come from model metadata and
    live as long as the process, so they are known by identity; the cache
    keeps the list it was built for, and is emptied past _CACHE_MAX entries
    (a caller building a new list each time must not grow it forever)."""
    cached = cache.get(key)
    if cached is None or cached[0] is not fields:
        cached = remember(cache, key, (fields, build()), _CACHE_MAX + 1)
    return cached[1]


def _plain_type(field, native_uuid: bool):
    """The Python type a field's value passes through `prepared_values` unchanged in,
    _NOW for an `auto_now`/`auto_now_add` DateTimeField, _NULL_ONLY for other
    dates (only None passes: a NULL on every backend), or None. Only fields
    whose pre_save just reads the attribute (no file), and foreign keys to
    integer keys."""
    kind = type(field)
    if kind is models.DateTimeField and (field.auto_now or field.auto_now_add):
        return _NOW
    if kind is models.UUIDField and native_uuid:
        return UUID  # the driver's own type on PostgreSQL
    if kind in (models.DateTimeField, models.DateField):
        return _NULL_ONLY  # not auto_now: its pre_save only reads the attribute
    if isinstance(field, models.ForeignKey):
        plain = type(field.target_field) in (models.AutoField, models.BigAutoField)
    else:
        plain = kind.pre_save is models.Field.pre_save
    return _PLAIN.get(kind) if plain else None


def _insert(connection, model, fields, rows) -> None:
    sql = _insert_sql(connection, model, fields)
    # One statement for every row: psycopg parses it once and pipelines the
    # rows; a giant multi-row VALUES costs more to parse than it saves.
    if len(rows) == 1:  # a task row: executemany's machinery costs more
        with cursor_for(connection, in_pipeline(connection)) as cursor:
            cursor.execute(sql, rows[0])
        return
    with connection.cursor() as cursor:
        for start in range(0, len(rows), BATCH):
            cursor.executemany(sql, rows[start : start + BATCH])


_INSERT_SQL: dict = {}


def _insert_sql(connection, model, fields) -> str:
    """INSERT INTO table (columns) VALUES (%s, …), built once per field list."""

    def build():
        qn = connection.ops.quote_name
        return "INSERT INTO {} ({}) VALUES {}".format(  # noqa: S608 - names quoted from model metadata
            qn(model._meta.db_table),
            ", ".join(qn(f.column) for f in fields),
            placeholders(1, len(fields)),
        )

    key = (connection.vendor, model, id(fields))
    return _per_fields(_INSERT_SQL, key, fields, build)


def cursor_for(connection, pipelined: bool):
    """A cursor for one statement: in a psycopg pipeline (`pipelined`, as
    `in_pipeline` says), the backend's bare psycopg cursor if it offers one
    (see `pipeline_cursor` in backoffice/tenancy/pgbackend; errors still
    surface as Django's, through `core.batch.pipelined()`); otherwise
    Django's cursor, every execute wrapper applied."""
    if pipelined:
        offer = getattr(connection, "pipeline_cursor", None)
        cursor = offer() if offer is not None else None
        if cursor is not None:
            return cursor
    return connection.cursor()


def in_pipeline(connection) -> bool:
    return (
        connection.vendor == "postgresql"
        and connection.connection.pgconn.pipeline_status != pq.PipelineStatus.OFF
    )


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
    rows = prepared_values(objs, fields, connection, add=True)
    _insert(connection, model, fields, rows)
    if history is not None:
        _history(connection, model, fields, rows, kind="+", **history)
    mark_saved(objs, using)
    return objs


def insert_given(model, objs: list, *, using: str = "default") -> list:
    """INSERT new instances whose primary keys are already set (UUIDs), with
    one prepared statement and no RETURNING: what `Model.objects.create` does
    for such a row, without compiling a query each time."""
    if not objs:
        return objs
    connection = connections[using]
    fields = model._meta.concrete_fields
    rows = prepared_values(objs, fields, connection, add=True)
    _insert(connection, model, fields, rows)
    mark_saved(objs, using)
    return objs


def mark_saved(objs, using: str) -> None:
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
    rows = prepared_values(objs, all_fields, connection, add=False)
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
