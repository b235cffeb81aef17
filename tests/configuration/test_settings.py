import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

from configuration import crypto

ROOT = Path(__file__).resolve().parents[2]
PROBE = "import marketplace_ops.settings as s; print(len(s.CONFIG_ENCRYPTION_KEYS))"


def _run(**env):
    base = {k: v for k, v in os.environ.items() if not k.startswith(("CONFIG_", "DEBUG", "SECRET_KEY"))}
    return subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, env={**base, **env}, capture_output=True,
                          text=True, timeout=60)


def test_production_without_keys_stops_with_one_line():
    result = _run(DEBUG="false", SECRET_KEY="x" * 60, ALLOWED_HOSTS="ops.example")
    assert result.returncode != 0
    assert result.stderr.strip().splitlines()[-1] == (
        "Configuration error: CONFIG_ENCRYPTION_KEYS must be set when DEBUG=false (comma-separated Fernet keys)")


def test_malformed_key_is_named():
    result = _run(DEBUG="true", CONFIG_ENCRYPTION_KEYS="not-a-key")
    assert "CONFIG_ENCRYPTION_KEYS entry #1 is not a Fernet key" in result.stderr


def test_development_key_is_derived_and_round_trips():
    if not os.environ.get("CONFIG_ENCRYPTION_KEYS"):
        assert len(settings.CONFIG_ENCRYPTION_KEYS) == 1
    token = crypto.encrypt_value({"a": 1})
    assert crypto.decrypt_value(token) == {"a": 1}
    assert crypto.value_hmac({"a": 1}) == crypto.value_hmac({"a": 1}) != crypto.value_hmac({"a": 2})
