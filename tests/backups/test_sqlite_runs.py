"""The database driver on the embedded engine (SQLite): backup, verify, corruption, restores; and faults
of the run pipeline that hold on either engine (disk full, storage unreachable, encryption, refusals)."""

import errno
import sqlite3
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError

from backups import services
from backups.models import BackupPolicy, BackupRun
from backups.storage import get_storage
from tests.backups.conftest import flip_byte, notifications_for

pytestmark = pytest.mark.django_db
# Tests of the SQLite driver run on the embedded run; on PostgreSQL they are deselected (see conftest).
sqlite_only = pytest.mark.sqlite_only


def stored_path(run) -> Path:
    return Path(get_storage().path(run.storage_name))


@sqlite_only
def test_backup_is_verified_by_integrity_check_and_counts(policy, component, operations_user):
    component("api-gateway")
    run = services.backup_run_start(policy=policy(), acting_user=operations_user)
    assert run.status == "verified", run.error or run.verification_error
    assert run.size_bytes == stored_path(run).stat().st_size and len(run.sha256) == 64
    assert run.metadata["tables"]["marketplace_ops_component"]["rows"] == 1
    restore = run.restores.get()
    assert restore.kind == "verification" and restore.status == "succeeded" and restore.progress_percent == 100
    assert restore.duration_seconds is not None
    # nothing half-written next to it
    assert [p.name for p in stored_path(run).parent.iterdir()] == [stored_path(run).name]


@sqlite_only
def test_flipped_byte_fails_verification_and_alerts(policy, operations_user):
    run = services.backup_run_start(policy=policy(), acting_user=None)
    flip_byte(stored_path(run))
    restore = services.backup_verify(run=run, acting_user=None)
    run.refresh_from_db()
    assert run.status == "verification_failed"
    assert "SHA-256" in run.verification_error and restore.status == "failed"
    alerts = notifications_for("backups.verification_failed")
    assert [n.recipient_user for n in alerts] == [operations_user]
    assert f"run #{run.pk}" in alerts[0].subject


@sqlite_only
def test_restore_to_scratch_writes_a_usable_database(policy, component):
    component("api-portal")
    run = services.backup_run_start(policy=policy(), acting_user=None)
    restore = services.backup_restore(run=run, acting_user=None)
    assert restore.status == "succeeded" and restore.kind == "scratch"
    conn = sqlite3.connect(restore.destination)
    assert conn.execute("SELECT slug FROM marketplace_ops_component").fetchall() == [("api-portal",)]
    conn.close()


@sqlite_only
@pytest.mark.django_db(transaction=True)
def test_in_place_restore_needs_superuser_confirmation_and_takes_a_safety_backup(policy, component, make_user):
    from marketplace_ops.models import AuditEvent, Component

    component("analytics")
    run = services.backup_run_start(policy=policy(), acting_user=None)
    Component.objects.filter(slug="analytics").delete()
    with pytest.raises(PermissionDenied):
        services.backup_restore(run=run, acting_user=make_user("op", roles=["operations"]), in_place=True,
                                confirm=services.in_place_name(run))
    admin = make_user("root", superuser=True)
    with pytest.raises(services.RestoreRefused, match="Type the name"):
        services.backup_restore(run=run, acting_user=admin, in_place=True, confirm="wrong")
    restore = services.backup_restore(run=run, acting_user=admin, in_place=True, confirm=services.in_place_name(run))
    assert restore.status == "succeeded", restore.error
    assert Component.objects.filter(slug="analytics").exists()
    # the backups app still knows about the safety backup taken after `run`
    assert BackupRun.objects.filter(trigger="safety", pk=restore.safety_run_id).exists()
    assert AuditEvent.objects.filter(event_type="backups.restore", outcome="success").exists()
    assert services.backup_run_start(policy=run.policy, acting_user=None).status == "verified"  # ids still free


def test_unverified_or_expired_runs_are_refused_unless_forced(policy):
    run = services.backup_run_start(policy=policy(), acting_user=None, verify=False)
    assert run.status == "succeeded"
    with pytest.raises(services.RestoreRefused, match="not verified"):
        services.backup_restore(run=run, acting_user=None)
    assert services.backup_restore(run=run, acting_user=None, force=True).status == "succeeded"
    services.backup_verify(run=run, acting_user=None)
    run.refresh_from_db()
    run.expire()
    run.save()
    with pytest.raises(services.RestoreRefused, match="expired"):
        services.backup_restore(run=run, acting_user=None)


@sqlite_only
def test_sqlite_cannot_save_an_incremental_policy_and_says_why(policy):
    with pytest.raises(ValidationError) as excinfo:
        policy("db-hourly", backup_type="incremental")
    assert "full copies only" in str(excinfo.value)
    assert not BackupPolicy.objects.filter(slug="db-hourly").exists()


def test_disk_full_leaves_a_failed_run_and_no_file(policy, operations_user, monkeypatch):
    from backups import storage

    def full(self, data):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(storage._Sink, "_emit", full)
    run = services.backup_run_start(policy=policy(), acting_user=None)
    assert run.status == "failed" and "No space left on device" in run.error
    assert not run.storage_name
    store = Path(settings.BACKUP_STORAGE_DIR)
    assert not any(p.is_file() for p in store.rglob("*"))
    assert len(notifications_for("backups.backup_failed")) == 1


def test_unreachable_storage_fails_the_run(policy, settings, tmp_path):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("x")
    settings.BACKUP_STORAGE_DIR = blocker / "store"
    run = services.backup_run_start(policy=policy(), acting_user=None)
    assert run.status == "failed" and "not writable" in run.error


def test_encrypted_backup_round_trips_and_the_wrong_key_fails(policy, settings):
    settings.BACKUP_ENCRYPTION_KEY = "k" * 44
    run = services.backup_run_start(policy=policy(encrypt=True), acting_user=None)
    assert run.status == "verified" and run.encrypted
    assert b"SQLite format" not in stored_path(run).read_bytes()
    settings.BACKUP_ENCRYPTION_KEY = "z" * 44
    services.backup_verify(run=run, acting_user=None)
    run.refresh_from_db()
    assert run.status == "verification_failed" and "authentication tag" in run.verification_error


def test_any_django_storage_can_hold_the_backups(policy, settings):
    settings.BACKUP_STORAGE_BACKEND = "django.core.files.storage.InMemoryStorage"
    run = services.backup_run_start(policy=policy(), acting_user=None)
    assert run.status == "verified", run.error or run.verification_error
    assert get_storage().exists(run.storage_name)
    assert not any(Path(settings.BACKUP_STORAGE_DIR).rglob("*.gz")) if Path(settings.BACKUP_STORAGE_DIR).exists() \
        else True


def test_encryption_cannot_be_enabled_without_a_key(policy):
    with pytest.raises(ValidationError, match="BACKUP_ENCRYPTION_KEY"):
        policy(encrypt=True)
