"""Tuning of a long-running web process (gunicorn calls it once per worker,
gunicorn.conf.py `post_worker_init`).

Python's cyclic garbage collector runs a young-generation pass every 700 net
container allocations: about once per checkout, 0.12–0.18 ms each, and a full
pass over the whole heap (Django, every model and URL pattern loaded) every
~100 checkouts, ≈ 20 ms, so ≈ 0.4 ms a sale in all (BENCHMARKS.md, checkout).
Almost everything a request allocates is freed by reference counting, not by
the collector. So: the objects loaded at start-up are frozen (moved out of the
collector's sight: they live as long as the process), and the young
generation is collected every 10,000 allocations instead of 700. Cycles are
still collected, a little later; memory use does not change measurably.
"""

import gc

YOUNG_THRESHOLD = 10_000


def gc_tune() -> None:
    gc.collect()
    gc.freeze()
    _young, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG_THRESHOLD, middle, old)
