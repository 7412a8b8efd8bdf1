from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import transaction
from django.utils import translation


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo businesses, loaded once per module and rolled back after it.

    Each test still runs in its own savepoint (pytest-django's `db`).
    """
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            call_command("load_demo", sales=2, stdout=StringIO())
            yield
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture(autouse=True)
def _default_language_after():
    """A request in English leaves English active in the thread: restore it."""
    yield
    translation.activate(settings.LANGUAGE_CODE)
