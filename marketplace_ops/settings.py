"""Settings, read only through django-environ.

Defaults are the embedded ones (SQLite, filesystem broker, file email under var/); setting
DATABASE_URL, REDIS_URL and EMAIL_URL switches to PostgreSQL, Redis and SMTP. Every variable is
documented in docs/configuration.md. Bad values stop start-up with one line naming the variable.
"""

from pathlib import Path

import environ

from marketplace_ops.config_checks import (
    configuration_error,
    database_config,
    email_config,
    redis_config,
)

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()

DEBUG = env.bool("DEBUG", default=True)
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        configuration_error("SECRET_KEY must be set when DEBUG=false")
    SECRET_KEY = "insecure-embedded-development-key-change-me-in-production-0123456789"

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"] if DEBUG else [])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[SITE_URL])
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=[])

# Module paths of the project's apps. incidents.support and incidents.statuspage are sub-apps of the
# incidents domain (labels "support" and "statuspage") so each keeps its own migrations.
LOCAL_APPS = [
    "marketplace_ops",
    "releases",
    "incidents",
    "incidents.support",
    "incidents.statuspage",
    "configuration",
    "backups",
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "simple_history",
    "django_fsm",
    *LOCAL_APPS,
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "marketplace_ops.middleware.ActorContextMiddleware",
]

ROOT_URLCONF = "marketplace_ops.urls"
WSGI_APPLICATION = "marketplace_ops.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {"default": database_config(env, default_sqlite=VAR_DIR / "db.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = redis_config(env)
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }

vars().update(email_config(env, default_dir=VAR_DIR / "mail", base_dir=BASE_DIR))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Marketplace Ops <ops@marketplace.example>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=15)
NOTIFICATION_BATCH_SIZE = env.int("NOTIFICATION_BATCH_SIZE", default=100)
SMS_BACKEND = env.str("SMS_BACKEND", default="marketplace_ops.sms.OutboxLogSmsBackend")
SMS_WEBHOOK_URL = env.str("SMS_WEBHOOK_URL", default="")

LANGUAGE_CODE = "en-us"
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True
BUSINESS_HOLIDAYS_COUNTRY = env.str("BUSINESS_HOLIDAYS_COUNTRY", default="US")

STATIC_URL = "/static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=VAR_DIR / "static")
Path(STATIC_ROOT).mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "marketplace_ops" / "static"]
MEDIA_ROOT = env.path("MEDIA_ROOT", default=VAR_DIR / "media")
MEDIA_URL = "/media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "admin:login"

# Security: strict when DEBUG is off, so `manage.py check --deploy` is clean.
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
X_FRAME_OPTIONS = "DENY"

# Celery: filesystem broker under var/celery unless REDIS_URL is set.
CELERY_BROKER_URL = REDIS_URL or "filesystem://"
CELERY_BROKER_TRANSPORT_OPTIONS = (
    {"visibility_timeout": 3600, "socket_connect_timeout": 3, "socket_timeout": 5}
    if REDIS_URL
    else {
        "data_folder_in": str(VAR_DIR / "celery" / "queue"),
        "data_folder_out": str(VAR_DIR / "celery" / "queue"),
        "processed_folder": str(VAR_DIR / "celery" / "processed"),
        "control_folder": str(VAR_DIR / "celery" / "control"),
        "store_processed": False,
    }
)
CELERY_BROKER_DIRS = [VAR_DIR / "celery" / d for d in ("queue", "processed", "control")]
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_PUBLISH_RETRY = False
CELERY_BROKER_CONNECTION_TIMEOUT = 3
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = "UTC"
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["marketplace_ops.api.authentication.BearerTokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["marketplace_ops.api.permissions.HasTokenScope"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "marketplace_ops.api.errors.json_exception_handler",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 50,
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Marketplace Ops API",
    "DESCRIPTION": "Machine interface of Marketplace Ops: CI/CD, Alertmanager, the API gateway.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "APPEND_COMPONENTS": {
        "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}}
    },
    "SECURITY": [{"bearerAuth": []}],
}

SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True
SIMPLE_HISTORY_REVERT_DISABLED = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# --- releases settings (owned by the releases app) ---
# Roles whose approval each release type needs (JSON: {"major": ["product", ...], ...}).
RELEASES_REQUIRED_APPROVALS = env.json(
    "RELEASES_REQUIRED_APPROVALS",
    default={
        "major": ["product", "engineering", "security", "operations"],
        "minor": ["product", "engineering", "security", "operations"],
        "patch": ["product", "engineering", "security", "operations"],
        "hotfix": ["security", "operations"],
    },
)
RELEASES_APPROVAL_LINK_MAX_AGE_HOURS = env.int("RELEASES_APPROVAL_LINK_MAX_AGE_HOURS", default=72)
RELEASES_CAB_QUORUM = env.int("RELEASES_CAB_QUORUM", default=2)
RELEASES_ECAB_QUORUM = env.int("RELEASES_ECAB_QUORUM", default=2)
RELEASES_ANNOUNCEMENT_LEAD_HOURS = env.int("RELEASES_ANNOUNCEMENT_LEAD_HOURS", default=1)
RELEASES_CONFIG_ENVIRONMENT = env.str("RELEASES_CONFIG_ENVIRONMENT", default="production")
# Own OpenAPI enum names, so "status"/"change_type" do not collide with other apps' fields.
SPECTACULAR_SETTINGS.setdefault("ENUM_NAME_OVERRIDES", {}).update({
    "ReleaseStatusEnum": "releases.choices.ReleaseStatus",
    "ReleaseTypeEnum": "releases.choices.ReleaseType",
    "ReleaseChangeTypeEnum": "releases.choices.ChangeType",
    # Risk levels share their values with incident severities: one enum, "SeverityLevelEnum".
    "PatchClassificationEnum": "releases.choices.PatchClassification",
})
# --- end releases settings ---

