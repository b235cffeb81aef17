"""A fixed-window limiter on the cache, for public forms (shared across workers when the cache
is Redis; per machine with the embedded file cache)."""

import hashlib

from django.core.cache import cache


def rate_limit_hit(scope: str, key: str, *, limit: int, window: int) -> bool:
    """Count one use of `key` in `scope`; False once more than `limit` uses fall in the window."""
    cache_key = f"rl:{scope}:{hashlib.sha256(key.encode()).hexdigest()[:32]}"
    if cache.add(cache_key, 1, timeout=window):
        return limit >= 1
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.add(cache_key, 1, timeout=window)
        count = 1
    return count <= limit
