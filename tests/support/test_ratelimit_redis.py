"""The portal's limiter on a real Redis: the count is shared by every client of the cache (i.e.
by every web worker). Uses Redis database 3 of REDIS_URL's server."""

import uuid

import pytest
from django.conf import settings


@pytest.mark.redis
def test_limit_is_shared_across_cache_clients(monkeypatch):
    from urllib.parse import urlsplit, urlunsplit

    from django.core.cache.backends.redis import RedisCache

    from incidents.support import ratelimit
    from marketplace_ops import ratelimit as kernel_ratelimit

    parts = urlsplit(settings.REDIS_URL)
    location = urlunsplit((parts.scheme, parts.netloc, "/3", "", ""))
    worker_a = RedisCache(location, {})
    worker_b = RedisCache(location, {})
    key = f"test-shared-{uuid.uuid4().hex}"
    results = []
    for i in range(4):
        monkeypatch.setattr(kernel_ratelimit, "cache", worker_a if i % 2 == 0 else worker_b)
        results.append(ratelimit.hit(key, limit=3, window=60))
    assert results == [True, True, True, False]
