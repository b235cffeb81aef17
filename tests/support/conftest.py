import pytest


@pytest.fixture(autouse=True)
def _local_cache(settings):
    """The portal's rate limiter counts in the cache: give each test its own, empty one.
    (Also a fast password hasher: the staff fixture creates four users per test.)"""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                                   "LOCATION": "support-tests"}}
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def staff(make_user):
    """One support engineer per tier, plus someone outside support."""
    return {
        "l1": make_user("lena", roles=["support-l1"]),
        "l2": make_user("leo", roles=["support-l2"]),
        "l3": make_user("lou", roles=["support-l3"]),
        "other": make_user("omar", roles=["operations"]),
    }
