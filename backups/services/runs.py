"""Every write of the backups app: policies, runs, verification, restores, pruning, reports and
the objectives watch. Keyword-only, explicit `acting_user` (None = the system actor)."""

import logging
import time
from pathlib import Path

from django.conf import settings
from django.core import serializers
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from backups import notifications
from backups.choices import (
    GOOD_STATUSES,
    STORED_STATUSES,
    BackupType,
    RestoreKind,
    RestoreStatus,
    RunStatus,
    Trigger,
)
from backups.drivers import DriverError, driver_for
from backups.models import BackupPolicy, BackupRestore, BackupRun
from backups.storage import StorageError, fetch, open_writer, work_dir
from marketplace_ops.actors import resolve_actor
from marketplace_ops.choices import AuditOutcome
from marketplace_ops.history import save_with_history
from marketplace_ops.services.audit import audit_log

logger = logging.getLogger(__name__)


class RestoreRefused(Exception):
    """A restore that needs --force (expired / unverified run) or is not allowed."""


# --- policies ------------------------------------------------------------------------------

def policy_save(*, policy: BackupPolicy, acting_user, reason: str = "") -> BackupPolicy:
    """Validate (including: can this type of backup be made here?) and save a policy."""
    policy.full_clean()
    if policy.enabled and policy.next_run_at is None:
        policy.next_run_at = policy.next_after(timezone.now())
    with transaction.atomic():
        created = policy.pk is None
        save_with_history(policy, acting_user=acting_user, reason=reason or ("created" if created else "changed"))
        audit_log(event_type="backups.policy_saved", action="create" if created else "update",
                  acting_user=resolve_actor(acting_user), resource=policy,
                  details={"target": policy.target, "type": policy.backup_type, "schedule": policy.schedule})
    return policy


# --- backup runs ---------------------------------------------------------------------------

def _family(policy):
    return BackupRun.objects.filter(policy__target=policy.target)


def _parent_for(policy, backup_type):
    good = _family(policy).filter(status__in=GOOD_STATUSES, finished_at__isnull=False).order_by("-finished_at", "-id")
    if policy.target == "database":
        # pgBackRest keeps its own chain; a pg_dump full is no base for it (and vice versa)
        tool_runs = good.filter(metadata__tool="pgbackrest")
        good = tool_runs if backup_type != BackupType.FULL else good.exclude(pk__in=tool_runs)
    if backup_type == BackupType.INCREMENTAL:
        return good.first()
    if backup_type == BackupType.DIFFERENTIAL:
        return good.filter(backup_type=BackupType.FULL).first()
    return None


def _storage_name(run, driver) -> str:
    prefix = (run.policy.storage_prefix or run.policy.slug).strip("/")
    stamp = timezone.now().strftime("%Y%m%dT%H%M%SZ")
    suffix = driver.extension + (".gz" if run.compression == "gzip" else "") + (".enc" if run.encrypted else "")
    return f"{prefix}/{stamp}-run{run.pk}-{run.backup_type}{suffix}"


