from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from marketplace_ops.models import ApiToken, AuditEvent, Component
from marketplace_ops.services.tokens import api_token_revoke

pytestmark = pytest.mark.django_db


@pytest.fixture
def gateway():
    return Component.objects.create(name="API Gateway", slug="api-gateway")


def auth(raw):
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def test_scoped_token_reads_components_and_its_use_is_audited(client, api_token, gateway):
    raw = api_token("components:read", name="status-bot")
    response = client.get("/api/v1/components/", REMOTE_ADDR="192.0.2.10", **auth(raw))
    assert response.status_code == 200
    assert response.json()["results"][0]["slug"] == "api-gateway"
    event = AuditEvent.objects.filter(event_type="api_token.used").latest("sequence")
    assert event.actor_type == "api_token" and event.actor_label == "token:status-bot"
    assert event.ip_address == "192.0.2.10" and event.details["path"] == "/api/v1/components/"
    token = ApiToken.objects.get(name="status-bot")
    assert token.last_used_at is not None and token.last_used_ip == "192.0.2.10"
    assert raw not in str(AuditEvent.objects.values_list("details", flat=True))


@pytest.mark.parametrize(
    "header, message",
    [
        (None, "Authentication credentials were not provided."),
        ("Bearer mko_nope_nope", "Invalid API token."),
        ("Bearer", "Malformed Authorization header; use 'Bearer <token>'."),
    ],
)
def test_missing_or_bad_token_is_401_with_json_errors(client, header, message):
    kwargs = {"HTTP_AUTHORIZATION": header} if header else {}
    response = client.get("/api/v1/components/", **kwargs)
    assert response.status_code == 401
    assert response.json() == {"errors": [{"message": message, "code": response.json()["errors"][0]["code"]}]}
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_revoked_and_expired_tokens_are_refused(client, api_token):
    raw = api_token("components:read", name="old")
    api_token_revoke(token=ApiToken.objects.get(name="old"), acting_user=None)
    assert client.get("/api/v1/components/", **auth(raw)).json()["errors"][0]["message"] == "This API token was revoked."
    raw2 = api_token("components:read", name="expiring")
    ApiToken.objects.filter(name="expiring").update(expires_at=timezone.now() - timedelta(seconds=1))
    response = client.get("/api/v1/components/", **auth(raw2))
    assert response.status_code == 401 and "expired" in response.json()["errors"][0]["message"]


def test_wrong_scope_is_403_naming_the_scope(client, api_token):
    raw = api_token("alerts:write")
    response = client.get("/api/v1/components/", **auth(raw))
    assert response.status_code == 403
    assert response.json()["errors"][0]["message"] == "This token lacks the scope 'components:read'."


def test_wildcard_scopes(client, api_token, gateway):
    assert client.get("/api/v1/components/", **auth(api_token("components:*"))).status_code == 200
    token = ApiToken(scopes=["config:read:*"])
    assert token.has_scope("config:read:production") and not token.has_scope("config:reveal:production")


def test_unknown_api_path_and_object_give_json_404(client, api_token):
    raw = api_token("components:read")
    missing = client.get("/api/v1/components/nope/", **auth(raw))
    assert missing.status_code == 404 and missing.json()["errors"][0]["code"] == "not_found"
    unknown = client.get("/api/v1/does-not-exist/")
    assert unknown.status_code == 404 and unknown.json() == {"errors": [{"message": "Not found.", "code": "not_found"}]}


def test_schema_and_docs_are_served(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    body = schema.json()
    assert "/api/v1/components/" in body["paths"]
    assert body["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    assert client.get("/api/docs/").status_code == 200


def test_api_token_command_prints_the_token_once_and_stores_only_a_hash(capsys, client):
    call_command("api_token", "create", "alertmanager", "--scopes", "alerts:write,components:read", "--days", "30")
    raw = capsys.readouterr().out.strip().splitlines()[-1]
    token = ApiToken.objects.get(name="alertmanager")
    assert raw.startswith("mko_") and raw not in (token.token_hash, token.key_prefix)
    assert token.scopes == ["alerts:write", "components:read"] and token.expires_at > timezone.now()
    assert client.get("/api/v1/components/", **auth(raw)).status_code == 200
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="--scopes"):
        call_command("api_token", "create", "bad", "--scopes", "Not A Scope")
    with pytest.raises(CommandError, match="already exists"):
        call_command("api_token", "create", "alertmanager", "--scopes", "alerts:write")
