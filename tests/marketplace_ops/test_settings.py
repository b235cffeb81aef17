"""Start-up configuration: production settings pass `check --deploy`; bad values stop start-up
with one line naming the variable (run in subprocesses, as an operator would)."""

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "k" * 20 + "-production-secret-value-with-enough-entropy-1234567890",
    "ALLOWED_HOSTS": "ops.example.com",
    "SITE_URL": "https://ops.example.com",
    "CONFIG_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
}


def manage(*args, **env):
    base = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "EMAIL_URL", "DEBUG", "SECRET_KEY")}
    base["DATABASE_URL"] = "sqlite:////tmp/mko-settings-test.sqlite3"
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env={**base, **env}, capture_output=True, text=True, timeout=120
    )


def test_check_deploy_reports_no_warning_with_production_values():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_missing_secret_key_with_debug_off_is_one_line():
    result = manage("check", DEBUG="false", ALLOWED_HOSTS="x")
    assert result.returncode != 0
    assert result.stderr.strip() == "Configuration error: SECRET_KEY must be set when DEBUG=false"


@pytest.mark.parametrize(
    "variable, value, expected",
    [
        ("DATABASE_URL", "mysql://root@localhost/ops", "DATABASE_URL has unsupported scheme 'mysql:'"),
        ("EMAIL_URL", "carrier-pigeon://coop", "EMAIL_URL is malformed"),
        ("EMAIL_URL", "smtp://", "EMAIL_URL needs a host"),
        ("REDIS_URL", "http://127.0.0.1:6379", "REDIS_URL must look like redis://host:6379/0"),
    ],
)
def test_malformed_connection_variables_name_the_variable(variable, value, expected):
    result = manage("check", **{variable: value})
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and expected in lines[0], result.stderr


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_unreachable_redis_at_start_up_is_one_line():
    result = manage("preflight", REDIS_URL=f"redis://127.0.0.1:{_free_port()}/0")
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("CommandError: REDIS_URL: the cache does not answer"), result.stderr


def test_connection_variables_switch_the_backends():
    """Embedded defaults without the variables; PostgreSQL and Redis with them (same code)."""
    from django.conf import settings

    engine = settings.DATABASES["default"]["ENGINE"]
    if os.environ.get("DATABASE_URL", "").startswith("postgres"):
        assert engine == "django.db.backends.postgresql"
    else:
        assert engine == "django.db.backends.sqlite3"
    if os.environ.get("REDIS_URL"):
        assert settings.CELERY_BROKER_URL == os.environ["REDIS_URL"]
        assert settings.CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    else:
        assert settings.CELERY_BROKER_URL == "filesystem://"
        assert settings.CACHES["default"]["BACKEND"].endswith("FileBasedCache")
