"""API tokens: created once (the secret is shown only then), looked up by hash, audited on use."""

import re
import secrets
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from marketplace_ops.models import ApiToken
from marketplace_ops.models.tokens import TOKEN_PREFIX, hash_token
from marketplace_ops.services.audit import audit_log

SCOPE_PATTERN = re.compile(r"^[a-z][a-z0-9_-]*(:[a-z0-9_*-]+)+$|^\*$")


class InvalidScope(ValueError):
    pass


def parse_scopes(raw) -> list[str]:
    scopes = [s.strip() for s in (raw.split(",") if isinstance(raw, str) else raw) if s.strip()]
    bad = [s for s in scopes if not SCOPE_PATTERN.match(s)]
    if bad:
        raise InvalidScope(f"Invalid scope(s): {', '.join(bad)} (expected e.g. alerts:write, config:read:production)")
    if not scopes:
        raise InvalidScope("A token needs at least one scope.")
    return scopes


def api_token_create(
    *, name: str, scopes, acting_user=None, expires_at: datetime | None = None, user=None
) -> tuple[ApiToken, str]:
    """Returns (token row, raw token). The raw token is not stored and cannot be shown again."""
    scope_list = parse_scopes(scopes)
    key_prefix = secrets.token_hex(4)
    raw = f"{TOKEN_PREFIX}_{key_prefix}_{secrets.token_urlsafe(32)}"
    with transaction.atomic():
        token = ApiToken.objects.create(
            name=name,
            key_prefix=key_prefix,
            token_hash=hash_token(raw),
            scopes=scope_list,
            expires_at=expires_at,
            user=user,
            created_by=acting_user if getattr(acting_user, "pk", None) else None,
        )
        audit_log(
            event_type="api_token.created",
            action="create",
            acting_user=acting_user,
            resource=token,
            details={"scopes": scope_list, "expires_at": expires_at},
        )
    return token, raw


def api_token_revoke(*, token: ApiToken, acting_user) -> ApiToken:
    with transaction.atomic():
        token = ApiToken.objects.select_for_update().get(pk=token.pk)
        if token.revoked_at is None:
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at"])
            audit_log(event_type="api_token.revoked", action="revoke", acting_user=acting_user, resource=token)
    return token


def api_token_lookup(raw: str) -> ApiToken | None:
    if not raw or not raw.startswith(f"{TOKEN_PREFIX}_"):
        return None
    return ApiToken.objects.select_related("user").filter(token_hash=hash_token(raw)).first()


def api_token_record_use(*, token: ApiToken, ip_address: str | None, method: str, path: str) -> None:
    """Every authenticated call is an audit event; last-used is kept on the token."""
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now(), last_used_ip=ip_address)
    audit_log(
        event_type="api_token.used",
        action=method.lower(),
        api_token=token,
        acting_user=token.user,
        ip_address=ip_address,
        resource=token,
        details={"method": method, "path": path[:500]},
    )
