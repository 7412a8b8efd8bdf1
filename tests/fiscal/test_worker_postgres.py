# ruff: noqa: F811 - pytest fixtures imported from tests.pos.conftest
"""The Procfile's worker sends a sale's factura on PostgreSQL, as the app role.

Given a business with its signing certificate and SRI sending enabled against
the local fake SRI, when a cashier posts a sale through `POST /pos/api/sales`
and the real `manage.py db_worker` process runs (its own process, its own
connection as the NOBYPASSRLS role, no tenant context from the test), then
the document ends AUTHORIZED and the fake SRI registered it exactly once.
"""

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.conf import settings as django_settings
from django.db import connection
from django_tasks_db.models import DBTaskResult

from backoffice.tenancy.context import tenant_context
from fiscal.models import DocState, ElectronicDocument
from fiscal.services import certificate_upload
from tests.pos.conftest import (  # noqa: F401 - fixtures
    _fast_hashers,
    cashier,
    point,
    product,
    session,
)

from .certs import PASSWORD, p12_single, pki_make

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
TASK_PATH = "fiscal.tasks.edoc_submit_task"
DEADLINE = 120  # seconds; a loaded CI machine starts Django slowly


@pytest.fixture
def fiscal_key(settings):
    key = Fernet.generate_key().decode()
    settings.FISCAL_CERT_KEY = key
    settings.SRI_SEND_ENABLED = True
    settings.TASKS = {"default": {"BACKEND": "fiscal.queue.DatabaseBackend"}}
    return key


@pytest.fixture
def certified_business(business, fiscal_key):
    with tenant_context(business):
        certificate_upload(
            business=business,
            p12=p12_single(pki_make(), ruc=business.ruc),
            password=PASSWORD,
        )
    return business


def _database_url() -> str:
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    port = db["PORT"] or 5432
    return f"postgres://{db['USER']}{password}@{db['HOST']}:{port}/{db['NAME']}"


def _worker_env(*, fake_sri, fiscal_key) -> dict:
    """The environment of a production worker, pointed at the test database."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_", "SRI_", "PYTEST"))
    }
    env.update(
        DATABASE_URL=_database_url(),
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY="worker-test-" + uuid.uuid4().hex,
        DJANGO_EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        FISCAL_CERT_KEY=fiscal_key,
        SRI_SEND_ENABLED="1",
        SRI_BASE_URL=fake_sri.base_url,
        SRI_TIMEOUT="10",
        SRI_XSD_DIR=django_settings.SRI_XSD_DIR,
        PYTHONUNBUFFERED="1",
    )
    if role := connection.settings_dict["OPTIONS"].get("assume_role"):
        env["DATABASE_ROLE"] = role
    return env


def _post_sale(client, cashier, product) -> dict:
    client.force_login(cashier)
    body = {
        "idempotency_key": str(uuid.uuid4()),
        "lines": [{"product": product.pk, "quantity": "2", "discount": "0"}],
        "payments": [{"method": "01", "amount": "10.00"}],
        "customer": None,
    }
    response = client.post(
        "/pos/api/sales", json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 201, response.content
    return response.json()


def _wait_for_verdict(business, sale_id: int, worker) -> ElectronicDocument:
    """Poll until the document is authorised, its task failed, the worker exited
    or time ran out; return the document as it is then."""
    deadline = time.monotonic() + DEADLINE
    failed = DBTaskResult.objects.filter(task_path=TASK_PATH, status="FAILED")
    while True:
        with tenant_context(business):
            edoc = ElectronicDocument.objects.get(source=f"sale:{sale_id}")
        if (
            edoc.state == DocState.AUTHORISED
            or failed.exists()
            or worker.poll() is not None
            or time.monotonic() > deadline
        ):
            return edoc
        time.sleep(0.25)


def test_procfile_worker_authorises_a_sale_posted_through_the_api(
    client, certified_business, cashier, session, product, fake_sri, fiscal_key
):
    sale = _post_sale(client, cashier, product)
    with tenant_context(certified_business):
        edoc = ElectronicDocument.objects.get(source=f"sale:{sale['id']}")
    assert edoc.state == DocState.GENERATED and fake_sri.sends == []
    queued = DBTaskResult.objects.get(task_path=TASK_PATH)
    assert queued.status == "READY"

    worker = subprocess.Popen(  # the Procfile's `worker:` line, and how to stop it
        [sys.executable, "manage.py", "db_worker", "--interval", "0.2"],
        cwd=ROOT,
        env=_worker_env(fake_sri=fake_sri, fiscal_key=fiscal_key),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        edoc = _wait_for_verdict(certified_business, sale["id"], worker)
    finally:
        worker.send_signal(signal.SIGTERM)
        try:
            output, _ = worker.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
            output, _ = worker.communicate()

    queued.refresh_from_db()
    assert (queued.status, queued.traceback) == ("SUCCESSFUL", ""), output
    assert edoc.state == DocState.AUTHORISED, output
    assert edoc.authorization_number == edoc.access_key
    assert fake_sri.registrations_of(edoc.access_key) == 1
    assert worker.returncode == 0, output  # SIGTERM while idle: a clean stop
