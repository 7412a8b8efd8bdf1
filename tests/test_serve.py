"""`bin/serve.py` (`make run`): web server and worker start and stop together.

Given the runner serving on a free port with its worker, when it gets Ctrl-C
then both processes and everything they started are gone; when the worker
dies instead, the web server is stopped too and the runner reports failure.
"""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DEADLINE = 90  # seconds; Django starts slowly on a loaded machine


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _live_in_group(pgid: int) -> list[int]:
    """Processes of a process group that still run (zombies do not count)."""
    alive = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        state, group = fields[0], int(fields[2])
        if group == pgid and state != "Z":
            alive.append(int(stat.parent.name))
    return alive


def _until(condition, what: str, deadline: float = DEADLINE):
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        if result := condition():
            return result
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310
            return response.status == 200
    except OSError:
        return False


@pytest.fixture
def serve(tmp_path):
    """Start the runner on an empty SQLite database with the queue's table."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_"))
    }
    env.update(
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        DJANGO_DEBUG="1",
        PYTHONUNBUFFERED="1",
    )
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "django_tasks_database", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    port = _free_port()
    log = tmp_path / "serve.log"
    with log.open("w") as out:
        runner = subprocess.Popen(
            [sys.executable, "bin/serve.py", f"127.0.0.1:{port}"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}/admin/login/"
    pids = {}
    try:
        _until(lambda: _answers(url), "the web server")
        _until(lambda: "Starting worker" in log.read_text(), "the worker")
        for line in log.read_text().splitlines():
            if line.startswith("serve: ") and " started (pid " in line:
                pids[line.split()[1]] = int(line.split("(pid ")[1].split(")")[0])
        yield runner, pids, url, log
    finally:  # whatever happened, leave no process behind
        for pgid in (runner.pid, *pids.values()):
            for pid in _live_in_group(pgid):
                os.kill(pid, signal.SIGKILL)
        runner.wait()


def test_ctrl_c_stops_web_server_and_worker(serve):
    runner, pids, url, log = serve
    assert set(pids) == {"web", "worker"}

    runner.send_signal(signal.SIGINT)

    assert runner.wait(timeout=30) == 0, log.read_text()
    for name, pid in pids.items():
        _until(lambda pid=pid: not _live_in_group(pid), f"{name} to stop", 15)
    assert not _answers(url)
    assert "serve: SIGINT, stopping web and worker" in log.read_text()


def test_a_dead_worker_stops_the_web_server(serve):
    runner, pids, url, log = serve

    os.killpg(pids["worker"], signal.SIGKILL)

    assert runner.wait(timeout=30) == 128 + signal.SIGKILL, log.read_text()
    _until(lambda: not _live_in_group(pids["web"]), "the web server to stop", 15)
    assert not _answers(url)
    assert "serve: worker exited with code -9, stopping" in log.read_text()