def backup_run_start(*, policy: BackupPolicy, acting_user, trigger: str = Trigger.MANUAL,
                     backup_type: str | None = None, verify: bool | None = None) -> BackupRun:
    """Make one backup now. Always returns the run: succeeded (then verified or not) or failed."""
    backup_type = backup_type or policy.backup_type
    actor = resolve_actor(acting_user)
    try:
        driver = driver_for(policy.target, backup_type, tool_options=policy.tool_options)
        reason = driver.unsupported_reason(backup_type, tool_options=policy.tool_options)
    except DriverError as exc:
        driver, reason = None, str(exc)
    parent = _parent_for(policy, backup_type) if backup_type != BackupType.FULL else None
    note = ""
    if backup_type != BackupType.FULL and parent is None and driver is not None and driver.key != "pgbackrest":
        note = f"no earlier backup to build a {backup_type} on: this run is a full backup"
        backup_type = BackupType.FULL
    with transaction.atomic():
        run = BackupRun(policy=policy, backup_type=backup_type, parent=parent, trigger=trigger,
                        started_by=actor if actor.get_username() != "system" else None,
                        compression=policy.compression, encrypted=policy.encrypt, tool_output=note)
        save_with_history(run, acting_user=actor, reason=f"{trigger} backup")
        if reason:
            run.fail(error=reason)
            save_with_history(run, acting_user=actor, reason="cannot run")
            _after_failure(run, actor)
            return run
        run.start()
        save_with_history(run, acting_user=actor, reason="started")
    started = time.monotonic()
    try:
        with open_writer(_storage_name(run, driver), compression=run.compression, encrypt=run.encrypted) as sink:
            result = driver.backup(run=run, sink=sink, parent=parent)
        error, output = "", result.tool_output
    except (DriverError, StorageError) as exc:
        error, output, result, sink = str(exc), getattr(exc, "output", ""), None, None
    except Exception as exc:  # a driver bug must still leave a failed run, never a running one
        logger.exception("backup run %s crashed", run.pk)
        error, output, result, sink = f"unexpected error: {exc.__class__.__name__}: {exc}", "", None, None
    with transaction.atomic():
        run = BackupRun.objects.select_for_update().get(pk=run.pk)
        run.tool_output = "\n".join(part for part in (note, output) if part)[-20000:]
        if result is None:
            run.fail(error=error)
            save_with_history(run, acting_user=actor, reason="failed")
            _after_failure(run, actor)
            return run
        run.metadata = {**result.metadata, "duration_seconds": round(time.monotonic() - started, 3)}
        run.storage_name, run.size_bytes, run.sha256 = sink.result.name, sink.result.size, sink.result.sha256
        run.succeed()
        save_with_history(run, acting_user=actor, reason="succeeded")
        audit_log(event_type="backups.backup_succeeded", action="backup", acting_user=actor, resource=run,
                  details={"size": run.size_bytes, "sha256": run.sha256, "type": run.backup_type})
    if verify if verify is not None else getattr(settings, "BACKUP_VERIFY_AFTER_BACKUP", True):
        backup_verify(run=run, acting_user=acting_user)
        run.refresh_from_db()
    return run


def _after_failure(run, actor):
    audit_log(event_type="backups.backup_failed", action="backup", acting_user=actor, resource=run,
              outcome=AuditOutcome.FAILURE, details={"error": run.error[:500]})
    notifications.backup_failed(run, acting_user=actor)


# --- verification and restores -------------------------------------------------------------

def _progress_updater(restore, callback):
    def update(fraction: float, message: str = ""):
        percent = max(0, min(100, int(fraction * 100)))
        # progress is not history: a plain UPDATE, so the admin can show it while it runs
        BackupRestore.objects.filter(pk=restore.pk).update(progress_percent=percent,
                                                           progress_message=message[:200])
        if callback:
            callback(percent, message)
    return update


def _fetch_chain(run, scratch: Path, progress) -> list:
    chain = run.chain()
    files = []
    for index, member in enumerate(chain):
        if member.status not in STORED_STATUSES:
            raise StorageError(f"run #{member.pk} of the chain is {member.get_status_display().lower()}")
        if not member.storage_name:
            raise StorageError(f"run #{member.pk} has no stored file")
        path = scratch / f"run-{member.pk}"
        fetch(member.storage_name, path, compression=member.compression, encrypted=member.encrypted,
              expected_sha256=member.sha256, size_hint=member.size_bytes,
              progress=lambda f, i=index, pk=member.pk: progress((i + f) / len(chain) * 0.5, f"reading run #{pk}"))
        files.append((member, path))
    return files


def _begin_restore(run, kind, actor, *, forced=False) -> BackupRestore:
    restore = BackupRestore(run=run, kind=kind, requested_by=actor if actor.get_username() != "system" else None,
                            forced=forced)
    save_with_history(restore, acting_user=actor, reason=f"{kind} started")
    return restore


def _finish_restore(restore, actor, *, started, result=None, error=""):
    restore.finished_at = timezone.now()
    restore.duration_seconds = round(time.monotonic() - started, 3)
    restore.status = RestoreStatus.FAILED if error else RestoreStatus.SUCCEEDED
    restore.error = error
    restore.progress_percent = 100 if not error else restore.progress_percent
    if result is not None:
        restore.destination = result.destination[:500]
        restore.details = {**restore.details, **result.details}
    save_with_history(restore, acting_user=actor, reason="failed" if error else "finished")


