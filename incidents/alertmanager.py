"""Alertmanager webhook payloads (version "4"): validation and the fields we read.

https://prometheus.io/docs/alerting/latest/configuration/#webhook_config — unknown fields are ignored.
"""

import hashlib
import json

from django.conf import settings
from django.utils.dateparse import parse_datetime

from incidents.choices import Severity

SEVERITY_ORDER = [Severity.LOW, Severity.MEDIUM, Severity.HIGH, Severity.CRITICAL]
MAX_ALERTS = 10000
ZERO_TIME = "0001-01-01T00:00:00Z"


def validate_payload(data) -> list[dict]:
    """Errors in the API's shape ([] when the payload is usable)."""
    if not isinstance(data, dict):
        return [{"message": "The body must be a JSON object (Alertmanager webhook payload).", "code": "invalid"}]
    errors = []

    def need(obj, name, kind, where=""):
        value = obj.get(name)
        if value is None or (kind is str and not str(value).strip()):
            errors.append({"field": f"{where}{name}", "message": "This field is required.", "code": "required"})
            return None
        if not isinstance(value, kind):
            errors.append({"field": f"{where}{name}", "message": f"Must be a {kind.__name__ if kind is not dict else 'object'}.", "code": "invalid"})
            return None
        return value

    need(data, "version", str)
    need(data, "groupKey", str)
    status = need(data, "status", str)
    if status and status not in ("firing", "resolved"):
        errors.append({"field": "status", "message": "Must be 'firing' or 'resolved'.", "code": "invalid"})
    alerts = need(data, "alerts", list)
    if alerts is not None:
        if not alerts:
            errors.append({"field": "alerts", "message": "The payload has no alerts.", "code": "required"})
        if len(alerts) > MAX_ALERTS:
            errors.append({"field": "alerts", "message": f"At most {MAX_ALERTS} alerts per delivery.", "code": "too_many"})
        for index, alert in enumerate(alerts[:MAX_ALERTS]):
            where = f"alerts[{index}]."
            if not isinstance(alert, dict):
                errors.append({"field": f"alerts[{index}]", "message": "Each alert must be an object.", "code": "invalid"})
                continue
            alert_status = need(alert, "status", str, where)
            if alert_status and alert_status not in ("firing", "resolved"):
                errors.append({"field": f"{where}status", "message": "Must be 'firing' or 'resolved'.", "code": "invalid"})
            need(alert, "labels", dict, where)
            starts = need(alert, "startsAt", str, where)
            if starts and _parse(starts) is None:
                errors.append({"field": f"{where}startsAt", "message": "Not an RFC 3339 time.", "code": "invalid"})
            for optional in ("annotations",):
                if alert.get(optional) is not None and not isinstance(alert[optional], dict):
                    errors.append({"field": f"{where}{optional}", "message": "Must be an object.", "code": "invalid"})
    for optional in ("groupLabels", "commonLabels", "commonAnnotations"):
        if data.get(optional) is not None and not isinstance(data[optional], dict):
            errors.append({"field": optional, "message": "Must be an object.", "code": "invalid"})
    return errors[:100]


def incident_key(group_key: str) -> str:
    key = f"alertmanager:{group_key}"
    if len(key) <= 300:
        return key
    return "alertmanager:sha256:" + hashlib.sha256(group_key.encode()).hexdigest()


def fingerprint(alert: dict) -> str:
    value = alert.get("fingerprint")
    if isinstance(value, str) and value.strip():
        return value.strip()[:128]
    return hashlib.sha256(json.dumps(alert.get("labels", {}), sort_keys=True).encode()).hexdigest()[:32]


def map_severity(label) -> str:
    mapping = {str(k).lower(): v for k, v in settings.INCIDENTS_ALERT_SEVERITY_MAP.items()}
    value = mapping.get(str(label or "").strip().lower(), settings.INCIDENTS_ALERT_DEFAULT_SEVERITY)
    return value if value in Severity.values else Severity.MEDIUM


def worst(severities) -> str:
    return max(severities, key=SEVERITY_ORDER.index, default=settings.INCIDENTS_ALERT_DEFAULT_SEVERITY)


def component_label(labels: dict) -> str:
    return str(labels.get("component") or labels.get("service") or "").strip()[:100]


def _parse(value):
    try:
        return parse_datetime(value)
    except (TypeError, ValueError):  # well-formed but impossible, e.g. month 13
        return None


def parse_time(value):
    if not isinstance(value, str) or not value or value.startswith("0001-"):
        return None
    return _parse(value)
