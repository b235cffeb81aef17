"""Suite-wide fixtures. Tests marked `postgres` or `redis` skip with a reason on the embedded
run; with REQUIRE_SERVICES=1 (the CI service run) a missing service fails them instead."""

import os

import pytest
from django.conf import settings

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"


def _missing_service(item) -> str | None:
    from django.db import connection

    if item.get_closest_marker("postgres") and connection.vendor != "postgresql":
        return "needs PostgreSQL: set DATABASE_URL=postgres://..."
    if item.get_closest_marker("redis") and not settings.REDIS_URL:
        return "needs Redis: set REDIS_URL=redis://..."
    return None


def pytest_collection_modifyitems(config, items):
    """Tests of the embedded engine itself are not applicable on PostgreSQL: deselect, not skip."""
    from django.db import connection

    if connection.vendor == "sqlite":
        return
    kept, dropped = [], []
    for item in items:
        (dropped if item.get_closest_marker("sqlite_only") else kept).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


def pytest_runtest_setup(item):
    reason = _missing_service(item)
    if reason:
        if REQUIRE_SERVICES:
            pytest.fail(f"REQUIRE_SERVICES=1 but this test {reason}", pytrace=False)
        pytest.skip(reason)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """In the CI service run (REQUIRE_SERVICES=1) no test may skip, whatever the reason."""
    outcome = yield
    report = outcome.get_result()
    if REQUIRE_SERVICES and report.skipped and not hasattr(report, "wasxfail"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        report.outcome = "failed"
        report.longrepr = f"REQUIRE_SERVICES=1 but this test skipped: {reason}"


@pytest.fixture(autouse=True)
def _eager_celery(settings):
    """Tasks enqueued on commit run in-process; the Redis integration tests switch this off."""
    from marketplace_ops.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    settings.SITE_URL = "http://testserver"
    yield
    app.conf.task_always_eager = previous


@pytest.fixture
def system_actor(db):
    from marketplace_ops.actors import system_user

    return system_user()


@pytest.fixture
def make_user(db, django_user_model):
    """make_user("alice", roles=["security"], staff=True)"""
    from django.contrib.auth.models import Group

    def make(username, *, roles=(), staff=True, superuser=False, email=None, password="pw-Correct-horse-1"):
        user = django_user_model.objects.create_user(
            username=username,
            email=email or f"{username}@example.com",
            password=password,
            is_staff=staff or superuser,
            is_superuser=superuser,
        )
        for role in roles:
            user.groups.add(Group.objects.get(name=role))
        return user

    return make


@pytest.fixture
def api_token(db):
    """api_token("alerts:write") -> raw bearer token string."""
    from marketplace_ops.services.tokens import api_token_create

    counter = {"n": 0}

    def make(*scopes, name=None):
        counter["n"] += 1
        _, raw = api_token_create(name=name or f"test-token-{counter['n']}", scopes=list(scopes))
        return raw

    return make
