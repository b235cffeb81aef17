"""Scheduling, pruning, external reports and the RPO/RTO watch."""

import logging
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from backups import notifications, retention
from backups.choices import GOOD_STATUSES, STORED_STATUSES, ObjectiveState, RestoreKind, RunStatus, Trigger
from backups.drivers import DriverError, driver_for
from backups.models import BackupPolicy, BackupRun, ExternalBackupReport, RecoveryObjective
from backups.storage import StorageError, delete
from marketplace_ops.actors import resolve_actor
from marketplace_ops.history import save_with_history
from marketplace_ops.services.audit import audit_log

logger = logging.getLogger(__name__)

# component slug -> (RTO, RPO), from the source document's table
DEFAULT_OBJECTIVES = {
    "api-gateway": (timedelta(minutes=15), timedelta(minutes=5)),
    "api-portal": (timedelta(minutes=30), timedelta(hours=1)),
    "api-catalog": (timedelta(hours=1), timedelta(hours=1)),
    "user-database": (timedelta(minutes=30), timedelta(minutes=5)),
    "analytics": (timedelta(hours=2), timedelta(hours=1)),
}


# --- scheduling ----------------------------------------------------------------------------

def policies_claim_due(*, now=None) -> list[int]:
    """Policies whose cron is due; each is moved to its next slot so two workers never both run it."""
    now = now or timezone.now()
    claimed = []
    with transaction.atomic():
        due = BackupPolicy.objects.select_for_update(skip_locked=True).filter(enabled=True, next_run_at__lte=now)
        for policy in due:
            # scheduler bookkeeping, not a change of the policy: no history row every minute
            BackupPolicy.objects.filter(pk=policy.pk).update(next_run_at=policy.next_after(now))
            claimed.append(policy.pk)
    return claimed


def policy_run_scheduled(*, policy: BackupPolicy, acting_user=None) -> BackupRun | None:
    """A scheduled run; None when the policy only runs on change and nothing changed."""
    if policy.only_when_changed:
        from backups.services.runs import _parent_for

        driver = driver_for(policy.target, policy.backup_type, tool_options=policy.tool_options)
        parent = _parent_for(policy, policy.backup_type)
        checker = getattr(driver, "has_changes_since", None)
        try:
            if checker is not None and not checker(parent):
                return None
        except DriverError as exc:
            logger.warning("policy %s: change check failed: %s", policy.slug, exc)
    from backups.services.runs import backup_run_start

    return backup_run_start(policy=policy, acting_user=acting_user, trigger=Trigger.SCHEDULE)


def runs_fail_interrupted(*, acting_user=None, older_than=timedelta(hours=6)) -> list[int]:
    """Runs left `running` by a killed worker: marked failed (their temporary file is already gone)."""
    actor = resolve_actor(acting_user)
    failed = []
    cutoff = timezone.now() - older_than
    stale = BackupRun.objects.filter(status=RunStatus.RUNNING, started_at__lt=cutoff).values_list("id", flat=True)
    for run_id in stale:
        with transaction.atomic():
            run = BackupRun.objects.select_for_update(skip_locked=True).filter(pk=run_id,
                                                                               status=RunStatus.RUNNING).first()
            if run is None:
                continue
            run.fail(error=f"interrupted: still running after {older_than}; the worker was probably killed")
            save_with_history(run, acting_user=actor, reason="interrupted")
            notifications.backup_failed(run, acting_user=actor)
            failed.append(run.pk)
    return failed


def restore_drill(*, acting_user=None) -> list:
    """The scheduled drill: test-restore the newest stored run of every enabled policy, timed."""
    from backups.services.runs import backup_verify

    restores = []
    for policy in BackupPolicy.objects.filter(enabled=True):
        run = BackupRun.objects.filter(policy=policy, status__in=GOOD_STATUSES).order_by("-finished_at").first()
        if run is not None:
            restores.append(backup_verify(run=run, acting_user=acting_user, kind=RestoreKind.DRILL))
    return restores


# --- pruning -------------------------------------------------------------------------------

def retention_decisions() -> list[retention.Decision]:
    runs = BackupRun.objects.filter(status__in=STORED_STATUSES, finished_at__isnull=False).select_related("policy")
    records = [
        retention.Record(id=run.pk, time=run.finished_at, kind=run.backup_type, parent_id=run.parent_id,
                         series=run.policy.slug, family=run.policy.target,
                         verified=run.status == RunStatus.VERIFIED,
                         verification_failed=run.status == RunStatus.VERIFICATION_FAILED)
        for run in runs
    ]
    rules = {policy.slug: policy.rules for policy in BackupPolicy.objects.all()}
    decisions = retention.decide(records, rules)
    return sorted(decisions.values(), key=lambda d: (d.record.time, d.record.id))


def backup_prune(*, acting_user, dry_run: bool = False) -> dict:
    """Apply retention: remove the file, mark the run expired, audit it. Returns what was decided."""
    actor = resolve_actor(acting_user)
    decisions = retention_decisions()
    removed, errors = [], []
    for decision in decisions:
        if decision.keep or dry_run:
            continue
        run = BackupRun.objects.select_related("policy").get(pk=decision.record.id)
        try:
            delete(run.storage_name)
        except StorageError as exc:
            errors.append(f"run #{run.pk}: {exc}")
            continue
        with transaction.atomic():
            run = BackupRun.objects.select_for_update().get(pk=run.pk)
            run.expire()
            save_with_history(run, acting_user=actor, reason="pruned by retention")
            audit_log(event_type="backups.pruned", action="delete", acting_user=actor, resource=run,
                      details={"storage_name": run.storage_name, "finished_at": run.finished_at})
        removed.append(run.pk)
    return {"decisions": decisions, "removed": removed, "errors": errors, "dry_run": dry_run}


