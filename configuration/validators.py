"""Validation before save: JSON syntax (line/column), JSON Schemas per key pattern (admin-managed,
draft 2020-12) and semantic validators registered in code per key pattern.

`validate_value(...)` raises a `ValidationError({"value": [...]})`. For a sensitive value the
messages never quote the value.
"""

import fnmatch
import json
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlparse

from django.core.exceptions import ValidationError
from jsonschema import Draft202012Validator

from configuration.choices import Environment


def parse_json_text(text: str, *, field: str = "value"):
    """JSON text → value, or a ValidationError naming line and column (never echoing the text)."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValidationError(
            {field: f"Invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}."}, code="invalid_json"
        )


@dataclass(frozen=True)
class SemanticValidator:
    pattern: str
    func: Callable  # (key, value, environment) -> None, raises ValidationError(message)
    name: str


_validators: list[SemanticValidator] = []


def register_validator(pattern: str, func: Callable, *, name: str | None = None):
    """Register `func(key, value, environment)` for keys matching the glob `pattern` (idempotent)."""
    validator = SemanticValidator(pattern=pattern, func=func, name=name or func.__name__)
    if validator not in _validators:
        _validators.append(validator)


def semantic_validators_for(key: str) -> list[SemanticValidator]:
    return [v for v in _validators if fnmatch.fnmatchcase(key, v.pattern)]


# --- built-in semantic validators (registered from AppConfig.ready) ---

RATE_LIMIT_MAX = 100_000


def positive_rate_limit(key, value, environment):
    if isinstance(value, bool) or not isinstance(value, int) or not (1 <= value <= RATE_LIMIT_MAX):
        raise ValidationError(f"{key} must be a positive integer ≤ {RATE_LIMIT_MAX:,}.")


def url_value(key, value, environment):
    if not isinstance(value, str):
        raise ValidationError(f"{key} must be a URL string.")
    parsed = urlparse(value)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise ValidationError(f"{key} must be an absolute http(s) URL.")
    if environment == Environment.PRODUCTION and parsed.scheme != "https":
        raise ValidationError(f"{key} must use https in production.")


def timeout_seconds(key, value, environment):
    if isinstance(value, bool) or not isinstance(value, int | float) or not (0 < value <= 300):
        raise ValidationError(f"{key} must be a number of seconds between 0 and 300.")


def register_builtin_validators():
    register_validator("gateway.rate_limit.*", positive_rate_limit, name="positive rate limit")
    register_validator("*.url", url_value, name="URL (https in production)")
    register_validator("*_url", url_value, name="URL (https in production)")
    register_validator("*.timeout_seconds", timeout_seconds, name="timeout in seconds")


def _schema_messages(schema, value, *, sensitive: bool) -> list[str]:
    messages = []
    validator = Draft202012Validator(schema)
    for error in sorted(validator.iter_errors(value), key=lambda e: list(e.absolute_path))[:20]:
        where = "$" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.absolute_path)
        if sensitive:
            messages.append(f"{where}: does not satisfy the schema's '{error.validator}' rule.")
        else:
            messages.append(f"{where}: {error.message}")
    return messages


def validate_value(*, key: str, environment: str, value, sensitive: bool = False, schemas=None):
    """Run every schema and semantic validator for `key` in `environment`; raise all messages."""
    from configuration.models import ConfigSchema, validate_key

    validate_key(key)
    if schemas is None:
        schemas = list(ConfigSchema.objects.all())
    messages = []
    for schema in schemas:
        if fnmatch.fnmatchcase(key, schema.key_pattern):
            messages.extend(
                f"Schema '{schema.key_pattern}' {m}" for m in _schema_messages(schema.schema, value, sensitive=sensitive)
            )
    for validator in semantic_validators_for(key):
        try:
            validator.func(key, value, environment)
        except ValidationError as exc:
            messages.extend(exc.messages)
    if messages:
        raise ValidationError({"value": messages}, code="invalid_value")
