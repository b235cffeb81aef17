"""Demo data: gateway settings in all four environments (a few differences), two secrets, a
pending production change set and a subscriber. Idempotent: existing keys are left alone."""

from django.contrib.auth import get_user_model

from configuration.choices import ENVIRONMENT_ORDER, ChangeSetState, Environment
from configuration.models import ChangeSet, ConfigSchema, ConfigurationItem, Subscriber

# Demo secrets are fake, and documented as such; tests check they never leak.
DEMO_SECRETS = {
    "gateway.upstream.api_key": "demo-upstream-key-7f3a9c2e51",
    "gateway.jwt.signing_secret": "demo-jwt-signing-secret-b81d4e",
}

BASE = {
    "gateway.rate_limit.default": 1000,
    "gateway.rate_limit.burst": 200,
    "gateway.timeout_seconds": 30,
    "gateway.routes": {"/catalog": "api-catalog", "/portal": "api-portal", "/v1/users": "user-database"},
    "gateway.cors.allowed_origins": ["https://portal.marketplace.example"],
    "gateway.features.request_logging": True,
}
DIFFERENCES = {
    "development": {"gateway.rate_limit.default": 100000, "gateway.features.request_logging": True,
                    "gateway.upstream.url": "http://localhost:9000"},
    "testing": {"gateway.rate_limit.default": 5000, "gateway.upstream.url": "https://upstream.testing.example"},
    "staging": {"gateway.rate_limit.default": 2000, "gateway.upstream.url": "https://upstream.staging.example",
                "gateway.features.request_logging": False},
    "production": {"gateway.upstream.url": "https://upstream.marketplace.example",
                   "gateway.features.request_logging": False},
}
SCHEMAS = {
    "gateway.routes": {"type": "object", "additionalProperties": {"type": "string", "minLength": 1}},
    "gateway.cors.allowed_origins": {"type": "array", "items": {"type": "string", "pattern": "^https?://"}},
    "gateway.features.*": {"type": "boolean"},
}
PENDING_TITLE = "Raise the production default rate limit to 1500"


def _user(username):
    return get_user_model().objects.filter(username=username).first()


def seed(*, stdout=None):
    from configuration.services import (
        config_changeset_apply,
        config_changeset_approve,
        config_changeset_create,
        config_subscriber_save,
    )

    author, approver = _user("erin.engineering"), _user("sam.security")
    applier = _user("omar.operations") or author
    for pattern, schema in SCHEMAS.items():
        ConfigSchema.objects.get_or_create(key_pattern=pattern, defaults={"schema": schema, "description": "demo"})
    for env in ENVIRONMENT_ORDER:
        values = {**BASE, **DIFFERENCES[env]}
        existing = set(ConfigurationItem.objects.filter(environment=env).values_list("key", flat=True))
        ops = [{"key": k, "value": v, "base_version": 0, "description": "demo gateway setting"}
               for k, v in values.items() if k not in existing]
        ops += [{"key": k, "value": f"{v}-{env}", "base_version": 0, "sensitive": True, "description": "demo secret"}
                for k, v in DEMO_SECRETS.items() if k not in existing]
        if not ops:
            continue
        cs = config_changeset_create(environment=env, title=f"Demo settings for {env}", reason="seed_demo",
                                     operations=ops, acting_user=author)
        if cs.state == ChangeSetState.PENDING and approver is not None:
            cs = config_changeset_approve(change_set=cs, acting_user=approver, comment="demo")
        config_changeset_apply(change_set=cs, acting_user=applier)
        if stdout:
            stdout.write(f"configuration: {len(ops)} item(s) in {env}")
    if not ChangeSet.objects.filter(title=PENDING_TITLE, state=ChangeSetState.PENDING).exists():
        item = ConfigurationItem.objects.get(environment=Environment.PRODUCTION, key="gateway.rate_limit.default")
        config_changeset_create(
            environment=Environment.PRODUCTION, title=PENDING_TITLE, reason="Partner traffic grew 40% this quarter",
            operations=[{"key": item.key, "value": 1500, "base_version": item.version}], acting_user=author,
        )
    if not Subscriber.objects.filter(name="api-gateway", environment=Environment.PRODUCTION).exists():
        config_subscriber_save(name="api-gateway", url="https://gateway.marketplace.example/hooks/config",
                               environment=Environment.PRODUCTION, secret="demo-webhook-signing-secret",
                               acting_user=applier)
