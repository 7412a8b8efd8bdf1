#!/usr/bin/env python3
"""Run the development web server and the task worker together (`make run`).

    python bin/serve.py [ADDR]      # ADDR defaults to 127.0.0.1:8000

Starts `manage.py runserver ADDR` and `manage.py db_worker` (the Procfile's
`web:` and `worker:` for a developer's machine), so a sale rung on the local
POS is signed by the worker as in production. Both stop together: Ctrl-C (or
SIGTERM) stops both, and when one of them exits the other is stopped and this
script exits with an error. Standard library only.

Each child runs in a session of its own, so its process group holds it and
whatever it starts (Django's autoreloader restarts the server in a child
process): stopping a group stops all of it, and the terminal's Ctrl-C reaches
only this script, which then stops the children in order.
"""

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GRACE = 10  # seconds a child gets to finish (the worker finishes its task)
POLL = 0.2


_stop_signal: list[str] = []  # set by the handler, read by the loop


def _stop_requested(signum, frame):
    _stop_signal.append(signal.Signals(signum).name)


def _start(name: str, *args: str) -> tuple[str, subprocess.Popen]:
    command = [sys.executable, str(ROOT / "manage.py"), *args]
    process = subprocess.Popen(command, cwd=ROOT, start_new_session=True)
    print(f"serve: {name} started (pid {process.pid}): {' '.join(args)}", flush=True)
    return name, process


def _signal_group(process: subprocess.Popen, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError):  # the group has already exited
        os.killpg(process.pid, signum)


def _running(process: subprocess.Popen) -> bool:
    """Whether the child or anything it started (its process group) still runs."""
    if process.poll() is None:
        return True
    try:
        os.killpg(process.pid, 0)
    except ProcessLookupError:
        return False
    return True


def _stop(children) -> None:
    """Ctrl-C each child's group, wait for all of it, then kill what is left."""
    for _, process in children:
        _signal_group(process, signal.SIGINT)
    deadline = time.monotonic() + GRACE
    for name, process in children:
        while _running(process) and time.monotonic() < deadline:
            time.sleep(POLL)
        if _running(process):
            print(f"serve: {name} did not stop in {GRACE} s, killing it", flush=True)
            _signal_group(process, signal.SIGKILL)
        process.wait()


def _wait(children) -> tuple[str, int] | None:
    """The first child to exit and its code, or None on Ctrl-C / SIGTERM."""
    while not _stop_signal:
        for name, process in children:
            if process.poll() is not None:
                return name, process.returncode
        time.sleep(POLL)
    return None


def main(argv: list[str]) -> int:
    addr = argv[0] if argv else "127.0.0.1:8000"
    signal.signal(signal.SIGINT, _stop_requested)
    signal.signal(signal.SIGTERM, _stop_requested)
    children = [_start("web", "runserver", addr), _start("worker", "db_worker")]
    exited = _wait(children)
    if exited is None:
        print(f"serve: {_stop_signal[0]}, stopping web and worker", flush=True)
    else:
        print(f"serve: {exited[0]} exited with code {exited[1]}, stopping", flush=True)
    _stop(children)
    if exited is None:
        return 0
    code = exited[1]
    return 128 - code if code < 0 else code or 1  # killed by signal N: 128 + N


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
