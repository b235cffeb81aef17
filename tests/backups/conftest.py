import os

import pytest

SCRATCH_PREFIX = f"mko_backups_scratch_t{os.getpid()}"


@pytest.fixture(autouse=True)
def backup_dirs(settings, tmp_path):
    """Backups made by tests go to a temporary directory, never var/backups."""
    settings.BACKUP_STORAGE_DIR = tmp_path / "store"
    settings.BACKUP_WORK_DIR = str(tmp_path / "work")
    settings.BACKUP_RESTORE_DIR = str(tmp_path / "restores")
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.BACKUP_STORAGE_BACKEND = ""
    settings.BACKUP_ENCRYPTION_KEY = ""
    settings.BACKUP_VERIFY_AFTER_BACKUP = True
    # per test process, so parallel runs on one server never drop each other's scratch databases
    settings.BACKUP_SCRATCH_DB_PREFIX = SCRATCH_PREFIX
    return tmp_path


@pytest.fixture
def operations_user(make_user):
    return make_user("olga", roles=["operations"])


@pytest.fixture
def component(db):
    from marketplace_ops.models import Component

    def make(slug, name=None):
        return Component.objects.get_or_create(slug=slug, defaults={"name": name or slug.replace("-", " ").title()})[0]

    return make


@pytest.fixture
def policy(db):
    from backups.models import BackupPolicy
    from backups.services import policy_save

    def make(slug="db-daily-full", *, target="database", backup_type="full", schedule="0 2 * * *", **extra):
        return policy_save(policy=BackupPolicy(name=slug, slug=slug, target=target, backup_type=backup_type,
                                               schedule=schedule, **extra), acting_user=None)

    return make


def flip_byte(path, offset=None):
    data = bytearray(path.read_bytes())
    index = len(data) // 2 if offset is None else offset
    data[index] ^= 0xFF
    path.write_bytes(bytes(data))


def notifications_for(event):
    from marketplace_ops.models import Notification

    return list(Notification.objects.filter(event=event))


@pytest.fixture(autouse=True)
def drop_scratch_databases():
    """Restores to scratch keep their database by design; tests drop this process's scratch databases."""
    yield
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    from psycopg import sql

    from backups.drivers.postgres import connect, pg_environment

    env = pg_environment(connection.settings_dict, dbname="postgres")
    with connect(env, autocommit=True) as admin:
        names = [row[0] for row in admin.execute("SELECT datname FROM pg_database")
                 if row[0].startswith(SCRATCH_PREFIX + "_")]
        for name in names:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
