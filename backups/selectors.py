"""Reads: objective states per component (the board), newest good backups, last drills."""

from datetime import timedelta

from django.db.models import Max
from django.utils import timezone

from backups.choices import ObjectiveState, ReportOutcome, RestoreKind, RestoreStatus, RunStatus
from backups.models import BackupRestore, BackupRun, ExternalBackupReport, RecoveryObjective

AMBER_FRACTION = 0.8  # amber from 80 % of an objective


def human(delta: timedelta | None) -> str:
    if delta is None:
        return "never"
    seconds = int(delta.total_seconds())
    if seconds < 120:
        return f"{seconds} s"
    if seconds < 7200:
        return f"{seconds // 60} min"
    if seconds < 172800:
        return f"{seconds // 3600} h {seconds % 3600 // 60} min"
    return f"{seconds // 86400} days"


def newest_good_backup(component):
    """Newest verified run of a policy for the component, or successful external report."""
    own = BackupRun.objects.filter(policy__component=component, status=RunStatus.VERIFIED).aggregate(
        at=Max("finished_at"))["at"]
    reported = ExternalBackupReport.objects.filter(component=component, outcome=ReportOutcome.SUCCESS).aggregate(
        at=Max("finished_at"))["at"]
    candidates = [moment for moment in (own, reported) if moment is not None]
    return max(candidates) if candidates else None


def last_drill(component):
    """(when, seconds) of the newest timed restore of the component's backups, reported or our own."""
    restore = (
        BackupRestore.objects.filter(run__policy__component=component, status=RestoreStatus.SUCCEEDED,
                                     kind__in=(RestoreKind.VERIFICATION, RestoreKind.DRILL))
        .order_by("-finished_at").first()
    )
    report = (
        ExternalBackupReport.objects.filter(component=component, restore_seconds__isnull=False,
                                            outcome=ReportOutcome.SUCCESS).order_by("-finished_at").first()
    )
    options = []
    if restore is not None:
        options.append((restore.finished_at, restore.duration_seconds))
    if report is not None:
        options.append((report.finished_at, report.restore_seconds))
    return max(options, key=lambda item: item[0]) if options else (None, None)


def _state(value: timedelta | None, objective: timedelta) -> str:
    if value is None or value > objective:
        return ObjectiveState.RED
    if value > objective * AMBER_FRACTION:
        return ObjectiveState.AMBER
    return ObjectiveState.GREEN


def objective_status(objective: RecoveryObjective, *, now=None) -> dict:
    now = now or timezone.now()
    newest = newest_good_backup(objective.component)
    age = (now - newest) if newest else None
    drill_at, drill_seconds = last_drill(objective.component)
    drill = timedelta(seconds=drill_seconds) if drill_seconds is not None else None
    rpo_state = _state(age, objective.rpo)
    # no drill yet is amber (unknown), not an RTO breach
    rto_state = ObjectiveState.AMBER if drill is None else _state(drill, objective.rto)
    worst = max((rpo_state, rto_state), key=[ObjectiveState.GREEN, ObjectiveState.AMBER, ObjectiveState.RED].index)
    return {
        "component": objective.component,
        "component_slug": objective.component.slug,
        "newest_good_backup": newest,
        "age": age,
        "age_text": human(age),
        "rpo": objective.rpo,
        "rpo_text": human(objective.rpo),
        "rpo_state": rpo_state,
        "rpo_breach": rpo_state == ObjectiveState.RED,
        "last_drill_at": drill_at,
        "last_drill_seconds": drill_seconds,
        "drill_text": human(drill) if drill is not None else "no drill yet",
        "rto": objective.rto,
        "rto_text": human(objective.rto),
        "rto_state": rto_state,
        "rto_breach": drill is not None and rto_state == ObjectiveState.RED,
        "state": worst,
    }


def objectives_board(*, now=None) -> list[dict]:
    """One row per component with objectives: newest good backup age vs RPO, last drill vs RTO."""
    now = now or timezone.now()
    return [objective_status(o, now=now) for o in RecoveryObjective.objects.select_related("component")]


def runs_for_admin():
    return BackupRun.objects.select_related("policy", "parent")