def backup_verify(*, run: BackupRun, acting_user, kind: str = RestoreKind.VERIFICATION,
                  progress=None) -> BackupRestore:
    """Re-read from storage (SHA-256), test-restore, compare; mark verified or failed and alert."""
    actor = resolve_actor(acting_user)
    if run.status not in STORED_STATUSES:
        raise ValidationError(f"Run #{run.pk} is {run.get_status_display().lower()}: nothing stored to verify.")
    restore = _begin_restore(run, kind, actor)
    update = _progress_updater(restore, progress)
    started = time.monotonic()
    error, result = "", None
    try:
        with _scratch_dir() as scratch:
            files = _fetch_chain(run, scratch, update)
            driver = driver_for(run.policy.target, run.backup_type, tool_options=run.policy.tool_options)
            result = driver.verify(run=run, files=files, progress=update)
    except (DriverError, StorageError) as exc:
        error = str(exc)
    except Exception as exc:
        logger.exception("verification of run %s crashed", run.pk)
        error = f"unexpected error: {exc.__class__.__name__}: {exc}"
    with transaction.atomic():
        _finish_restore(restore, actor, started=started, result=result, error=error)
        locked = BackupRun.objects.select_for_update().get(pk=run.pk)
        if error:
            locked.mark_verification_failed(error=error)
        else:
            locked.mark_verified()
        save_with_history(locked, acting_user=actor, reason=f"{kind}: {'failed' if error else 'ok'}")
        audit_log(event_type=f"backups.{kind}", action="verify", acting_user=actor, resource=locked,
                  outcome=AuditOutcome.FAILURE if error else AuditOutcome.SUCCESS,
                  details={"error": error[:500], "restore_seconds": restore.duration_seconds})
        if error:
            notifications.verification_failed(locked, restore, acting_user=actor)
    if locked.policy.component_id:
        from backups.services.watch import objectives_check

        objectives_check(acting_user=acting_user, component_ids=[locked.policy.component_id])
    return restore


class _scratch_dir:
    def __enter__(self):
        import tempfile

        self._tmp = tempfile.TemporaryDirectory(dir=work_dir(), prefix="restore-")
        return Path(self._tmp.name)

    def __exit__(self, *exc):
        self._tmp.cleanup()


def _preserve_backup_records():
    """The backups app's own rows, so an in-place restore of this database does not forget them."""
    return serializers.serialize("json", [*BackupPolicy.objects.all(), *BackupRun.objects.order_by("id"),
                                          *BackupRestore.objects.all()])


def _reload_backup_records(data: str):
    """Rows as they were just before the restore (a reconciliation, so no history rows)."""
    objects = [item.object for item in serializers.deserialize("json", data)]
    for kind in (BackupPolicy, BackupRun, BackupRestore):
        fields = [f for f in kind._meta.concrete_fields if not f.primary_key]
        for obj in (o for o in objects if isinstance(o, kind)):  # parents before children (ids ascend)
            values = {f.attname: getattr(obj, f.attname) for f in fields}
            for f in fields:  # users/components created after the backup no longer exist
                if f.is_relation and f.null and values[f.attname] is not None \
                        and f.related_model not in (BackupPolicy, BackupRun, BackupRestore) \
                        and not f.related_model.objects.filter(pk=values[f.attname]).exists():
                    values[f.attname] = None
                    setattr(obj, f.attname, None)
            if not kind.objects.filter(pk=obj.pk).update(**values):
                kind.objects.bulk_create([obj])
    _reset_sequences([BackupPolicy, BackupRun, BackupRestore])


def _reset_sequences(models_):
    """Rows re-inserted with their ids leave PostgreSQL sequences behind; move them past the ids."""
    from django.core.management.color import no_style
    from django.db import connection

    statements = connection.ops.sequence_reset_sql(no_style(), models_)
    if statements:
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)


