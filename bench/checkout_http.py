"""The checkout benchmark's real-HTTP till: gunicorn started as the Procfile
starts it, and a logged-in till posting the page's JSON to it
(bench/bench_checkout.py, mode `http`). Imported after django.setup()."""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from django.conf import settings as django_settings
from django.middleware.csrf import CSRF_ALLOWED_CHARS, CSRF_SECRET_LENGTH
from django.test import Client
from django.utils.crypto import get_random_string

from bench.checkout_raw import _cart

ROOT = Path(__file__).resolve().parent.parent


def _api_body(ctx, state, rng) -> str:
    """The JSON the POS page posts for a 5-line cash sale."""
    return json.dumps(
        {
            "idempotency_key": str(uuid.uuid4()),
            "emission_point": state["point"].pk,
            "lines": [{"product": pid, "quantity": q} for pid, q in _cart(rng, ctx)],
            "payments": [{"method": "01", "amount": "1000.00"}],
        }
    )


def http_login(state, port):
    """A logged-in till over HTTP: session cookie, CSRF cookie and header.

    The session is made as the test client's `force_login` makes it (a row in
    the session table, the cookie names it); every request then runs the whole
    path, session and user loaded from the database. The CSRF cookie is a fresh
    secret, which Django accepts as its own (double submit); the page's api.js
    sends the cookie's value back as X-CSRFToken. The headers are nginx's
    (deploy/nginx.conf): X-Forwarded-Proto says HTTPS, so Django
    (SECURE_PROXY_SSL_HEADER) treats the request as secure, as in production,
    and its CSRF check then wants the Origin the browser's fetch() sends.
    """
    client = Client()
    client.force_login(state["user"])
    session = client.cookies[django_settings.SESSION_COOKIE_NAME].value
    csrf = get_random_string(CSRF_SECRET_LENGTH, CSRF_ALLOWED_CHARS)
    state["headers"] = {
        "Content-Type": "application/json",
        "Accept": "application/json",
        "Cookie": f"{django_settings.SESSION_COOKIE_NAME}={session}; "
        f"{django_settings.CSRF_COOKIE_NAME}={csrf}",
        "X-CSRFToken": csrf,
        "X-Forwarded-Proto": "https",
        "X-Forwarded-For": "127.0.0.1",
        "Origin": f"https://127.0.0.1:{port}",
    }
    # The request as bytes, all but its body built once: the load generator
    # shares the two cores with gunicorn and PostgreSQL, and http.client's
    # request and response machinery (header parsing through email.parser)
    # cost ~1 ms of the till's CPU a sale, which the raw row's process does
    # not spend. Like nginx's upstream connections, a new connection per
    # request: gunicorn's sync workers close it after each answer.
    state["http"] = ("127.0.0.1", port)
    state["request_head"] = (
        f"POST /pos/api/sales HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        + "".join(f"{name}: {value}\r\n" for name, value in state["headers"].items())
        + "Connection: close\r\nContent-Length: "
    ).encode("latin-1")


def post_http(ctx, state, rng):
    body = _api_body(ctx, state, rng).encode()
    request = state["request_head"] + b"%d\r\n\r\n" % len(body) + body
    with socket.create_connection(state["http"], timeout=60) as conn:
        conn.sendall(request)
        chunks = []
        while chunk := conn.recv(65536):
            chunks.append(chunk)
    answer = b"".join(chunks)
    status = answer[9:12]
    assert status == b"201", answer[:2000]


# --- gunicorn, as the Procfile's `web:` line starts it ------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _die_with_parent():
    """gunicorn's master gets SIGTERM if the bench is killed (Linux)."""
    with contextlib.suppress(Exception):
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PDEATHSIG


def _answers(port) -> bool:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", "/pos/api/sales", headers={"X-Forwarded-Proto": "https"})
        conn.getresponse().read()
        return True
    except OSError:
        return False
    finally:
        conn.close()


def _stop(proc):
    if proc.poll() is None:
        proc.terminate()  # graceful: the master stops its workers
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=30)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)  # whatever of its group is left
    proc.wait()


def _start(workers: int, log):
    """The Procfile's command on a free port; (process, port) once it answers."""
    env = {**os.environ, "WEB_CONCURRENCY": str(workers)}
    for _attempt in range(3):
        port = _free_port()
        proc = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py"]
            + ["backoffice.wsgi", "--bind", f"127.0.0.1:{port}"],
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, stopped as one
            preexec_fn=_die_with_parent,
        )
        try:
            deadline = time.monotonic() + 60
            while proc.poll() is None and time.monotonic() < deadline:
                if _answers(port):
                    return proc, port
                time.sleep(0.2)
        except BaseException:
            _stop(proc)
            raise
        _stop(proc)  # exited (port taken meanwhile?) or never answered
    raise RuntimeError("gunicorn did not start")


@contextlib.contextmanager
def gunicorn(workers: int):
    """`gunicorn -c gunicorn.conf.py backoffice.wsgi` on 127.0.0.1 with `workers`
    sync workers (WEB_CONCURRENCY, which gunicorn.conf.py reads) and this
    process's settings (DEBUG off, DATABASE_URL/DATABASE_ROLE); yields its
    port and stops it on the way out, failures included. Its access log goes
    to a file, printed when something fails."""
    with tempfile.TemporaryFile() as log:
        proc = None
        try:
            proc, port = _start(workers, log)
            # A worker imports the URLconf and the views on its first request:
            # concurrent requests reach every worker (a busy one does not accept).
            with ThreadPoolExecutor(2 * workers) as pool:
                list(pool.map(_answers, [port] * 4 * workers))
            yield port
        except BaseException:
            log.seek(0)
            sys.stderr.write(log.read()[-5000:].decode(errors="replace"))
            raise
        finally:
            if proc is not None:
                _stop(proc)
