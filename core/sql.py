"""Hand-written SQL that names tables and columns through model metadata.

The checkout's hot statements are written by hand: the ORM's query compiler
cost more than PostgreSQL did (BENCHMARKS.md, "How the checkout got there").
A template names `{Model}` for a model's quoted table and `{Model.field}` for
a field's quoted column, so a renamed field or table changes the SQL instead
of breaking it on one database. Parts that vary by database or by the number
of rows (an `IN` list, a lock clause, a VALUES list) are passed to `render`,
always built by code, never from input.

Every statement registers itself in `STATEMENTS`; tests/test_statements.py
prepares each one against the migrated schema on SQLite and on PostgreSQL, so
drift fails on both, not only in CI's PostgreSQL leg.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import DEFERRED

from .memo import remember

STATEMENTS: dict[str, Sql] = {}
# Rendered statements that touch no table with a `business_id` column: the
# row-level-security wrapper (backoffice.tenancy.rls) need not sync its
# setting before them (no policy reads it), saving a round trip per request.
TENANT_FREE: set[str] = set()
_CACHE_LIMIT = 256


class _Column(str):
    __slots__ = ()


class _Table:
    """`{Model}` → its quoted table; `{Model.field}` → the field's quoted column."""

    def __init__(self, model, quote):
        self._model, self._quote = model, quote

    def __format__(self, spec: str) -> str:
        return self._quote(self._model._meta.db_table)

    def __getattr__(self, name: str) -> _Column:
        return _Column(self._quote(self._model._meta.get_field(name).column))


class Sql:
    """One named statement; `example(vendor)` gives the parts and parameters
    the prepare test renders and binds it with."""

    def __init__(
        self,
        name: str,
        template: str,
        *,
        models: tuple,
        example: Callable[[str], tuple[dict, list]],
    ):
        if name in STATEMENTS:
            raise ValueError(f"statement {name!r} is defined twice")
        self.name, self.template, self.models = name, template, models
        self.example = example
        self.tenant_free = not any(
            f.column == "business_id" for m in models for f in m._meta.concrete_fields
        )
        self._rendered: dict = {}
        STATEMENTS[name] = self

    def render(self, connection, **parts: str) -> str:
        key = (connection.vendor, *sorted(parts.items()))
        sql = self._rendered.get(key)
        if sql is None:
            quote = connection.ops.quote_name
            names = {m.__name__: _Table(m, quote) for m in self.models}
            sql = self.template.format_map({**names, **parts})
            remember(self._rendered, key, sql, _CACHE_LIMIT)
            if self.tenant_free:
                TENANT_FREE.add(sql)
        return sql


def placeholders(count: int, width: int | None = None) -> str:
    """`%s, %s` (no width) or `(%s, %s), (%s, %s)` (rows of `width` values)."""
    if width is None:
        return ", ".join(["%s"] * count)
    row = "({})".format(", ".join(["%s"] * width))
    return ", ".join([row] * count)


def id_filter(connection, column: str, ids: list) -> tuple[str, list]:
    """`column = ANY(%s)` with one array parameter on PostgreSQL (the prepared
    statement is the same whatever the number of ids); an IN list elsewhere."""
    if connection.vendor == "postgresql":
        return f"{column} = ANY(%s)", [list(ids)]
    return f"{column} IN ({placeholders(len(ids))})", list(ids)


def columns(alias: str, model, names=None) -> str:
    """A SELECT list template for `model`'s fields (all concrete ones by
    default) under table alias `alias`: `m.{Membership.id}, m.{Membership.role}…`."""
    fields = _fields(model, names)
    return ", ".join(f"{alias}.{{{model.__name__}.{f.name}}}" for f in fields)


def select(*sources) -> str:
    """`SELECT` and the columns of each (alias, model) in turn: the head of a
    statement whose rows `instances` turns into one instance per model."""
    return "SELECT " + ", ".join(columns(alias, model) for alias, model in sources)


def instances(connection, row, *models) -> list:
    """One instance per model from a row of `select(…)` over the same models."""
    built, start = [], 0
    for model in models:
        width = len(model._meta.concrete_fields)
        built.append(instance(model, connection, row[start : start + width]))
        start += width
    return built


def _fields(model, names) -> list:
    meta = model._meta
    if names is None:
        return list(meta.concrete_fields)
    return [meta.get_field(n) for n in names]


_CONVERTERS: dict = {}


def instance(model, connection, values, names=None):
    """A model instance from a row of `columns(…, model, names)`, as a queryset
    builds it (`names`: a tuple, or None for every concrete field): each value
    through the backend's and the field's converters (SQLite hands decimals
    back as floats, JSON comes as text), then `Model.from_db`. Fields not read
    stay deferred."""
    key = (connection.vendor, model, names)
    plan = _CONVERTERS.get(key)
    if plan is None:
        fields = _fields(model, names)
        convert = []
        for field in fields:
            col = field.get_col(model._meta.db_table)
            convert.append(
                (
                    col,
                    connection.ops.get_db_converters(col)
                    + field.get_db_converters(connection),
                )
            )
        plan = ([f.attname for f in fields], convert)
        _CONVERTERS[key] = plan
    attnames, convert = plan
    row = []
    for value, (col, converters) in zip(values, convert, strict=True):
        for converter in converters:
            value = converter(value, col, connection)
        row.append(value)
    return model.from_db(connection.alias, attnames, row)


_BUILD_PLANS: dict = {}
_FRESH = object()


def build(model, /, **values):
    """`model(**values)`, through the positional constructor querysets use.

    A checkout builds about fifteen instances; Django's keyword constructor
    looks each of a model's fields up in the keywords and asks each missing
    one for its default, which cost a checkout more than its statements' own
    Python (BENCHMARKS.md, "fifth pass"). Here the slots and the constant
    defaults are planned once per model. A relation may be given as an object
    (`sale=sale`: set through its descriptor, which caches it, as the keyword
    constructor does) or as an id (`sale_id=…`), the primary key as `pk` too;
    a field not given takes its default; a name that is not a field is a
    TypeError, as there.
    """
    plan = _BUILD_PLANS.get(model)
    if plan is None:
        plan = _BUILD_PLANS[model] = _build_plan(model)
    slots, template, fresh = plan
    args = template.copy()
    related = []
    for key, value in values.items():
        slot = slots.get(key)
        if slot is None:
            raise TypeError(
                f"{model.__qualname__}() got an unexpected keyword argument {key!r}"
            )
        index, relation = slot
        if relation:
            related.append((key, value))
            value = None
        args[index] = value
    for index, field in fresh:
        if args[index] is _FRESH:
            args[index] = field.get_default()
    obj = model(*args)
    for name, value in related:
        setattr(obj, name, value)
    return obj


def _build_plan(model):
    slots, template, fresh = {}, [], []
    for index, field in enumerate(model._meta.concrete_fields):
        slots[field.attname] = (index, False)
        if field.is_relation:
            slots[field.name] = (index, True)
        if field.generated:
            template.append(DEFERRED)
        elif field.has_db_default() or (
            field.has_default() and callable(field.default)
        ):
            template.append(_FRESH)  # a new value per instance, or the database's
            fresh.append((index, field))
        else:
            template.append(field.get_default())
    slots["pk"] = slots[model._meta.pk.attname]
    return slots, template, tuple(fresh)