def backup_restore(*, run: BackupRun, acting_user, in_place: bool = False, force: bool = False,
                   confirm: str = "", progress=None) -> BackupRestore:
    """Restore a run to scratch (a new database / file / folder, the default) or in place.

    In place needs a superuser, the database name typed back (`confirm`) and takes a safety
    backup first. Expired or unverified runs are refused unless `force`."""
    actor = resolve_actor(acting_user)
    if not force and run.status == RunStatus.EXPIRED:
        raise RestoreRefused(f"Run #{run.pk} is expired (pruned): its file is gone. Use --force to try anyway.")
    if not force and run.status != RunStatus.VERIFIED:
        raise RestoreRefused(
            f"Run #{run.pk} is {run.get_status_display().lower()}, not verified; verify it first or force the restore."
        )
    safety = None
    if in_place:
        if not getattr(acting_user, "is_superuser", False):
            audit_log(event_type="backups.restore_refused", action="restore", acting_user=actor, resource=run,
                      outcome=AuditOutcome.FAILURE, details={"reason": "in-place restore needs a superuser"})
            raise PermissionDenied("Restoring in place needs a superuser.")
        expected = in_place_name(run)
        if confirm != expected:
            raise RestoreRefused(f"Type the name '{expected}' to confirm the in-place restore.")
        safety = backup_run_start(policy=_safety_policy(run), acting_user=acting_user, trigger=Trigger.SAFETY,
                                  backup_type=BackupType.FULL, verify=False)
        if safety.status != RunStatus.SUCCEEDED:
            raise RestoreRefused(f"The safety backup failed ({safety.error}); nothing was restored.")
    kind = RestoreKind.IN_PLACE if in_place else RestoreKind.SCRATCH
    restore = _begin_restore(run, kind, actor, forced=force)
    restore.safety_run = safety
    update = _progress_updater(restore, progress)
    started = time.monotonic()
    error, result, preserved = "", None, None
    try:
        with _scratch_dir() as scratch:
            files = _fetch_chain(run, scratch, update)
            driver = driver_for(run.policy.target, run.backup_type, tool_options=run.policy.tool_options)
            if in_place and run.policy.target == "database":
                preserved = _preserve_backup_records()
            extra = {"acting_user": actor, "reason": f"restore of backup run #{run.pk}"} \
                if run.policy.target == "configuration" else {}
            result = driver.restore(run=run, files=files, in_place=in_place, progress=update, **extra)
    except (DriverError, StorageError) as exc:
        error = str(exc)
    except Exception as exc:
        logger.exception("restore of run %s crashed", run.pk)
        error = f"unexpected error: {exc.__class__.__name__}: {exc}"
    if preserved is not None and not error:
        _reload_backup_records(preserved)
        from django.contrib.auth import get_user_model

        from marketplace_ops.actors import system_user

        if not get_user_model().objects.filter(pk=actor.pk).exists():  # created after the restored backup
            restore.details = {**restore.details, "requested_by_username": actor.get_username()}
            restore.requested_by, safety_by = None, actor.get_username()
            actor = system_user()
            logger.warning("in-place restore requested by %s, who does not exist in the restored data", safety_by)
    with transaction.atomic():
        _finish_restore(restore, actor, started=started, result=result, error=error)
        audit_log(event_type="backups.restore", action="restore", acting_user=actor, resource=run,
                  outcome=AuditOutcome.FAILURE if error else AuditOutcome.SUCCESS,
                  details={"kind": kind, "destination": restore.destination, "forced": force,
                           "safety_run": getattr(safety, "pk", None), "error": error[:500],
                           "seconds": restore.duration_seconds})
        notifications.restored(restore, acting_user=actor)
    return restore


def in_place_name(run) -> str:
    from django.db import connections

    if run.policy.target == "database":
        return Path(str(connections["default"].settings_dict["NAME"])).name
    return run.policy.target


def _safety_policy(run):
    return run.policy if run.policy.backup_type == BackupType.FULL else (
        BackupPolicy.objects.filter(target=run.policy.target, backup_type=BackupType.FULL).first() or run.policy
    )
