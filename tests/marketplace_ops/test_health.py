import pytest

from marketplace_ops import health

pytestmark = pytest.mark.django_db


def test_healthz_ok_when_everything_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "cache", "broker"}
    assert all(check["ok"] for check in body["checks"].values())


def test_healthz_503_names_the_failing_part(client, monkeypatch):
    monkeypatch.setitem(health.CHECKS, "broker", lambda: "ConnectionError: Error 111 connecting to redis")
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["failing"] == ["broker"]
    assert body["checks"]["broker"] == {"ok": False, "error": "ConnectionError: Error 111 connecting to redis"}
    assert body["checks"]["database"] == {"ok": True}


def test_cache_check_reports_a_broken_cache(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    assert health.check_cache() == "cache did not return the value it was given"
