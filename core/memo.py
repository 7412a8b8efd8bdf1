"""Per-process memos: bounded, and emptied when full.

What they hold is rebuilt on the next miss, so emptying the whole memo is
cheaper than evicting entries one by one and keeps memory flat whatever the
callers send (session texts, rendered statements, field lists, tasks).
"""


def remember(memo: dict, key, value, limit: int):
    """Keep `value` under `key` and return it; a new key finding `limit`
    entries empties `memo` first, so it never holds more than `limit`."""
    if key not in memo and len(memo) >= limit:
        memo.clear()
    memo[key] = value
    return value