# --- incidents settings (owned by the incidents app) ---
# Alertmanager `severity` label -> incident severity (documented in docs/configuration.md).
INCIDENTS_ALERT_SEVERITY_MAP = env.dict(
    "INCIDENTS_ALERT_SEVERITY_MAP",
    default={"critical": "critical", "error": "high", "high": "high", "warning": "medium", "info": "low"},
)
INCIDENTS_ALERT_DEFAULT_SEVERITY = env.str("INCIDENTS_ALERT_DEFAULT_SEVERITY", default="medium")
# Who "the incident-response group" and "internal" audiences are (group names).
INCIDENTS_RESPONSE_GROUP = env.str("INCIDENTS_RESPONSE_GROUP", default="incident-response")
INCIDENTS_INTERNAL_GROUPS = env.list("INCIDENTS_INTERNAL_GROUPS", default=["incident-response", "operations"])
# Escalation when no EscalationPolicy applies: minutes without acknowledgement -> target.
INCIDENTS_DEFAULT_ESCALATION = [
    {"trigger": "unacknowledged", "wait_minutes": 5, "target": "on_call", "sms": True},
    {"trigger": "unacknowledged", "wait_minutes": 15, "target": "group", "group": "incident-response"},
    {"trigger": "unacknowledged", "wait_minutes": 30, "target": "group", "group": "operations"},
    {"trigger": "sla_breach", "target": "assignee"},
    {"trigger": "sla_breach", "target": "group", "group": "operations"},
    {"trigger": "update_overdue", "target": "commander"},
]
INCIDENTS_SWEEP_BATCH = env.int("INCIDENTS_SWEEP_BATCH", default=200)
# Name the incidents API's enums (several apps have a "status" or "channel" field).
SPECTACULAR_SETTINGS.setdefault("ENUM_NAME_OVERRIDES", {}).update({
    "IncidentStatusEnum": "incidents.choices.IncidentStatus",
    "SeverityLevelEnum": "incidents.choices.Severity",
    "CommunicationChannelEnum": "incidents.choices.CommunicationChannel",
    "CommunicationAudienceEnum": "incidents.choices.Audience",
    "TimelineKindEnum": "incidents.choices.TimelineKind",
})
# --- end incidents settings ---

# --- support settings (owned by incidents.support) ---
# Public portal (/support/): at most this many new tickets / replies per client IP per window.
SUPPORT_PORTAL_RATE_LIMIT = env.int("SUPPORT_PORTAL_RATE_LIMIT", default=5)
SUPPORT_REPLY_RATE_LIMIT = env.int("SUPPORT_REPLY_RATE_LIMIT", default=20)
SUPPORT_RATE_WINDOW_SECONDS = env.int("SUPPORT_RATE_WINDOW_SECONDS", default=3600)
# Resolved tickets not reopened within this many days are closed by the SLA sweep (0: never).
SUPPORT_AUTO_CLOSE_DAYS = env.int("SUPPORT_AUTO_CLOSE_DAYS", default=7)
# Own OpenAPI enum names, so ticket "status"/"channel" do not collide with other apps' fields.
SPECTACULAR_SETTINGS.setdefault("ENUM_NAME_OVERRIDES", {}).update({
    "TicketStatusEnum": "incidents.support.choices.TicketStatus",
    "TicketChannelEnum": "incidents.support.choices.Channel",
})
# --- end support settings ---

