"""The in-memory caches of `mortem serve`: bounded by entries or by weight."""

from __future__ import annotations

from mortem.web.site import LRU, MISSING


def test_entries_bound_drops_the_least_recently_used() -> None:
    cache = LRU(2)
    cache.put("a", 1)
    cache.put("b", 2)
    assert cache.peek("a") == 1  # "a" is now the most recent
    cache.put("c", 3)
    assert cache.peek("b") is MISSING and cache.peek("a") == 1 and cache.peek("c") == 3


def test_weight_bound_counts_characters_not_entries() -> None:
    cache = LRU(100, weigh=len)
    for key in "abcde":
        cache.put(key, "x" * 30)
    assert len(cache) == 3 and cache.weight == 90
    assert [cache.peek(k) is MISSING for k in "abcde"] == [True, True, False, False, False]
    cache.put("c", "y" * 60)  # replacing an entry re-weighs it
    assert cache.weight == 90 and cache.peek("d") is MISSING and cache.peek("c") == "y" * 60


def test_a_value_heavier_than_the_whole_cache_is_not_kept() -> None:
    cache = LRU(10, weigh=len)
    cache.put("small", "xx")
    assert cache.get("big", lambda: "z" * 11) == "z" * 11
    assert cache.peek("big") is MISSING and cache.peek("small") == "xx"


def test_made_once_then_reused() -> None:
    cache = LRU(4)
    calls: list[int] = []
    for _ in range(3):
        assert cache.get("k", lambda: calls.append(1) or "v") == "v"
    assert calls == [1]