# --- external reports ----------------------------------------------------------------------

def report_record(*, component, backup_type: str, finished_at, outcome: str, acting_user, size_bytes=None,
                  sha256: str = "", location: str = "", restore_seconds=None, message: str = "",
                  reported_by: str = "") -> ExternalBackupReport:
    """Record a backup another system made; the component's objectives are re-checked at once."""
    if finished_at > timezone.now() + timedelta(minutes=5):
        raise ValidationError({"finished_at": "Lies in the future."})
    actor = resolve_actor(acting_user)
    with transaction.atomic():
        report = ExternalBackupReport(component=component, backup_type=backup_type, finished_at=finished_at,
                                      outcome=outcome, size_bytes=size_bytes, sha256=sha256.lower(),
                                      location=location, restore_seconds=restore_seconds, message=message,
                                      reported_by=reported_by[:200])
        report.full_clean()
        save_with_history(report, acting_user=actor, reason=f"reported by {reported_by or 'api'}")
        audit_log(event_type="backups.report_received", action="create", acting_user=actor, resource=report,
                  details={"component": component.slug, "outcome": outcome, "type": backup_type})
        if outcome != "success":
            notifications.external_backup_failed(report, acting_user=actor)
    objectives_check(acting_user=acting_user, component_ids=[component.pk])
    return report


# --- objectives ----------------------------------------------------------------------------

def objectives_seed_defaults(*, acting_user=None) -> list[RecoveryObjective]:
    from marketplace_ops.models import Component

    made = []
    for component in Component.objects.filter(slug__in=DEFAULT_OBJECTIVES):
        if not RecoveryObjective.objects.filter(component=component).exists():
            rto, rpo = DEFAULT_OBJECTIVES[component.slug]
            objective = RecoveryObjective(component=component, rto=rto, rpo=rpo)
            save_with_history(objective, acting_user=acting_user, reason="seeded from the source document")
            made.append(objective)
    return made


def objectives_check(*, acting_user=None, now=None, component_ids=None) -> list[dict]:
    """Compare every component's newest good backup with its RPO and last drill with its RTO.

    A breach notifies operations and opens one incident (keyed, so a sweep never opens a second);
    when the backup lands again the incident is resolved."""
    from backups.selectors import objective_status

    now = now or timezone.now()
    actor = resolve_actor(acting_user)
    results = []
    objectives = RecoveryObjective.objects.select_related("component")
    if component_ids is not None:
        objectives = objectives.filter(component_id__in=component_ids)
    for objective_id in objectives.values_list("id", flat=True):
        try:
            with transaction.atomic():
                objective = RecoveryObjective.objects.select_for_update().select_related("component").get(
                    pk=objective_id)
                status = objective_status(objective, now=now)
                _apply(objective, status, actor, now)
                results.append(status)
        except Exception:
            logger.exception("objectives check of %s failed", objective_id)
    return results


def _apply(objective, status, actor, now):
    changed = False
    for kind in ("rpo", "rto"):
        state = status[f"{kind}_state"]
        since_field = f"{kind}_breached_since"
        if getattr(objective, f"{kind}_state") != state:
            setattr(objective, f"{kind}_state", state)
            changed = True
        breached = state == ObjectiveState.RED and status[f"{kind}_breach"]
        if breached and getattr(objective, since_field) is None:
            setattr(objective, since_field, now)
            changed = True
            _open_incident(objective, kind, status, actor)
            notifications.objective_breached(objective, kind, status, acting_user=actor)
        elif not breached and getattr(objective, since_field) is not None:
            setattr(objective, since_field, None)
            changed = True
            _resolve_incident(objective, kind, status, actor)
    objective.checked_at = now
    if changed:
        save_with_history(objective, acting_user=actor, reason=f"objectives check: RPO {status['rpo_state']}, "
                                                               f"RTO {status['rto_state']}")
    else:
        RecoveryObjective.objects.filter(pk=objective.pk).update(checked_at=now)


def incident_key(kind: str, component) -> str:
    return f"backups:{kind}:{component.slug}"


def _open_incident(objective, kind, status, actor):
    from incidents.services import incident_open

    component = objective.component
    if kind == "rpo":
        title = f"Backups of {component.name} are older than the RPO ({status['rpo_text']})"
        description = (f"The newest good backup of {component.name} is {status['age_text']} old; the recovery "
                       f"point objective is {status['rpo_text']}. A failure now would lose more data than allowed.")
    else:
        title = f"Restore drill of {component.name} exceeds the RTO ({status['rto_text']})"
        description = (f"The last restore drill of {component.name} took {status['drill_text']}; the recovery "
                       f"time objective is {status['rto_text']}.")
    incident_open(title=title, description=description, severity="high", component_ids=[component.pk],
                  source="alert", acting_user=actor, external_key=incident_key(kind, component),
                  affected_users="none")
    audit_log(event_type=f"backups.{kind}_breach", action="alert", acting_user=actor, resource=objective,
              details={"component": component.slug, "state": status[f"{kind}_state"]})


def _resolve_incident(objective, kind, status, actor):
    from incidents.services import incident_resolve_by_key

    what = "a good backup landed" if kind == "rpo" else "a restore drill finished within the RTO"
    incident_resolve_by_key(external_key=incident_key(kind, objective.component),
                            resolution=f"Back within the objective: {what}.", acting_user=actor)
    audit_log(event_type=f"backups.{kind}_recovered", action="resolve", acting_user=actor, resource=objective,
              details={"component": objective.component.slug})
