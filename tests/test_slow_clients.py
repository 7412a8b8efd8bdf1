"""Slow clients against the production set-up (issue 10, Availability).

Twenty clients each send one header line every 5 s (slowloris), over real
loopback sockets, while a till keeps asking for its cash session. Bare sync
gunicorn gives every worker to a slow client and the till waits; behind nginx
with deploy/nginx.conf (and gunicorn.conf.py) the till answers within 1 s.
Each phase is bounded: 20 clients, a few seconds, then everything is closed.
"""

import http.client
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from contextlib import contextmanager

import pytest

from tests.test_settings import ROOT, production_env, run_manage

SLOW_CLIENTS = 20
LINE_EVERY = 5.0  # seconds between two header lines of a slow client
WINDOW = 5.0  # seconds of till requests measured during the attack
TILL_TIMEOUT = 3.0  # a request slower than this counts as a stall
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"  # root's PATH has sbin

SETUP = """
from django.core.management import call_command
from django.test import Client
from backoffice.tenancy.context import tenant_context
from backoffice.tenancy.models import EmissionPoint
from pos.services import cash_session_open
from tests.factories import BusinessFactory, UserFactory, membership
call_command("migrate", verbosity=0)
business = BusinessFactory()
user = UserFactory(username="caja")
membership(business, user, "cashier")
with tenant_context(business):
    point = EmissionPoint.objects.for_business(business).get()
    cash_session_open(business=business, point=point, user=user, opening_float=20)
client = Client()
client.force_login(user)
print(point.pk, client.cookies["sessionid"].value)
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """A migrated production database with a cashier whose till is open."""
    tmp = tmp_path_factory.mktemp("slow")
    env = production_env(tmp) | {
        "DJANGO_INSECURE_HTTP": "1",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_STATIC_ROOT": str(tmp / "static"),
        "DJANGO_LOG_LEVEL": "WARNING",
    }
    made = run_manage("shell", "--no-imports", "-c", SETUP, **env)
    assert made.returncode == 0, made.stderr
    point, session = made.stdout.split()
    return {"env": env, "tmp": tmp, "point": point, "session": session}


def _wait_for_port(port: int, process: subprocess.Popen, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert process.poll() is None, f"{process.args[0]} exited"
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise AssertionError(f"nothing listens on {port} after {seconds} s")


@contextmanager
def running(args, *, env, port, log, stop=signal.SIGTERM):
    # The site's own settings only, never the caller's (CI sets DATABASE_URL).
    mine = ("DJANGO_", "DATABASE_", "FISCAL_CERT_KEY", "MEDIA_S3")
    base = {k: v for k, v in os.environ.items() if not k.startswith(mine)}
    with open(log, "wb") as out:
        process = subprocess.Popen(
            args, cwd=ROOT, env=base | env, stdout=out, stderr=subprocess.STDOUT
        )
        try:
            _wait_for_port(port, process)
            yield process
        finally:
            process.send_signal(stop)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def gunicorn(site, port, *extra):
    args = [sys.executable, "-m", "gunicorn", *extra, "backoffice.wsgi"]
    args += ["--bind", f"127.0.0.1:{port}"]
    env = site["env"] | {"WEB_CONCURRENCY": "2"}
    log = site["tmp"] / f"gunicorn-{port}.log"
    # SIGQUIT: stop now, without waiting for requests still queued.
    return running(args, env=env, port=port, log=log, stop=signal.SIGQUIT)


def nginx(site, port, upstream):
    """deploy/nginx.conf as it stands, with test ports and paths."""
    tmp = site["tmp"]
    conf = (ROOT / "deploy" / "nginx.conf").read_text()
    for old, new in (
        ("server 127.0.0.1:8000;", f"server 127.0.0.1:{upstream};"),
        ("listen 80;", f"listen 127.0.0.1:{port};"),
        ("/var/log/nginx/", f"{tmp}/"),
    ):
        assert old in conf, old
        conf = conf.replace(old, new)
    (tmp / "southernpos.conf").write_text(conf)
    temp = "".join(
        f"{kind}_temp_path {tmp}/{kind};\n"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    (tmp / "main.conf").write_text(
        f"daemon off;\nworker_processes 1;\npid {tmp}/nginx.pid;\n"
        f"error_log {tmp}/nginx-error.log warn;\n"
        "events { worker_connections 512; }\n"
        f"http {{\n{temp}access_log off;\ninclude {tmp}/southernpos.conf;\n}}\n"
    )
    args = [NGINX, "-p", str(tmp), "-c", str(tmp / "main.conf")]
    return running(args, env={}, port=port, log=tmp / "nginx.log")


@contextmanager
def slow_clients(port, count=SLOW_CLIENTS):
    """Clients that send a request's header one line every LINE_EVERY seconds."""
    stop = threading.Event()

    def client(n):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=2) as s:
                s.sendall(b"GET /pos/ HTTP/1.1\r\nHost: 127.0.0.1\r\n")
                line = 0
                while not stop.wait(LINE_EVERY):
                    line += 1
                    s.sendall(f"X-Slow-{n}-{line}: a\r\n".encode())
        except OSError:
            pass  # cut off by the server: that is its defence

    threads = [threading.Thread(target=client, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    try:
        time.sleep(1.0)  # every slow client connected and started its header
        yield
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=5)


def till_request(site, port, timeout=TILL_TIMEOUT) -> float:
    """The till asks for its cash session: seconds to the answer (inf: none)."""
    path = f"/pos/api/cash-sessions?emission_point={site['point']}"
    headers = {"Cookie": f"sessionid={site['session']}", "Host": "127.0.0.1"}
    start = time.monotonic()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        body = response.read()
        assert response.status == 200, (response.status, body[:300])
        return time.monotonic() - start
    except (TimeoutError, OSError):
        return float("inf")
    finally:
        connection.close()


def warm_up(site, port, seconds=40) -> None:
    """Wait until every worker has loaded Django: a few quick answers in a row."""
    deadline, quick = time.monotonic() + seconds, 0
    while quick < 4:
        assert time.monotonic() < deadline, "the server never answered quickly"
        quick = quick + 1 if till_request(site, port, timeout=20) < 1.0 else 0


def till_latencies(site, port, seconds=WINDOW) -> list[float]:
    """Ask for the till's cash session over and over for `seconds`."""
    latencies = []
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        latencies.append(till_request(site, port))
        time.sleep(0.2)
    return latencies


def summary(latencies):
    return (
        f"n={len(latencies)} median={statistics.median(latencies):.3f}s "
        f"max={max(latencies):.3f}s"
    )


def test_bare_sync_gunicorn_stalls_the_till(site):
    """The attack is real: without a proxy in front, the till waits."""
    port = free_port()
    with gunicorn(site, port, "--no-control-socket", "--access-logfile", "-"):
        warm_up(site, port)
        with slow_clients(port):
            latencies = till_latencies(site, port)
    print("bare sync gunicorn, 20 slow clients:", summary(latencies))
    assert max(latencies) > 1.0, summary(latencies)


@pytest.mark.nginx
def test_nginx_in_front_keeps_the_till_answering(site):
    upstream, port = free_port(), free_port()
    with (
        gunicorn(site, upstream, "-c", str(ROOT / "gunicorn.conf.py")),
        nginx(site, port, upstream),
    ):
        warm_up(site, port)
        with slow_clients(port):
            latencies = till_latencies(site, port)
        lookup = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        lookup.request(
            "GET",
            "/pos/api/customers?q=0912345675",
            headers={"Cookie": f"sessionid={site['session']}"},
        )
        assert lookup.getresponse().status == 200
        lookup.close()
    print("nginx + gunicorn.conf.py, 20 slow clients:", summary(latencies))
    assert len(latencies) >= 10, summary(latencies)
    assert max(latencies) < 1.0, summary(latencies)
    # Neither access log keeps the cédula a look-up carried in its query string.
    for log in (f"gunicorn-{upstream}.log", "southernpos.access.log"):
        text = (site["tmp"] / log).read_text()
        assert '"GET /pos/api/customers HTTP/1.' in text, text[-2000:]
        assert "0912345675" not in text
