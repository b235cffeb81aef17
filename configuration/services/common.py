"""Shared pieces of the configuration services: environments, locks, errors, value specs."""

import hashlib
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from configuration.choices import DEFAULT_REQUIRED_APPROVALS, ENVIRONMENT_ORDER
from configuration.crypto import canonical_json
from configuration.models import ConfigEnvironment, ConfigurationItem

REVEAL_PERMISSION = "configuration.reveal_configurationitem"
APPROVE_PERMISSION = "configuration.approve_changeset"
APPLY_PERMISSION = "configuration.apply_changeset"


class UnknownEnvironment(Http404):
    pass


class StaleVersionError(ValidationError):
    """One or more keys moved past the version the change was based on. `conflicts` lists
    {key, base_version, current_version, changed_by, changed_at, message}."""

    def __init__(self, conflicts: list[dict]):
        self.conflicts = conflicts
        super().__init__({"base_version": [c["message"] for c in conflicts]}, code="stale_version")


def check_environment(name: str) -> str:
    if name not in ENVIRONMENT_ORDER:
        raise UnknownEnvironment(f"Unknown environment '{name}'; use one of: {', '.join(ENVIRONMENT_ORDER)}.")
    return name


def environment_row(name: str, *, lock: bool = False) -> ConfigEnvironment:
    check_environment(name)
    row, _ = ConfigEnvironment.objects.get_or_create(
        name=name, defaults={"required_approvals": DEFAULT_REQUIRED_APPROVALS.get(name, 0)}
    )
    if lock:
        row = ConfigEnvironment.objects.select_for_update().get(pk=row.pk)
    return row


def config_current_revision(environment: str) -> int:
    """The environment's revision: bumped once per applied change set / direct edit / restore."""
    check_environment(environment)
    return ConfigEnvironment.objects.filter(name=environment).values_list("revision", flat=True).first() or 0


def stale_message(*, key: str, base_version: int, item: ConfigurationItem | None, deleted_row=None) -> str:
    if item is not None:
        who = item.updated_by.get_username() if item.updated_by_id else "someone"
        when = timezone.localtime(item.updated_at).strftime("%Y-%m-%d %H:%M %Z")
        return f"{key}: changed to v{item.version} by {who} at {when} since you opened it (you edited v{base_version})."
    if deleted_row is not None:
        who = deleted_row.history_user.get_username() if deleted_row.history_user_id else "someone"
        when = timezone.localtime(deleted_row.history_date).strftime("%Y-%m-%d %H:%M %Z")
        return f"{key}: deleted by {who} at {when} since you opened it (you edited v{base_version})."
    return f"{key}: no longer exists (you edited v{base_version})."


def conflicts_for(environment: str, wanted: dict[str, int], *, lock: bool = False) -> tuple[list[dict], dict]:
    """Compare {key: base_version} with the stored items; return (conflicts, {key: item})."""
    qs = ConfigurationItem.objects.filter(environment=environment, key__in=list(wanted)).select_related("updated_by")
    if lock:
        qs = qs.select_for_update(of=("self",))
    items = {item.key: item for item in qs}
    conflicts = []
    missing_keys = [k for k, base in wanted.items() if base and k not in items]
    deleted = {}
    if missing_keys:
        rows = (
            ConfigurationItem.history.filter(environment=environment, key__in=missing_keys, history_type="-")
            .select_related("history_user")
            .order_by("key", "-history_id")
        )
        for row in rows:
            deleted.setdefault(row.key, row)
    for key, base in wanted.items():
        item = items.get(key)
        current = item.version if item else 0
        if current != base:
            conflicts.append(
                {
                    "key": key,
                    "base_version": base,
                    "current_version": current,
                    "changed_by": item.updated_by.get_username() if item and item.updated_by_id else None,
                    "changed_at": item.updated_at.isoformat() if item else None,
                    "message": stale_message(key=key, base_version=base, item=item, deleted_row=deleted.get(key)),
                }
            )
    return conflicts, items


def require_perm(user, perm: str, message: str):
    if user is None or not getattr(user, "is_authenticated", False) or not user.has_perm(perm):
        raise PermissionDenied(message)


@dataclass
class OperationSpec:
    """Input for one operation: a value (plaintext, encrypted here if sensitive) or an already
    encrypted `ciphertext` (promotion, rollback and restore copy secrets without decrypting them
    anywhere but in memory for validation)."""

    key: str
    op: str = "set"
    value: object = None
    base_version: int = 0
    sensitive: bool | None = None
    description: str | None = None
    ciphertext: str = ""
    extra: dict = field(default_factory=dict)


def content_hash(environment: str, operations) -> str:
    rows = sorted(
        (
            op.key,
            op.op,
            op.value_hmac if op.sensitive else canonical_json(op.value),
            bool(op.sensitive),
            op.description,
            op.base_version,
        )
        for op in operations
    )
    return hashlib.sha256(canonical_json([environment, rows]).encode()).hexdigest()