# --- statuspage settings (owned by incidents.statuspage) ---
# Public pages: Cache-Control max-age (seconds) and how far ahead maintenance is shown.
STATUSPAGE_CACHE_SECONDS = env.int("STATUSPAGE_CACHE_SECONDS", default=30)
STATUSPAGE_UPTIME_DAYS = env.int("STATUSPAGE_UPTIME_DAYS", default=90)
STATUSPAGE_MAINTENANCE_HORIZON_DAYS = env.int("STATUSPAGE_MAINTENANCE_HORIZON_DAYS", default=30)
STATUSPAGE_ACTIVE_LIMIT = env.int("STATUSPAGE_ACTIVE_LIMIT", default=50)
STATUSPAGE_HISTORY_MONTHS = env.int("STATUSPAGE_HISTORY_MONTHS", default=6)
STATUSPAGE_FEED_ENTRIES = env.int("STATUSPAGE_FEED_ENTRIES", default=50)
# Subscribers: confirmation links expire; the form is rate-limited per client IP and per address.
STATUSPAGE_CONFIRM_MAX_AGE_HOURS = env.int("STATUSPAGE_CONFIRM_MAX_AGE_HOURS", default=72)
STATUSPAGE_SUBSCRIBE_RATE_LIMIT = env.int("STATUSPAGE_SUBSCRIBE_RATE_LIMIT", default=5)
STATUSPAGE_SUBSCRIBE_RATE_WINDOW_SECONDS = env.int("STATUSPAGE_SUBSCRIBE_RATE_WINDOW_SECONDS", default=3600)
# The announcement sweep looks back this far behind its last run (late commits).
STATUSPAGE_SWEEP_LOOKBACK_MINUTES = env.int("STATUSPAGE_SWEEP_LOOKBACK_MINUTES", default=60)
# --- end statuspage settings ---

# --- configuration settings (owned by the configuration app) ---
# Fernet keys (comma-separated, newest first): the first encrypts, all decrypt (MultiFernet).
# Development only: with DEBUG on and the variable unset, one key is derived from SECRET_KEY.
CONFIG_ENCRYPTION_KEYS = env.list("CONFIG_ENCRYPTION_KEYS", default=[])
if not CONFIG_ENCRYPTION_KEYS:
    if not DEBUG:
        configuration_error("CONFIG_ENCRYPTION_KEYS must be set when DEBUG=false (comma-separated Fernet keys)")
    import base64 as _b64
    import hashlib as _hashlib

    CONFIG_ENCRYPTION_KEYS = [
        _b64.urlsafe_b64encode(_hashlib.sha256(f"configuration-encryption:{SECRET_KEY}".encode()).digest()).decode()
    ]
else:
    from cryptography.fernet import Fernet as _Fernet

    for _index, _key in enumerate(CONFIG_ENCRYPTION_KEYS):
        try:
            _Fernet(_key)
        except (ValueError, TypeError):
            configuration_error(f"CONFIG_ENCRYPTION_KEYS entry #{_index + 1} is not a Fernet key (32 url-safe base64 bytes)")
# Keyed HMAC used to compare secrets without showing them (history, diffs, compare page).
# Unset: derived from the first encryption key (config_rotate_keys recomputes the HMACs).
CONFIG_HMAC_KEY = env.str("CONFIG_HMAC_KEY", default="")
CONFIG_WEBHOOK_TIMEOUT = env.float("CONFIG_WEBHOOK_TIMEOUT", default=5.0)
CONFIG_WEBHOOK_MAX_ATTEMPTS = env.int("CONFIG_WEBHOOK_MAX_ATTEMPTS", default=6)
CONFIG_SNAPSHOT_CACHE_SECONDS = env.int("CONFIG_SNAPSHOT_CACHE_SECONDS", default=3600)
# --- end configuration settings ---

# --- backups settings (owned by the backups app) ---
BACKUP_STORAGE_DIR = env.path("BACKUP_STORAGE_DIR", default=VAR_DIR / "backups")
BACKUP_STORAGE_BACKEND = env.str("BACKUP_STORAGE_BACKEND", default="")  # e.g. storages.backends.s3.S3Storage
BACKUP_STORAGE_OPTIONS = env.json("BACKUP_STORAGE_OPTIONS", default={})
BACKUP_WORK_DIR = env.str("BACKUP_WORK_DIR", default="")  # local temp space; default: the system temp dir
BACKUP_RESTORE_DIR = env.str("BACKUP_RESTORE_DIR", default="")  # scratch restores; default: <storage>/restores
BACKUP_ENCRYPTION_KEY = env.str("BACKUP_ENCRYPTION_KEY", default="")
BACKUP_VERIFY_AFTER_BACKUP = env.bool("BACKUP_VERIFY_AFTER_BACKUP", default=True)
BACKUP_SCRATCH_DB_PREFIX = env.str("BACKUP_SCRATCH_DB_PREFIX", default="mko_backups_scratch")
BACKUP_PG_DUMP_PATH = env.str("BACKUP_PG_DUMP_PATH", default="")
BACKUP_PG_RESTORE_PATH = env.str("BACKUP_PG_RESTORE_PATH", default="")
BACKUP_PGBACKREST_PATH = env.str("BACKUP_PGBACKREST_PATH", default="")
# Own OpenAPI enum names, so "status"/"type" do not collide with other apps' fields.
SPECTACULAR_SETTINGS.setdefault("ENUM_NAME_OVERRIDES", {}).update({
    "BackupTypeEnum": "backups.choices.BackupType",
    "BackupRunStatusEnum": "backups.choices.RunStatus",
})
# --- end backups settings ---
