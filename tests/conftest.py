"""Shared fixtures, and the rule that CI never silently skips what it must run.

Tests marked `postgres`, `browser`, `xsd` or `xmlsec` skip (with the reason)
when their requirement is missing. `SOUTHERNPOS_STRICT=postgres,browser,...`
(set by .ci/run) turns those skips into failures.
"""

import os
import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from backoffice.tenancy.context import tenant_context
from tests.factories import BusinessFactory, UserFactory, membership


def _missing(marker: str) -> str | None:
    if marker == "postgres" and connection.vendor != "postgresql":
        return "needs PostgreSQL (set DATABASE_URL); SQLite has no RLS/triggers"
    if (
        marker == "browser"
        and not Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")).exists()
    ):
        return "needs Debian's chromium at /usr/bin/chromium"
    if marker == "xsd" and not (
        settings.SRI_XSD_DIR and Path(settings.SRI_XSD_DIR).is_dir()
    ):
        return "needs the official SRI XSD schemas: set SRI_XSD_DIR"
    if marker == "xmlsec" and not shutil.which("xmlsec1"):
        return "needs the xmlsec1 verifier (apt-get install xmlsec1)"
    return None


def pytest_configure(config):
    # PBKDF2 costs ~0.35 s per password on this machine; tests don't need it.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def pytest_runtest_setup(item):
    strict = set(filter(None, os.environ.get("SOUTHERNPOS_STRICT", "").split(",")))
    for marker in ("postgres", "browser", "xsd", "xmlsec"):
        if item.get_closest_marker(marker) and (reason := _missing(marker)):
            if marker in strict:
                pytest.fail(f"must not skip in CI: {reason}")
            pytest.skip(reason)


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
