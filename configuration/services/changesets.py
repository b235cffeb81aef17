"""Change sets: create, edit (voids approvals), submit, approve, reject, apply (atomic)."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from configuration import crypto
from configuration.choices import ChangeSetKind, ChangeSetState, OperationKind
from configuration.models import ChangeSet, ChangeSetApproval, ChangeSetOperation, ConfigurationItem
from configuration.services.common import (
    APPLY_PERMISSION,
    APPROVE_PERMISSION,
    REVEAL_PERMISSION,
    OperationSpec,
    StaleVersionError,
    conflicts_for,
    content_hash,
    environment_row,
)
from configuration.validators import validate_value
from marketplace_ops.actors import resolve_actor
from marketplace_ops.history import save_with_history
from marketplace_ops.services.audit import audit_log

MAX_OPERATIONS = 5000


def _spec(raw) -> OperationSpec:
    if isinstance(raw, OperationSpec):
        return raw
    known = {k: raw[k] for k in ("key", "op", "value", "base_version", "sensitive", "description", "ciphertext") if k in raw}
    return OperationSpec(**known)


def _build_operations(*, environment: str, specs: list[OperationSpec], acting_user, schemas=None) -> list[ChangeSetOperation]:
    """Validate every spec for the target environment; collect all errors (never stop at one)."""
    from configuration.models import ConfigSchema

    if len(specs) > MAX_OPERATIONS:
        raise ValidationError({"operations": f"At most {MAX_OPERATIONS} operations per change set."})
    if not specs:
        raise ValidationError({"operations": "A change set needs at least one operation."})
    schemas = list(ConfigSchema.objects.all()) if schemas is None else schemas
    keys = [s.key for s in specs]
    existing = {i.key: i for i in ConfigurationItem.objects.filter(environment=environment, key__in=keys)}
    errors: dict[str, list[str]] = {}
    built, seen = [], set()
    for index, spec in enumerate(specs):
        label = f"operations[{index}] {spec.key}"
        try:
            if spec.key in seen:
                raise ValidationError(f"{spec.key} appears twice in the change set.")
            seen.add(spec.key)
            if spec.op not in OperationKind.values:
                raise ValidationError(f"Unknown operation '{spec.op}' (use set or delete).")
            item = existing.get(spec.key)
            if spec.op == OperationKind.DELETE:
                if item is None:
                    raise ValidationError(f"{spec.key} does not exist in {environment}; nothing to delete.")
                built.append(ChangeSetOperation(key=spec.key, op=OperationKind.DELETE, base_version=spec.base_version,
                                                sensitive=item.sensitive, value_hmac=item.value_hmac))
                continue
            sensitive = spec.sensitive if spec.sensitive is not None else bool(item and item.sensitive)
            if item is not None and item.sensitive and not sensitive:
                if acting_user is None or not acting_user.has_perm(REVEAL_PERMISSION):
                    raise PermissionDenied(f"Turning off 'sensitive' on {spec.key} needs the reveal permission.")
            if spec.ciphertext:
                value = crypto.decrypt_value(spec.ciphertext)  # in memory only, for validation
            else:
                value = spec.value
            validate_value(key=spec.key, environment=environment, value=value, sensitive=sensitive, schemas=schemas)
            op = ChangeSetOperation(
                key=spec.key,
                op=OperationKind.SET,
                sensitive=sensitive,
                base_version=spec.base_version,
                description=spec.description if spec.description is not None else (item.description if item else ""),
                value_hmac=crypto.value_hmac(value),
            )
            if sensitive:
                op.value = None
                op.ciphertext = spec.ciphertext if spec.ciphertext else crypto.encrypt_value(value)
            else:
                op.value = value
            op.unset_sensitive = bool(item is not None and item.sensitive and not sensitive)
            built.append(op)
        except ValidationError as exc:
            errors.setdefault(label, []).extend(exc.messages)
        except PermissionDenied as exc:
            errors.setdefault(label, []).append(str(exc))
        except crypto.DecryptionError as exc:
            errors.setdefault(label, []).append(str(exc))
    if errors:
        raise ValidationError(errors)
    return built


def _check_stale(environment: str, operations, *, lock: bool = False):
    conflicts, items = conflicts_for(environment, {op.key: op.base_version for op in operations}, lock=lock)
    if conflicts:
        raise StaleVersionError(conflicts)
    return items


def _valid_approvals(change_set) -> int:
    return (
        change_set.approvals.filter(content_hash=change_set.content_hash)
        .exclude(approver_id=change_set.author_id)
        .values("approver_id")
        .distinct()
        .count()
    )


@transaction.atomic
def config_changeset_create(
    *, environment: str, title: str, reason: str, operations: list, acting_user,
    kind: str = ChangeSetKind.MANUAL, source_environment: str = "", submit: bool = True, schemas=None,
) -> ChangeSet:
    """Validate everything first; stale bases fail now (StaleVersionError) and at apply."""
    env = environment_row(environment)
    actor = resolve_actor(acting_user)
    if not (reason or "").strip():
        raise ValidationError({"reason": "A reason is required."})
    specs = [_spec(o) for o in operations]
    ops = _build_operations(environment=environment, specs=specs, acting_user=acting_user, schemas=schemas)
    _check_stale(environment, ops)
    change_set = ChangeSet(environment=environment, title=(title or reason)[:200], reason=reason.strip(), kind=kind,
                           source_environment=source_environment, author=actor)
    change_set.content_hash = content_hash(environment, ops)
    save_with_history(change_set, acting_user=actor, reason=f"created: {reason}")
    for op in ops:
        op.change_set = change_set
        save_with_history(op, acting_user=actor, reason=reason)
    for op in ops:
        if getattr(op, "unset_sensitive", False):
            audit_log(event_type="configuration.sensitive_unset", action="unset_sensitive", acting_user=actor,
                      resource=change_set, details={"key": op.key, "environment": environment})
    audit_log(event_type="configuration.changeset_created", action="create", acting_user=actor, resource=change_set,
              details={"environment": environment, "keys": sorted(o.key for o in ops), "kind": kind})
    if submit:
        change_set = config_changeset_submit(change_set=change_set, acting_user=actor, _env=env)
    return change_set


@transaction.atomic
def config_changeset_update_operations(*, change_set: ChangeSet, operations: list, acting_user, reason: str) -> ChangeSet:
    """Upsert operations by key; a new content hash voids every approval given so far."""
    actor = resolve_actor(acting_user)
    change_set = ChangeSet.objects.select_for_update().get(pk=change_set.pk)
    if not change_set.is_editable:
        raise ValidationError(f"Change set #{change_set.pk} is {change_set.get_state_display().lower()}; it can no longer be edited.")
    specs = [_spec(o) for o in operations]
    new_ops = _build_operations(environment=change_set.environment, specs=specs, acting_user=acting_user)
    by_key = {op.key: op for op in change_set.operations.all()}
    for op in new_ops:
        old = by_key.get(op.key)
        if old is not None:
            op.pk = old.pk
        op.change_set = change_set
        save_with_history(op, acting_user=actor, reason=reason)
        by_key[op.key] = op
    old_hash = change_set.content_hash
    change_set.content_hash = content_hash(change_set.environment, by_key.values())
    revoked = 0
    if change_set.content_hash != old_hash:
        revoked = change_set.approvals.filter(content_hash=old_hash).count()
        if change_set.state == ChangeSetState.APPROVED:
            change_set.revoke_approval()
    save_with_history(change_set, acting_user=actor, reason=f"edited: {reason}")
    audit_log(event_type="configuration.changeset_edited", action="edit", acting_user=actor, resource=change_set,
              details={"keys": sorted(o.key for o in new_ops), "approvals_revoked": revoked})
    return change_set


@transaction.atomic
def config_changeset_submit(*, change_set: ChangeSet, acting_user, _env=None) -> ChangeSet:
    from configuration.notifications import notify_changeset_pending

    actor = resolve_actor(acting_user)
    change_set = ChangeSet.objects.select_for_update().get(pk=change_set.pk)
    env = _env or environment_row(change_set.environment)
    change_set.submit()
    change_set.submitted_at = timezone.now()
    if env.required_approvals == 0:
        change_set.mark_approved()
        change_set.decided_at = change_set.submitted_at
    save_with_history(change_set, acting_user=actor, reason="submitted for approval")
    if change_set.state == ChangeSetState.PENDING:
        notify_changeset_pending(change_set=change_set, acting_user=actor, required=env.required_approvals)
    return change_set


@transaction.atomic
def config_changeset_approve(*, change_set: ChangeSet, acting_user, comment: str = "") -> ChangeSet:
    actor = resolve_actor(acting_user)
    change_set = ChangeSet.objects.select_for_update().get(pk=change_set.pk)
    if change_set.state != ChangeSetState.PENDING:
        raise ValidationError(f"Change set #{change_set.pk} is {change_set.get_state_display().lower()}, not pending approval.")
    if actor.pk == change_set.author_id:
        raise ValidationError("You cannot approve your own change set; someone else must review it.")
    if not actor.has_perm(APPROVE_PERMISSION):
        raise PermissionDenied("You may not approve configuration change sets.")
    env = environment_row(change_set.environment)
    approval, created = ChangeSetApproval.objects.get_or_create(
        change_set=change_set, approver=actor, content_hash=change_set.content_hash, defaults={"comment": comment}
    )
    if not created:
        raise ValidationError("You already approved this version of the change set.")
    if _valid_approvals(change_set) >= env.required_approvals:
        change_set.mark_approved()
        change_set.decided_at = timezone.now()
    save_with_history(change_set, acting_user=actor, reason=f"approved by {actor.get_username()}")
    audit_log(event_type="configuration.changeset_approved", action="approve", acting_user=actor, resource=change_set,
              details={"content_hash": change_set.content_hash, "state": change_set.state})
    return change_set


@transaction.atomic
def config_changeset_reject(*, change_set: ChangeSet, acting_user, reason: str) -> ChangeSet:
    from configuration.notifications import notify_changeset_rejected

    actor = resolve_actor(acting_user)
    if not (reason or "").strip():
        raise ValidationError({"reason": "Say why the change set is rejected."})
    change_set = ChangeSet.objects.select_for_update().get(pk=change_set.pk)
    if actor.pk != change_set.author_id and not actor.has_perm(APPROVE_PERMISSION):
        raise PermissionDenied("Only the author or an approver may reject a change set.")
    if not change_set.is_editable:
        raise ValidationError(f"Change set #{change_set.pk} is already {change_set.get_state_display().lower()}.")
    change_set.reject()
    change_set.rejection_reason = reason.strip()
    change_set.decided_at = timezone.now()
    save_with_history(change_set, acting_user=actor, reason=f"rejected: {reason}")
    audit_log(event_type="configuration.changeset_rejected", action="reject", acting_user=actor, resource=change_set)
    notify_changeset_rejected(change_set=change_set, acting_user=actor)
    return change_set


def _next_version(environment: str, key: str) -> int:
    last = ConfigurationItem.history.filter(environment=environment, key=key).order_by("-version").values_list(
        "version", flat=True
    ).first()
    return (last or 0) + 1


@transaction.atomic
def config_changeset_apply(*, change_set: ChangeSet, acting_user, check_permission: bool = True) -> ChangeSet:
    """All or nothing: any key past its base version → StaleVersionError listing every conflict."""
    from configuration.services.publish import after_apply

    actor = resolve_actor(acting_user)
    env = environment_row(change_set.environment, lock=True)
    change_set = ChangeSet.objects.select_for_update().get(pk=change_set.pk)
    if change_set.state == ChangeSetState.APPLIED:
        raise ValidationError(
            f"Change set #{change_set.pk} was already applied at {change_set.applied_at:%Y-%m-%d %H:%M %Z} "
            f"(revision {change_set.applied_revision}); nothing was changed."
        )
    if change_set.state != ChangeSetState.APPROVED:
        raise ValidationError(
            f"Change set #{change_set.pk} is {change_set.get_state_display().lower()}; it needs "
            f"{env.required_approvals} approval(s) ({_valid_approvals(change_set)} given for its current content)."
        )
    if _valid_approvals(change_set) < env.required_approvals:
        raise ValidationError("The approvals do not match the change set's current content; it needs a new approval.")
    if check_permission and env.required_approvals and not actor.has_perm(APPLY_PERMISSION):
        raise PermissionDenied("You may not apply configuration change sets in this environment.")
    ops = list(change_set.operations.all())
    items = _check_stale(change_set.environment, ops, lock=True)
    revision = env.revision + 1
    history_reason = f"{change_set.reason} (change set #{change_set.pk})"
    for op in ops:
        item = items.get(op.key)
        if op.op == OperationKind.DELETE:
            item.revision = revision
            item.version += 1
            item._history_user = actor
            item._change_reason = history_reason
            item.delete()
            continue
        if item is None:
            item = ConfigurationItem(key=op.key, environment=change_set.environment,
                                     version=_next_version(change_set.environment, op.key))
        else:
            item.version += 1
        item.value, item.ciphertext, item.value_hmac = op.value, op.ciphertext, op.value_hmac
        item.sensitive, item.description = op.sensitive, op.description
        item.revision, item.updated_by = revision, actor
        save_with_history(item, acting_user=actor, reason=history_reason)
    env.revision = revision
    save_with_history(env, acting_user=actor, reason=history_reason)
    change_set.mark_applied()
    change_set.applied_at, change_set.applied_by, change_set.applied_revision = timezone.now(), actor, revision
    save_with_history(change_set, acting_user=actor, reason="applied")
    after_apply(environment=change_set.environment, revision=revision, keys=[o.key for o in ops],
                change_set=change_set, acting_user=actor)
    return change_set
