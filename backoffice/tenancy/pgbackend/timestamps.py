"""timestamptz values parsed by psycopg's own (C) loader.

Django registers, on every PostgreSQL connection, a loader that turns each
timestamptz into a datetime in the connection's time zone
(`django.db.backends.postgresql.psycopg_any.register_tzloader`). It subclasses
psycopg's pure-Python loader, so with psycopg's C implementation installed
(psycopg-binary, requirements.txt) every timestamp read is still parsed in
Python: ≈ 4 µs each instead of ≈ 0.3 µs, which a month's export of 20,000
documents or the checkout's request (11 timestamps) pays row by row.

`fast_tz_loader(tz)` gives a loader with the same result, the value psycopg's
default loader parses, with `tzinfo` replaced by `tz` exactly as Django's does,
or None when psycopg has no compiled loader (nothing to gain). It keeps
Django's `timezone` attribute, which `create_cursor` compares.
"""

import psycopg
from psycopg.adapt import Loader
from psycopg.pq import Format

_OID = psycopg.adapters.types["timestamptz"].oid
_NATIVE = psycopg.adapters.get_loader(_OID, Format.TEXT)


def compiled() -> bool:
    """Whether psycopg's default timestamptz loader is its compiled one."""
    return _NATIVE is not None and not _NATIVE.__module__.startswith("psycopg.")


def fast_tz_loader(tz):
    if not compiled():
        return None

    class FastTzLoader(Loader):
        timezone = tz

        def __init__(self, oid, context=None):
            super().__init__(oid, context)
            self._native = _NATIVE(oid, context)

        def load(self, data):
            return self._native.load(data).replace(tzinfo=tz)

    return FastTzLoader


def register(context, tz) -> None:
    """Load the timestamptz values of `context` (a connection's adapters
    template, or a connection) with the compiled parser, if there is one."""
    loader = fast_tz_loader(tz)
    if loader is not None:
        context.register_loader("timestamptz", loader)
