"""Gateway read API and change-set writes. Scopes: config:read:<env>, config:reveal:<env>, config:write:<env>."""

import logging

from django.core.exceptions import ValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from configuration import crypto, services
from configuration.models import ConfigurationItem
from configuration.selectors import gateway_snapshot
from configuration.serializers import (
    ChangeSetCreateSerializer,
    ChangeSetOutSerializer,
    EnvironmentSnapshotSerializer,
    KeyValueSerializer,
    KeyWriteResultSerializer,
    KeyWriteSerializer,
    changeset_data,
)
from marketplace_ops.api.errors import Conflict, PreconditionFailed
from marketplace_ops.services.audit import audit_log

logger = logging.getLogger(__name__)


def _env(kwargs) -> str:
    env = kwargs["environment"]
    try:
        return services.check_environment(env)
    except services.UnknownEnvironment as exc:
        raise NotFound(str(exc))


def _etag_matches(header: str, etag: str) -> bool:
    if not header:
        return False
    return header.strip() == "*" or etag in [h.strip().removeprefix("W/") for h in header.split(",")]


class EnvironmentScoped(APIView):
    scope_verb = {"GET": "read", "HEAD": "read", "OPTIONS": "read", "POST": "write", "PUT": "write"}

    def get_required_scope(self, request):
        env = _env(self.kwargs)
        return f"config:{self.scope_verb.get(request.method, 'write')}:{env}"

    def can_reveal(self, request, env) -> bool:
        return bool(request.auth is not None and request.auth.has_scope(f"config:reveal:{env}"))

    def audit_reveal(self, request, env, keys):
        if keys:
            audit_log(event_type="configuration.reveal", action="reveal", acting_user=request.user,
                      resource_type="configuration.ConfigEnvironment", resource_id=env,
                      details={"environment": env, "keys": sorted(keys), "via": "api"})


class EnvironmentConfigView(EnvironmentScoped):
    """GET /api/v1/config/<env>/ → {"environment", "revision", "items", "sensitive_keys"}; ETag = revision."""

    @extend_schema(operation_id="config_environment_read", responses={200: EnvironmentSnapshotSerializer, 304: None})
    def get(self, request, environment):
        env = _env(self.kwargs)
        snap = gateway_snapshot(env)
        etag = f'"{snap["revision"]}"'
        if _etag_matches(request.headers.get("If-None-Match", ""), etag):
            return Response(status=status.HTTP_304_NOT_MODIFIED, headers={"ETag": etag})
        items = dict(snap["items"])
        body = {"environment": env, "revision": snap["revision"], "items": items, "sensitive_keys": []}
        if self.can_reveal(request, env):
            for key, ciphertext in snap["secrets"].items():
                items[key] = crypto.decrypt_value(ciphertext)
            self.audit_reveal(request, env, snap["secrets"].keys())
        else:
            body["sensitive_keys"] = sorted(snap["secrets"])
        return Response(body, headers={"ETag": etag, "Vary": "Authorization", "Cache-Control": "private, no-cache"})


