"""The configuration-data contract of the backups app: snapshot, changes since, rebuild, hash, restore.

Sensitive values travel as the ciphertext stored (never plaintext): `value` holds the Fernet
token and `sensitive` is true. Restoring needs a key in CONFIG_ENCRYPTION_KEYS that decrypts it.
"""

import hashlib
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from configuration import crypto
from configuration.choices import ENVIRONMENT_ORDER
from configuration.models import ConfigEnvironment, ConfigurationItem
from configuration.services.common import environment_row
from marketplace_ops.actors import resolve_actor
from marketplace_ops.history import save_with_history
from marketplace_ops.services.audit import audit_log

ITEM_FIELDS = ("key", "environment", "value", "sensitive", "version", "description")


def _item_dict(obj) -> dict:
    return {
        "key": obj.key,
        "environment": obj.environment,
        "value": obj.ciphertext if obj.sensitive else obj.value,
        "sensitive": bool(obj.sensitive),
        "version": obj.version,
        "description": obj.description,
    }


def config_backup_snapshot() -> dict:
    """Full state; writers are held off (environment rows locked) so `taken_at` is exact."""
    with transaction.atomic():
        for name in ENVIRONMENT_ORDER:
            environment_row(name)
        envs = list(ConfigEnvironment.objects.select_for_update().order_by("id"))
        taken_at = timezone.now()
        items = [_item_dict(i) for i in ConfigurationItem.objects.order_by("environment", "key").iterator(chunk_size=2000)]
    return {
        "format": "configuration-snapshot/1",
        "taken_at": taken_at.isoformat(),
        "revisions": {e.name: e.revision for e in envs},
        "items": items,
    }


def config_backup_changes_since(*, since: datetime, until: datetime) -> list[dict]:
    """History rows with since < history_date <= until, oldest first."""
    rows = (ConfigurationItem.history.filter(history_date__gt=since, history_date__lte=until)
            .order_by("history_date", "history_id"))
    out = []
    for row in rows.iterator(chunk_size=2000):
        entry = _item_dict(row)
        entry.update({
            "change_type": row.history_type,
            "changed_at": row.history_date.isoformat(),
            "history_id": row.history_id,
            "revision": row.revision,
        })
        out.append(entry)
    return out


def _ident(entry) -> str:
    return f"{entry['environment']}\x1f{entry['key']}"


def config_state_apply_changes(snapshot: dict, changes: list[dict]) -> dict:
    """Pure: the state after replaying `changes` (from config_backup_changes_since) on `snapshot`."""
    items = {_ident(i): {f: i[f] for f in ITEM_FIELDS} for i in snapshot.get("items", [])}
    revisions = dict(snapshot.get("revisions", {}))
    as_of = snapshot.get("taken_at")
    for change in sorted(changes, key=lambda c: (c["changed_at"], c["history_id"])):
        ident = _ident(change)
        if change["change_type"] == "-":
            items.pop(ident, None)
        else:
            items[ident] = {f: change[f] for f in ITEM_FIELDS}
        if change.get("revision") is not None:
            revisions[change["environment"]] = max(revisions.get(change["environment"], 0), change["revision"])
        as_of = max(as_of or change["changed_at"], change["changed_at"])
    return {
        "format": "configuration-snapshot/1",
        "taken_at": as_of,
        "revisions": revisions,
        "items": sorted(items.values(), key=lambda i: (i["environment"], i["key"])),
    }


def config_state_hash(state: dict) -> str:
    """SHA-256 over the items (sorted by environment, key). Revisions and times are not hashed."""
    items = sorted(({f: i[f] for f in ITEM_FIELDS} for i in state.get("items", [])),
                   key=lambda i: (i["environment"], i["key"]))
    return hashlib.sha256(crypto.canonical_json(items).encode()).hexdigest()


def _check_state(state: dict):
    errors = []
    for index, entry in enumerate(state.get("items", [])):
        missing = [f for f in ITEM_FIELDS if f not in entry]
        if missing:
            errors.append(f"items[{index}]: missing {', '.join(missing)}")
        elif entry["environment"] not in ENVIRONMENT_ORDER:
            errors.append(f"items[{index}]: unknown environment '{entry['environment']}'")
        elif entry["sensitive"]:
            try:
                crypto.decrypt_value(entry["value"])
            except crypto.DecryptionError:
                errors.append(f"items[{index}] {entry['key']}: ciphertext cannot be decrypted with the configured keys")
    if errors:
        raise ValidationError(errors[:50])


@transaction.atomic
def config_backup_restore(*, state: dict, acting_user, reason: str) -> dict:
    """Make the database hold exactly `state`'s items (versions included); every touched item is
    saved with history and `reason`; each changed environment's revision is bumped."""
    from configuration.services.publish import after_apply

    if not (reason or "").strip():
        raise ValidationError({"reason": "A reason is required."})
    _check_state(state)
    actor = resolve_actor(acting_user)
    for name in ENVIRONMENT_ORDER:
        environment_row(name)
    envs = {e.name: e for e in ConfigEnvironment.objects.select_for_update().order_by("id")}
    wanted = {_ident(i): i for i in state.get("items", [])}
    current = {_ident(_item_dict(i)): i for i in ConfigurationItem.objects.select_for_update()}
    touched: dict[str, list[str]] = {}
    history_reason = f"restore: {reason.strip()}"
    for ident in sorted(set(wanted) | set(current)):
        entry, item = wanted.get(ident), current.get(ident)
        env = (entry or {}).get("environment") or item.environment
        revision = envs[env].revision + 1
        if entry is None:
            item.revision, item._history_user, item._change_reason = revision, actor, history_reason
            item.delete()
        else:
            if item is not None and _item_dict(item) == {f: entry[f] for f in ITEM_FIELDS}:
                continue
            item = item or ConfigurationItem(key=entry["key"], environment=env)
            item.sensitive, item.version, item.description = entry["sensitive"], entry["version"], entry["description"]
            if entry["sensitive"]:
                item.value, item.ciphertext = None, entry["value"]
                item.value_hmac = crypto.value_hmac(crypto.decrypt_value(entry["value"]))
            else:
                item.value, item.ciphertext, item.value_hmac = entry["value"], "", crypto.value_hmac(entry["value"])
            item.revision, item.updated_by = revision, actor
            save_with_history(item, acting_user=actor, reason=history_reason)
        touched.setdefault(env, []).append(ident.split("\x1f", 1)[1])
    for env_name, keys in touched.items():
        env = envs[env_name]
        env.revision += 1
        save_with_history(env, acting_user=actor, reason=history_reason)
        after_apply(environment=env_name, revision=env.revision, keys=keys, change_set=None, acting_user=actor,
                    action="restore")
    audit_log(event_type="configuration.backup_restored", action="restore", acting_user=actor,
              resource_type="configuration.ConfigurationItem", resource_id="*",
              details={"reason": reason, "state_hash": config_state_hash(state),
                       "changed": {k: len(v) for k, v in touched.items()}})
    return {"changed": {k: sorted(v) for k, v in touched.items()}, "state_hash": config_state_hash(state)}


def parse_moment(value) -> datetime:
    return value if isinstance(value, datetime) else parse_datetime(value)
