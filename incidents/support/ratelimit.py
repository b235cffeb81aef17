"""A fixed-window limiter on the cache (shared across workers when the cache is Redis)."""

from django.core.cache import cache


def hit(key: str, *, limit: int, window: int) -> bool:
    """Count one use of `key`; False once more than `limit` uses fall in the current window."""
    cache_key = f"support:rl:{key}"
    if cache.add(cache_key, 1, timeout=window):
        return limit >= 1
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.add(cache_key, 1, timeout=window)
        count = 1
    return count <= limit
