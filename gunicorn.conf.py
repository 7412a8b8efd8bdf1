"""gunicorn settings for the Procfile's `web:` line (read with `-c gunicorn.conf.py`).

Sync workers read a request's headers and body themselves, so a client that
sends them slowly holds a worker for as long as it likes: twenty such clients
stall every till (issue 10, Availability). Production therefore runs gunicorn
behind a buffering reverse proxy (deploy/nginx.conf), which receives whole
requests before passing them on; tests/test_slow_clients.py measures both.
"""

import os

workers = int(os.environ.get("WEB_CONCURRENCY", 3))
worker_class = "sync"
# Longer than any page or report should take; the proxy waits a little more.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 30))
graceful_timeout = 20
# Behind the proxy, connections come from it and are short-lived.
keepalive = 5
limit_request_line = 4094
limit_request_fields = 100
limit_request_field_size = 8190

# No runtime control socket (gunicornc): one less way in, and none shared in
# $HOME between several gunicorns on one machine.
control_socket_disable = True

accesslog = "-"
# The request's path without its query string: look-ups carry customers'
# cédulas and RUCs in the query (issue 10, Headers and secrets), which must not
# end up in the logs.
access_log_format = (
    '%(h)s %(l)s %(u)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s "%(a)s" %(M)sms'
)


def post_worker_init(worker):
    """Once the worker has loaded the app: garbage-collector tuning
    (backoffice/runtime.py; ≈ 0.4 ms a checkout)."""
    from backoffice.runtime import gc_tune

    gc_tune()