class KeyConfigView(EnvironmentScoped):
    """GET one key (ETag = "v<version>"); PUT with If-Match: "v<version>" writes it."""

    def _item(self, env, key):
        item = ConfigurationItem.objects.filter(environment=env, key=key).select_related("updated_by").first()
        if item is None:
            raise NotFound(f"No key '{key}' in {env}.")
        return item

    @extend_schema(operation_id="config_key_read", responses={200: KeyValueSerializer, 304: None})
    def get(self, request, environment, key):
        env = _env(self.kwargs)
        item = self._item(env, key)
        etag = f'"v{item.version}"'
        if _etag_matches(request.headers.get("If-None-Match", ""), etag):
            return Response(status=status.HTTP_304_NOT_MODIFIED, headers={"ETag": etag})
        body = {"environment": env, "key": key, "version": item.version, "sensitive": item.sensitive,
                "revision": services.config_current_revision(env), "description": item.description}
        if not item.sensitive:
            body["value"] = item.value
        elif self.can_reveal(request, env):
            body["value"] = crypto.decrypt_value(item.ciphertext)
            self.audit_reveal(request, env, [key])
        return Response(body, headers={"ETag": etag, "Vary": "Authorization"})

    @extend_schema(
        operation_id="config_key_write",
        request=KeyWriteSerializer,
        responses={200: KeyWriteResultSerializer, 202: KeyWriteResultSerializer},
    )
    def put(self, request, environment, key):
        env = _env(self.kwargs)
        if_match = request.headers.get("If-Match", "").strip()
        item = ConfigurationItem.objects.filter(environment=env, key=key).first()
        if not if_match:
            raise PreconditionFailed('Send If-Match: "v<version>" (or "v0" for a new key) naming the version you edited.')
        try:
            base = int(if_match.strip('"').removeprefix("W/").strip('"').lstrip("v"))
        except ValueError:
            raise PreconditionFailed(f"If-Match must look like \"v7\" (got {if_match}).")
        data = KeyWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        current = item.version if item else 0
        if base != current:
            conflicts, _ = services.common.conflicts_for(env, {key: base})
            raise PreconditionFailed(conflicts[0]["message"] if conflicts else "Version mismatch.")
        try:
            result = services.config_item_set(
                environment=env, key=key, value=data.validated_data["value"], base_version=base,
                reason=data.validated_data["reason"], acting_user=request.user,
                sensitive=data.validated_data["sensitive"], description=data.validated_data["description"],
            )
        except services.StaleVersionError as exc:
            raise PreconditionFailed(exc.conflicts[0]["message"])
        body = {"applied": result.applied, "change_set": changeset_data(result.change_set),
                "revision": services.config_current_revision(env)}
        return Response(body, status=status.HTTP_200_OK if result.applied else status.HTTP_202_ACCEPTED)


class ChangeSetCreateView(EnvironmentScoped):
    """POST /api/v1/config/<env>/changesets/ — optional If-Match: "<revision>" of the environment."""

    @extend_schema(operation_id="config_changeset_create", request=ChangeSetCreateSerializer, responses={201: ChangeSetOutSerializer})
    def post(self, request, environment):
        env = _env(self.kwargs)
        if_match = request.headers.get("If-Match", "").strip()
        if if_match:
            current = services.config_current_revision(env)
            if if_match.strip('"') != str(current):
                raise PreconditionFailed(f"{env} is at revision {current}, not {if_match.strip(chr(34))}.")
        data = ChangeSetCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        try:
            change_set = services.config_changeset_create(
                environment=env, title=v["title"], reason=v["reason"], operations=v["operations"],
                acting_user=request.user, submit=v["submit"],
            )
        except services.StaleVersionError as exc:
            return Response({"errors": [{"field": "operations", "message": c["message"], "code": "stale_version"}
                                        for c in exc.conflicts]}, status=status.HTTP_412_PRECONDITION_FAILED)
        except ValidationError:
            raise
        return Response(changeset_data(change_set), status=status.HTTP_201_CREATED)


class ChangeSetApplyView(EnvironmentScoped):
    scope_verb = {"POST": "write"}

    @extend_schema(operation_id="config_changeset_apply", request=None, responses={200: ChangeSetOutSerializer})
    def post(self, request, environment, pk):
        from configuration.models import ChangeSet

        env = _env(self.kwargs)
        change_set = ChangeSet.objects.filter(pk=pk, environment=env).first()
        if change_set is None:
            raise NotFound(f"No change set #{pk} for {env}.")
        try:
            change_set = services.config_changeset_apply(change_set=change_set, acting_user=request.user)
        except services.StaleVersionError as exc:
            return Response({"errors": [{"field": "operations", "message": c["message"], "code": "stale_version"}
                                        for c in exc.conflicts]}, status=status.HTTP_409_CONFLICT)
        except ValidationError as exc:
            raise Conflict(" ".join(exc.messages))
        return Response(changeset_data(change_set))
