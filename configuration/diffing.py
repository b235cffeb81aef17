"""JSON-aware diffs, key by key. Secrets are compared by HMAC only: "changed" or "unchanged"."""

from configuration.crypto import MASK, canonical_json


def _flatten(value, prefix="$") -> dict:
    if isinstance(value, dict) and value:
        out = {}
        for key in sorted(value):
            out.update(_flatten(value[key], f"{prefix}.{key}"))
        return out
    return {prefix: value}


def json_diff(old, new) -> list[dict]:
    """Rows {path, change: added|removed|changed|equal, old, new} (old/new as JSON text)."""
    a, b = _flatten(old), _flatten(new)
    rows = []
    for path in sorted(set(a) | set(b)):
        if path not in a:
            rows.append({"path": path, "change": "added", "old": "", "new": canonical_json(b[path])})
        elif path not in b:
            rows.append({"path": path, "change": "removed", "old": canonical_json(a[path]), "new": ""})
        elif canonical_json(a[path]) != canonical_json(b[path]):
            rows.append({"path": path, "change": "changed", "old": canonical_json(a[path]),
                         "new": canonical_json(b[path])})
        else:
            rows.append({"path": path, "change": "equal", "old": canonical_json(a[path]), "new": canonical_json(b[path])})
    return rows


def version_diff(old_row, new_row) -> list[dict]:
    """Diff two stored versions (history rows or items); never shows a sensitive value."""
    if old_row.sensitive or new_row.sensitive:
        same = old_row.value_hmac == new_row.value_hmac and old_row.sensitive == new_row.sensitive
        return [{"path": "$", "change": "equal" if same else "changed", "old": MASK, "new": MASK,
                 "note": "secret compared by keyed HMAC; neither value is shown"}]
    return json_diff(old_row.value, new_row.value)
