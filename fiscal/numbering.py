"""Gap-free document numbers, one sequence per emission point and document type.

The number is taken under a row lock inside the caller's transaction: if the
sale rolls back, so does the number, and concurrent tills wait their turn.
"""

from django.db import transaction

from core.sql import Sql

from .models import DocumentSequence

# The ORM's update() returns no values; PostgreSQL and SQLite ≥ 3.35 both take
# RETURNING. Row-level security still applies to this statement.
INCREMENT = Sql(
    "document_number_next",
    "UPDATE {DocumentSequence} SET {DocumentSequence.last_number} = "
    "{DocumentSequence.last_number} + 1 WHERE {DocumentSequence.business} = %s "
    "AND {DocumentSequence.emission_point} = %s AND {DocumentSequence.doc_type} = %s "
    "RETURNING {DocumentSequence.last_number}",
    models=(DocumentSequence,),
    example=lambda vendor: ({}, [0, 0, "01"]),
)


def number_take(*, business, emission_point, doc_type: str) -> tuple[str, list]:
    """The statement that takes the next number (its one row holds it), for a
    caller that sends it with others (a `core.batch.Batch`); no row means the
    sequence does not exist yet: then call `next_number`, which creates it."""
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        raise RuntimeError("a number must be taken inside the document's transaction")
    return INCREMENT.render(connection), [
        _pk(business),
        _pk(emission_point),
        doc_type,
    ]


def next_number(*, business, emission_point, doc_type: str) -> int:
    # number_take refuses to run outside the document's transaction.
    keys = {
        "business": business,
        "emission_point": emission_point,
        "doc_type": doc_type,
    }
    # One statement: the UPDATE takes the row lock, RETURNING gives the number.
    number = _increment(keys)
    if number is None:
        # First document of its kind at this point: create the row (a concurrent
        # first use may win the insert; the UPDATE then waits for its lock).
        DocumentSequence.objects.bulk_create(
            [DocumentSequence(**keys)], ignore_conflicts=True
        )
        number = _increment(keys)
    return number


def _increment(keys) -> int | None:
    connection = transaction.get_connection()
    with connection.cursor() as cursor:
        cursor.execute(*number_take(**keys))
        row = cursor.fetchone()
    return row[0] if row else None


def _pk(value):
    return getattr(value, "pk", value)


def format_number(*, establishment_code: str, point_code: str, number: int) -> str:
    """`001-001-000000123`, as printed on SRI documents."""
    return f"{establishment_code}-{point_code}-{number:09d}"
