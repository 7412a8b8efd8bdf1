"""core.memo.remember: the one bound every per-process memo keeps."""

from core.memo import remember


def test_a_full_memo_is_emptied_for_a_new_key_only():
    memo = {}
    for n in range(3):
        assert remember(memo, n, str(n), 3) == str(n)
    assert memo == {0: "0", 1: "1", 2: "2"}
    remember(memo, 1, "one", 3)  # a known key: replaced, nothing dropped
    assert memo == {0: "0", 1: "one", 2: "2"}
    remember(memo, 3, "3", 3)  # a new key into a full memo
    assert memo == {3: "3"}


def test_a_memo_never_holds_more_than_its_limit():
    memo = {}
    sizes = {len(memo) for n in range(1000) if remember(memo, n, n, 7) is not None}
    assert max(sizes) <= 7
