"""Export and import of one environment."""

import json

from django.core.exceptions import ValidationError

from configuration import crypto
from configuration.choices import ChangeSetKind
from configuration.models import ConfigSchema, ConfigurationItem
from configuration.services.changesets import _build_operations, _spec, config_changeset_create
from configuration.services.common import check_environment, config_current_revision
from configuration.validators import parse_json_text
from marketplace_ops.services.audit import audit_log

MAX_IMPORT_ITEMS = 5000


def config_export(*, environment: str, include_secrets: bool, acting_user) -> dict:
    """Secrets are listed without a value unless include_secrets (audited)."""
    check_environment(environment)
    items = []
    for item in ConfigurationItem.objects.filter(environment=environment).order_by("key").iterator(chunk_size=2000):
        entry = {"key": item.key, "version": item.version, "sensitive": item.sensitive,
                 "description": item.description}
        if not item.sensitive:
            entry["value"] = item.value
        elif include_secrets:
            entry["value"] = crypto.decrypt_value(item.ciphertext)
        items.append(entry)
    if include_secrets:
        audit_log(event_type="configuration.export_with_secrets", action="export", acting_user=acting_user,
                  resource_type="configuration.ConfigEnvironment", resource_id=environment,
                  details={"environment": environment, "keys": [i["key"] for i in items if i["sensitive"]]})
    return {"format": "configuration-export/1", "environment": environment,
            "revision": config_current_revision(environment), "items": items}


def _entries(data) -> list[dict]:
    if isinstance(data, dict) and isinstance(data.get("items"), list):
        return data["items"]
    if isinstance(data, dict):
        return [{"key": k, "value": v} for k, v in data.items()]
    raise ValidationError('The file must be an export ({"items": [...]}) or an object of {"key": value}.')


def config_import(*, text: str, environment: str, acting_user, reason: str):
    """Validate every entry; on any error raise them all (nothing written); else one change set
    (None when everything already matches)."""
    check_environment(environment)
    data = parse_json_text(text, field="file")
    entries = _entries(data)
    if len(entries) > MAX_IMPORT_ITEMS:
        raise ValidationError(f"At most {MAX_IMPORT_ITEMS} entries per import (got {len(entries)}).")
    current = {i.key: i for i in ConfigurationItem.objects.filter(environment=environment)}
    problems, ops = {}, []
    for index, entry in enumerate(entries):
        if not isinstance(entry, dict) or "key" not in entry:
            problems[f"entry {index + 1}"] = ["needs a 'key'"]
            continue
        if "value" not in entry:
            if entry.get("sensitive") and entry["key"] in current:
                continue  # exported without secrets: keep what is stored
            problems[f"entry {index + 1} {entry['key']}"] = ["needs a 'value'"]
            continue
        item = current.get(entry["key"])
        sensitive = bool(entry.get("sensitive", item.sensitive if item else False))
        if item is not None and item.sensitive == sensitive and item.value_hmac == crypto.value_hmac(entry["value"]):
            continue
        ops.append({"key": entry["key"], "value": entry["value"], "sensitive": sensitive,
                    "description": entry.get("description"), "base_version": item.version if item else 0})
    errors = dict(problems)
    schemas = list(ConfigSchema.objects.all())
    if ops:
        try:  # validation only: every entry is checked even when others failed
            _build_operations(environment=environment, specs=[_spec(o) for o in ops], acting_user=acting_user,
                              schemas=schemas)
        except ValidationError as exc:
            for field, errs in getattr(exc, "error_dict", {"import": [exc]}).items():
                errors.setdefault(field, []).extend(m for e in errs for m in e.messages)
    if errors:
        raise ValidationError(errors)
    if not ops:
        return None
    return config_changeset_create(
        environment=environment, title=f"Import of {len(ops)} key(s)", reason=reason, operations=ops,
        acting_user=acting_user, kind=ChangeSetKind.IMPORT, schemas=schemas,
    )


def dumps(data) -> str:
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False)
