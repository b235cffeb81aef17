"""Parsing of the connection variables, failing with one line that names the variable.

Kept apart from settings.py so the same checks serve `manage.py preflight` and tests.
"""

from pathlib import Path
from urllib.parse import urlparse

from django.core.exceptions import ImproperlyConfigured

DATABASE_SCHEMES = {"sqlite", "postgres", "postgresql", "pgsql"}
REDIS_SCHEMES = {"redis", "rediss"}


class ConfigurationError(SystemExit):
    """Stops start-up with a single readable line (no traceback)."""

    def __init__(self, message: str):
        super().__init__(f"Configuration error: {message}")
        self.message = message


def configuration_error(message: str):
    raise ConfigurationError(message)


def database_config(env, *, default_sqlite: Path) -> dict:
    raw = env.str("DATABASE_URL", default="")
    if not raw:
        default_sqlite.parent.mkdir(parents=True, exist_ok=True)
        return sqlite_config(str(default_sqlite))
    scheme = urlparse(raw).scheme
    if scheme not in DATABASE_SCHEMES:
        configuration_error(
            f"DATABASE_URL has unsupported scheme '{scheme}:' (use postgres://user@host:5432/name or sqlite:///path)"
        )
    try:
        config = env.db_url_config(raw)
    except (ImproperlyConfigured, ValueError) as exc:
        configuration_error(f"DATABASE_URL is malformed: {exc}")
    if config["ENGINE"].endswith("sqlite3"):
        return sqlite_config(config["NAME"])
    config["ENGINE"] = "django.db.backends.postgresql"
    config.setdefault("CONN_MAX_AGE", 60)
    config["CONN_HEALTH_CHECKS"] = True
    return config


def sqlite_config(name: str) -> dict:
    # IMMEDIATE transactions serialise writers from web, worker and beat instead of failing
    # with "database is locked" on lock upgrade; the timeout lets them queue.
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": name,
        "OPTIONS": {"transaction_mode": "IMMEDIATE", "timeout": 20, "init_command": "PRAGMA journal_mode=WAL;"},
        "TEST": {"NAME": None},
    }


def redis_config(env) -> str:
    raw = env.str("REDIS_URL", default="")
    if not raw:
        return ""
    parsed = urlparse(raw)
    if parsed.scheme not in REDIS_SCHEMES or not parsed.hostname:
        configuration_error(f"REDIS_URL must look like redis://host:6379/0 (got scheme '{parsed.scheme}:')")
    return raw


def email_config(env, *, default_dir: Path, base_dir: Path) -> dict:
    raw = env.str("EMAIL_URL", default="")
    if not raw:
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": str(default_dir),
        }
    parsed = urlparse(raw)
    try:
        config = env.email_url_config(raw)
    except (ImproperlyConfigured, ValueError) as exc:
        configuration_error(f"EMAIL_URL is malformed: {exc} (use smtp://user:pass@host:587 or filemail:///path)")
    if parsed.scheme.startswith("smtp") and not parsed.hostname:
        configuration_error("EMAIL_URL needs a host, e.g. smtp://user:pass@smtp.example.com:587")
    if parsed.scheme == "filemail":
        path = Path(parsed.path or str(default_dir))
        config["EMAIL_FILE_PATH"] = str(path if path.is_absolute() else base_dir / path)
    config.pop("OPTIONS", None)
    return {key: value for key, value in config.items() if value is not None}

