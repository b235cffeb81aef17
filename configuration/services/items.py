"""Item-level writes (direct edit, rollback), promotion, restore of a revision, reveal."""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from configuration import crypto
from configuration.choices import ENVIRONMENT_ORDER, ChangeSetKind, ChangeSetState, OperationKind
from configuration.models import ChangeSet, ConfigurationItem, Subscriber
from configuration.services.changesets import config_changeset_apply, config_changeset_create
from configuration.services.common import REVEAL_PERMISSION, OperationSpec, check_environment, environment_row
from marketplace_ops.actors import resolve_actor
from marketplace_ops.history import save_with_history
from marketplace_ops.services.audit import audit_log


@dataclass
class WriteResult:
    change_set: ChangeSet
    applied: bool

    @property
    def awaiting_approval(self) -> bool:
        return not self.applied


def _write(*, environment, specs, reason, acting_user, kind, title) -> WriteResult:
    change_set = config_changeset_create(environment=environment, title=title, reason=reason, operations=specs,
                                         acting_user=acting_user, kind=kind, submit=True)
    if change_set.state == ChangeSetState.APPROVED:  # no approval needed here: apply at once
        change_set = config_changeset_apply(change_set=change_set, acting_user=acting_user, check_permission=False)
        return WriteResult(change_set=change_set, applied=True)
    return WriteResult(change_set=change_set, applied=False)


@transaction.atomic
def config_item_set(
    *, environment: str, key: str, value=None, base_version: int, reason: str, acting_user,
    sensitive: bool | None = None, description: str | None = None, ciphertext: str = "",
) -> WriteResult:
    """A direct edit: applied now where no approval is needed, else a pending change set."""
    spec = OperationSpec(key=key, value=value, base_version=base_version, sensitive=sensitive,
                         description=description, ciphertext=ciphertext)
    return _write(environment=environment, specs=[spec], reason=reason, acting_user=acting_user,
                  kind=ChangeSetKind.EDIT, title=f"Edit {key}")


@transaction.atomic
def config_item_delete(*, item: ConfigurationItem, base_version: int, reason: str, acting_user) -> WriteResult:
    spec = OperationSpec(key=item.key, op=OperationKind.DELETE, base_version=base_version)
    return _write(environment=item.environment, specs=[spec], reason=reason, acting_user=acting_user,
                  kind=ChangeSetKind.EDIT, title=f"Delete {item.key}")


def config_item_version(item: ConfigurationItem, version: int):
    row = item.history.filter(version=version).exclude(history_type="-").order_by("-history_id").first()
    if row is None:
        row = (ConfigurationItem.history.filter(key=item.key, environment=item.environment, version=version)
               .exclude(history_type="-").order_by("-history_id").first())
    if row is None:
        raise ValidationError(f"{item.key} has no version {version}.")
    return row


@transaction.atomic
def config_item_rollback(*, item: ConfigurationItem, to_version: int, acting_user, reason: str = "") -> WriteResult:
    """A new version carrying vN's value, reason "rollback to vN" (history is never rewritten)."""
    row = config_item_version(item, to_version)
    full_reason = f"rollback to v{to_version}" + (f": {reason.strip()}" if reason and reason.strip() else "")
    spec = OperationSpec(key=item.key, value=row.value, ciphertext=row.ciphertext if row.sensitive else "",
                         sensitive=row.sensitive, description=row.description, base_version=item.version)
    return _write(environment=item.environment, specs=[spec], reason=full_reason, acting_user=acting_user,
                  kind=ChangeSetKind.ROLLBACK, title=f"Roll back {item.key} to v{to_version}")


def _copy_spec(source_item, target_item, key) -> OperationSpec:
    if source_item is None:
        return OperationSpec(key=key, op=OperationKind.DELETE, base_version=target_item.version if target_item else 0)
    return OperationSpec(
        key=key, value=source_item.value, ciphertext=source_item.ciphertext if source_item.sensitive else "",
        sensitive=source_item.sensitive, description=source_item.description,
        base_version=target_item.version if target_item else 0,
    )


