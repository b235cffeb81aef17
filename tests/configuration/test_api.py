import pytest

from configuration import services
from marketplace_ops.models import AuditEvent

pytestmark = pytest.mark.django_db

SECRET = "api-secret-plaintext-5521"


@pytest.fixture
def gateway(seed_item):
    seed_item("production", "gateway.rate_limit.default", 1000)
    seed_item("production", "gateway.upstream.api_key", SECRET, sensitive=True)


def _get(client, url, token, **headers):
    return client.get(url, HTTP_AUTHORIZATION=f"Bearer {token}", **headers)


def test_snapshot_with_revision_etag_and_304(client, api_token, gateway):
    token = api_token("config:read:production")
    response = _get(client, "/api/v1/config/production/", token)
    assert response.status_code == 200
    body = response.json()
    rev = services.config_current_revision("production")
    assert body == {"environment": "production", "revision": rev, "items": {"gateway.rate_limit.default": 1000},
                    "sensitive_keys": ["gateway.upstream.api_key"]}
    assert SECRET not in response.content.decode()
    assert response["ETag"] == f'"{rev}"'
    again = _get(client, "/api/v1/config/production/", token, HTTP_IF_NONE_MATCH=f'"{rev}"')
    assert again.status_code == 304


def test_new_revision_changes_etag(client, api_token, gateway, seed_item):
    token = api_token("config:read:production")
    first = _get(client, "/api/v1/config/production/", token)
    seed_item("production", "gateway.rate_limit.default", 1200)
    second = _get(client, "/api/v1/config/production/", token, HTTP_IF_NONE_MATCH=first["ETag"])
    assert second.status_code == 200
    assert second.json()["items"]["gateway.rate_limit.default"] == 1200
    assert second["ETag"] != first["ETag"]


def test_reveal_scope_shows_secret_and_audits(client, api_token, gateway):
    token = api_token("config:read:production", "config:reveal:production")
    body = _get(client, "/api/v1/config/production/", token).json()
    assert body["items"]["gateway.upstream.api_key"] == SECRET and body["sensitive_keys"] == []
    event = AuditEvent.objects.filter(event_type="configuration.reveal").latest("sequence")
    assert event.details["keys"] == ["gateway.upstream.api_key"] and event.actor_type == "api_token"


def test_scope_is_per_environment(client, api_token, gateway):
    token = api_token("config:read:staging")
    response = _get(client, "/api/v1/config/production/", token)
    assert response.status_code == 403
    assert "config:read:production" in response.json()["errors"][0]["message"]


def test_unknown_environment_is_404_json(client, api_token):
    token = api_token("config:read:*")
    response = _get(client, "/api/v1/config/moon/", token)
    assert response.status_code == 404
    assert "Unknown environment 'moon'" in response.json()["errors"][0]["message"]


def test_single_key_and_secret_masked(client, api_token, gateway):
    token = api_token("config:read:production")
    body = _get(client, "/api/v1/config/production/gateway.upstream.api_key/", token).json()
    assert body["sensitive"] is True and "value" not in body
    body = _get(client, "/api/v1/config/production/gateway.rate_limit.default/", token).json()
    assert body["value"] == 1000
    assert _get(client, "/api/v1/config/production/gateway.nope.x/", token).status_code == 404


def test_put_with_stale_if_match_is_412(client, api_token, seed_item):
    seed_item("staging", "gateway.rate_limit.default", 10)
    seed_item("staging", "gateway.rate_limit.default", 20)
    token = api_token("config:write:staging")
    url = "/api/v1/config/staging/gateway.rate_limit.default/"
    stale = client.put(url, {"value": 30, "reason": "r"}, content_type="application/json",
                       HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_IF_MATCH='"v1"')
    assert stale.status_code == 412
    assert "changed to v2 by seeder" in stale.json()["errors"][0]["message"]
    ok = client.put(url, {"value": 30, "reason": "r"}, content_type="application/json",
                    HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_IF_MATCH='"v2"')
    assert ok.status_code == 200 and ok.json()["applied"] is True


def test_post_changeset_validates_and_needs_approval_in_production(client, api_token, gateway):
    token = api_token("config:write:production")
    bad = client.post("/api/v1/config/production/changesets/",
                      {"reason": "r", "operations": [{"key": "gateway.rate_limit.default", "value": -5,
                                                      "base_version": 1}]},
                      content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert bad.status_code == 400
    assert "positive integer" in bad.json()["errors"][0]["message"]
    good = client.post("/api/v1/config/production/changesets/",
                       {"reason": "r", "operations": [{"key": "gateway.rate_limit.default", "value": 5,
                                                       "base_version": 1}]},
                       content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert good.status_code == 201 and good.json()["state"] == "pending_approval"
    stale_rev = client.post("/api/v1/config/production/changesets/",
                            {"reason": "r", "operations": [{"key": "gateway.rate_limit.burst", "value": 5,
                                                            "base_version": 0}]},
                            content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}",
                            HTTP_IF_MATCH='"1"')
    assert stale_rev.status_code == 412


def test_snapshot_is_built_once_per_revision(client, api_token, gateway, django_assert_max_num_queries):
    token = api_token("config:read:production")
    _get(client, "/api/v1/config/production/", token)
    from configuration import selectors

    calls = []
    original = selectors._build_snapshot
    selectors._build_snapshot = lambda env: calls.append(env) or original(env)
    try:
        for _ in range(3):
            assert _get(client, "/api/v1/config/production/", token).status_code == 200
    finally:
        selectors._build_snapshot = original
    assert calls == []


@pytest.mark.redis
def test_snapshot_cached_in_redis(settings, gateway):
    from django.core.cache import caches

    from configuration.selectors import gateway_snapshot
    from configuration.services.publish import latest_pointer_key

    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                   "LOCATION": settings.REDIS_URL.rsplit("/", 1)[0] + "/4"}}
    cache = caches["default"]
    cache.delete(latest_pointer_key("production"))
    snap = gateway_snapshot("production")
    key = cache.get(latest_pointer_key("production"))
    assert cache.get(key)["revision"] == snap["revision"]
    assert SECRET not in str(cache.get(key))


def test_apply_endpoint_lists_conflicts_and_changes_nothing(client, api_token, people, seed_item):
    a = seed_item("staging", "gateway.rate_limit.default", 1)
    b = seed_item("staging", "gateway.rate_limit.burst", 1)
    cs = services.config_changeset_create(
        environment="staging", title="t", reason="r", acting_user=people.author, submit=True,
        operations=[{"key": a.key, "value": 2, "base_version": 1}, {"key": b.key, "value": 2, "base_version": 1}])
    seed_item("staging", a.key, 5)
    seed_item("staging", b.key, 6)
    token = api_token("config:write:staging")
    response = client.post(f"/api/v1/config/staging/changesets/{cs.pk}/apply/", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 409
    messages = [e["message"] for e in response.json()["errors"]]
    assert len(messages) == 2 and all("changed to v2 by seeder" in m for m in messages)
    assert services.config_backup_snapshot()["revisions"]["staging"] == 4
    again = client.post(f"/api/v1/config/moon/changesets/{cs.pk}/apply/", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert again.status_code == 404
