"""timestamptz values come back exactly as Django's own loader gives them,
parsed by psycopg's compiled loader (backoffice/tenancy/pgbackend/timestamps.py)."""

import datetime as dt

import pytest
from django.db import connection
from django.db.backends.postgresql.psycopg_any import register_tzloader
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backoffice.tenancy.pgbackend import timestamps

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

ZONES = st.sampled_from(
    [
        dt.UTC,
        dt.timezone(dt.timedelta(hours=-5)),  # Ecuador
        dt.timezone(dt.timedelta(hours=5, minutes=30)),
        dt.timezone(dt.timedelta(hours=-9, minutes=-30)),
    ]
)


def _read(cursor, value):
    cursor.execute("SELECT %s::timestamptz, %s::timestamptz::text", [value, value])
    return cursor.fetchone()


def test_the_connection_loads_timestamps_with_the_compiled_parser():
    assert timestamps.compiled()  # psycopg-binary, as requirements.txt installs
    connection.ensure_connection()
    loader = connection.connection.adapters.get_loader(1184, 0)
    assert loader.__name__ == "FastTzLoader"
    assert loader.timezone == connection.timezone  # create_cursor adds none
    with connection.cursor() as cursor:
        assert cursor.cursor.adapters.get_loader(1184, 0) is loader


@settings(max_examples=200, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.datetimes(
        min_value=dt.datetime(1, 1, 2),
        max_value=dt.datetime(9999, 12, 30),
        timezones=ZONES,
    )
)
def test_every_timestamp_reads_as_djangos_loader_reads_it(value):
    connection.ensure_connection()
    raw = connection.connection
    with raw.cursor() as ours, raw.cursor() as django:
        register_tzloader(connection.timezone, django)  # Django's own loader
        mine, text = _read(ours, value)
        theirs, _text = _read(django, value)
    assert mine == theirs == value, text
    assert mine.tzinfo is theirs.tzinfo is connection.timezone
    assert mine.utcoffset() == dt.timedelta(0)


def test_a_naive_setting_reads_naive_datetimes():
    """USE_TZ off: Django's loader drops the zone; so does ours."""
    loader = timestamps.fast_tz_loader(None)
    connection.ensure_connection()
    with connection.connection.cursor() as cursor:
        cursor.adapters.register_loader("timestamptz", loader)
        value, _text = _read(
            cursor, dt.datetime(2026, 12, 1, 10, 11, 12, tzinfo=dt.UTC)
        )
    assert value == dt.datetime(2026, 12, 1, 10, 11, 12)
    assert value.tzinfo is None


def _outcome(cursor, text):
    try:
        cursor.execute("SELECT %s::timestamptz", [text])
        return cursor.fetchone()[0]
    except Exception as exc:  # noqa: BLE001 - the error itself is compared
        return type(exc), str(exc)


@pytest.mark.parametrize(
    "text",
    [
        "infinity",
        "-infinity",
        "0001-01-01 00:00:00+00",
        "9999-12-31 23:59:59.999999+00",
        "1900-01-01 00:00:00+00:19:32",  # a seconds offset (LMT)
    ],
)
def test_the_edges_read_or_fail_as_with_djangos_loader(text):
    connection.ensure_connection()
    raw = connection.connection
    with raw.cursor() as ours, raw.cursor() as django:
        register_tzloader(connection.timezone, django)
        assert _outcome(ours, text) == _outcome(django, text)