@transaction.atomic
def config_changeset_promote(*, source: str, target: str, keys: list[str], acting_user, reason: str) -> ChangeSet:
    """A change set making `target` equal `source` for `keys` (validated for the target)."""
    check_environment(source)
    check_environment(target)
    if source == target:
        raise ValidationError("Pick two different environments to promote between.")
    if not keys:
        raise ValidationError({"keys": "Pick at least one key to promote."})
    src = {i.key: i for i in ConfigurationItem.objects.filter(environment=source, key__in=keys)}
    dst = {i.key: i for i in ConfigurationItem.objects.filter(environment=target, key__in=keys)}
    specs = [_copy_spec(src.get(k), dst.get(k), k) for k in sorted(set(keys)) if k in src or k in dst]
    return config_changeset_create(
        environment=target, title=f"Promote {len(specs)} key(s) from {source}", reason=reason, operations=specs,
        acting_user=acting_user, kind=ChangeSetKind.PROMOTION, source_environment=source, submit=True,
    )


def config_state_at_revision(environment: str, revision: int) -> dict:
    """{key: historical row} of the items the environment had right after `revision`."""
    check_environment(environment)
    current = environment_row(environment).revision
    if revision < 0 or revision > current:
        raise ValidationError(f"{environment} has revisions 0 to {current}; there is no revision {revision}.")
    rows = (ConfigurationItem.history.filter(environment=environment, revision__lte=revision)
            .order_by("key", "-revision", "-history_id"))
    state = {}
    for row in rows.iterator(chunk_size=2000):
        if row.key not in state:
            state[row.key] = row
    return {k: r for k, r in state.items() if r.history_type != "-"}


@transaction.atomic
def config_changeset_restore_revision(*, environment: str, revision: int, acting_user, reason: str) -> ChangeSet:
    """A change set (normal approval path) making `environment` hold what it held at `revision`."""
    target = config_state_at_revision(environment, revision)
    current = {i.key: i for i in ConfigurationItem.objects.filter(environment=environment)}
    specs = []
    for key in sorted(set(target) | set(current)):
        row, item = target.get(key), current.get(key)
        if row is None:
            specs.append(OperationSpec(key=key, op=OperationKind.DELETE, base_version=item.version))
        elif item is None or item.value_hmac != row.value_hmac or item.sensitive != row.sensitive \
                or item.description != row.description:
            specs.append(OperationSpec(key=key, value=row.value, ciphertext=row.ciphertext if row.sensitive else "",
                                       sensitive=row.sensitive, description=row.description,
                                       base_version=item.version if item else 0))
    if not specs:
        raise ValidationError(f"{environment} already holds the values of revision {revision}; nothing to restore.")
    return config_changeset_create(
        environment=environment, title=f"Restore {environment} to revision {revision}",
        reason=reason or f"restore revision {revision}", operations=specs, acting_user=acting_user,
        kind=ChangeSetKind.RESTORE, submit=True,
    )


def can_reveal(user) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.has_perm(REVEAL_PERMISSION))


def config_item_reveal(*, item: ConfigurationItem, acting_user, purpose: str = "admin"):
    """The plaintext of a sensitive item, for someone with the reveal permission; audited."""
    actor = resolve_actor(acting_user)
    if not item.sensitive:
        return item.value
    if not can_reveal(actor):
        audit_log(event_type="configuration.reveal", action="reveal", acting_user=actor, outcome="failure",
                  resource=item, details={"key": item.key, "environment": item.environment, "via": purpose})
        raise PermissionDenied("You may not reveal sensitive configuration values.")
    audit_log(event_type="configuration.reveal", action="reveal", acting_user=actor, resource=item,
              details={"key": item.key, "environment": item.environment, "version": item.version, "via": purpose})
    return crypto.decrypt_value(item.ciphertext)


@transaction.atomic
def config_subscriber_save(*, name: str, url: str, environment: str, secret: str | None, acting_user,
                           subscriber: Subscriber | None = None, is_active: bool = True) -> Subscriber:
    check_environment(environment)
    subscriber = subscriber or Subscriber()
    subscriber.name, subscriber.url, subscriber.environment, subscriber.is_active = name, url, environment, is_active
    if secret:
        subscriber.secret_ciphertext = crypto.encrypt_value(secret)
    if not subscriber.secret_ciphertext:
        raise ValidationError({"secret": "A signing secret is required."})
    subscriber.full_clean()
    save_with_history(subscriber, acting_user=acting_user, reason="subscriber saved")
    audit_log(event_type="configuration.subscriber_saved", action="save", acting_user=acting_user,
              resource=subscriber, details={"environment": environment, "secret_changed": bool(secret)})
    return subscriber


def environments_ordered():
    return list(ENVIRONMENT_ORDER)
