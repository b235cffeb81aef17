"""The portal's limits use the kernel's cache limiter."""

from marketplace_ops.ratelimit import rate_limit_hit


def hit(key: str, *, limit: int, window: int) -> bool:
    """Count one use of `key`; False once more than `limit` uses fall in the current window."""
    return rate_limit_hit("support", key, limit=limit, window=window)
