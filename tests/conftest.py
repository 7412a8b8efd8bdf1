"""Shared fixtures, and the rule that CI never silently skips what it must run.

Tests marked `postgres`, `browser`, `xsd`, `xmlsec` or `nginx` skip (with the reason)
when their requirement is missing (`xsd`: the SRI's official schemas and
samples, see tests/sri_official.py). `SOUTHERNPOS_STRICT=postgres,browser,...`
(set by .ci/run) turns those skips into failures.
"""

import os
import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from hypothesis import settings as hypothesis_settings

from backoffice.tenancy.context import tenant_context
from tests.factories import BusinessFactory, UserFactory, membership
from tests.sri_official import official_schemas_missing

# Property tests assert values, never time: on 2 shared cores (CI, other test
# workers) an example can take longer than Hypothesis's 200 ms default deadline.
hypothesis_settings.register_profile("southernpos", deadline=None)
hypothesis_settings.load_profile("southernpos")


def _missing(marker: str) -> str | None:
    if marker == "postgres" and connection.vendor != "postgresql":
        return "needs PostgreSQL (set DATABASE_URL); SQLite has no RLS/triggers"
    if (
        marker == "browser"
        and not Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")).exists()
    ):
        return "needs Debian's chromium at /usr/bin/chromium"
    if marker == "xsd":
        # Only the cross-checks need the SRI's own files; our documents are
        # validated against our schemas (fiscal/sri/xsd) everywhere.
        return official_schemas_missing()
    if marker == "nginx" and not (
        shutil.which("nginx") or Path("/usr/sbin/nginx").exists()
    ):
        return "needs nginx (apt-get install nginx-light)"
    if marker == "xmlsec" and not shutil.which("xmlsec1"):
        return "needs the xmlsec1 verifier (apt-get install xmlsec1)"
    return None


APP_ROLE = "southernpos_app"


def pytest_configure(config):
    # PBKDF2 costs ~0.35 s per password on this machine; tests don't need it.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    _assume_app_role_if_bypassing()


def _assume_app_role_if_bypassing() -> None:
    """Test as the app runs: never as a role that bypasses row-level security.

    With PostgreSQL as a superuser and no DATABASE_ROLE, the suite assumes the
    NOSUPERUSER NOBYPASSRLS role `southernpos_app` (created if missing), as
    production does through DATABASE_ROLE; otherwise the RLS tests would
    rightly fail, since a superuser sees every business.
    """
    database = settings.DATABASES["default"]
    options = database.setdefault("OPTIONS", {})
    if database["ENGINE"] == "django.db.backends.sqlite3" or options.get("assume_role"):
        return
    import psycopg

    params = {
        "user": database["USER"],
        "host": database["HOST"],
        "port": database["PORT"] or 5432,
        "password": database["PASSWORD"] or None,
    }
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as conn:
        bypasses = conn.execute(
            "SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = current_user"
        ).fetchone()[0]
        if not bypasses:
            return  # already a role under RLS
        if not conn.execute(
            "SELECT 1 FROM pg_roles WHERE rolname = %s", [APP_ROLE]
        ).fetchone():
            conn.execute(
                f'CREATE ROLE "{APP_ROLE}" NOSUPERUSER NOBYPASSRLS CREATEDB NOLOGIN'
            )
        # Test databases left by a run as the superuser: hand them to the app
        # role, so Django can recreate them as usual.
        leftovers = conn.execute(
            "SELECT datname FROM pg_database WHERE (datname = %s OR datname LIKE %s)"
            " AND pg_get_userbyid(datdba) <> %s",
            [f"test_{database['NAME']}", f"test_{database['NAME']}_gw%", APP_ROLE],
        ).fetchall()
        for (name,) in leftovers:
            conn.execute(f'ALTER DATABASE "{name}" OWNER TO "{APP_ROLE}"')
    options["assume_role"] = APP_ROLE


def pytest_runtest_setup(item):
    strict = set(filter(None, os.environ.get("SOUTHERNPOS_STRICT", "").split(",")))
    for marker in ("postgres", "browser", "xsd", "xmlsec", "nginx"):
        if item.get_closest_marker(marker) and (reason := _missing(marker)):
            if marker in strict:
                pytest.fail(f"must not skip in CI: {reason}")
            pytest.skip(reason)


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the site's language: a request in English (the test
    client's LocaleMiddleware) leaves English active in the thread afterwards."""
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def business(db):
    return BusinessFactory()


@pytest.fixture
def other_business(db):
    return BusinessFactory()


@pytest.fixture
def tenant(business):
    with tenant_context(business):
        yield business


@pytest.fixture
def owner(business):
    user = UserFactory()
    membership(business, user, "owner")
    return user


@pytest.fixture
def owner_client(client, owner):
    client.force_login(owner)
    return client


@pytest.fixture
def role_client(client, business):
    """Log in a member of `business` with the given role."""

    def make(role, target=None):
        user = UserFactory()
        membership(target or business, user, role)
        client.force_login(user)
        return client

    return make


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def two_categories(business, other_business):
    """One category in each business: "Bebidas A" in `business`, "Bebidas B"
    in `other_business` (isolation tests read them back)."""
    from backoffice.catalog.models import Category

    with tenant_context(business):
        Category.objects.create(business=business, name="Bebidas A")
    with tenant_context(other_business):
        Category.objects.create(business=other_business, name="Bebidas B")
