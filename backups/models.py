"""Backup policies, runs (a django-fsm-2 lifecycle), restores, objectives and external reports."""

from datetime import timedelta

from croniter import croniter
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from backups.choices import (
    BackupTarget,
    BackupType,
    Compression,
    ObjectiveState,
    ReportOutcome,
    RestoreKind,
    RestoreStatus,
    RunStatus,
    Trigger,
)
from marketplace_ops.history import tracked_history


def _validate_duration(value):
    from backups.retention import parse_duration

    try:
        parse_duration(value)
    except ValueError as exc:
        raise ValidationError(str(exc))


def _validate_cron(value):
    if not croniter.is_valid(value):
        raise ValidationError(f"'{value}' is not a cron expression (minute hour day month weekday)")


class BackupPolicy(models.Model):
    name = models.CharField(max_length=120, unique=True)
    slug = models.SlugField(max_length=120, unique=True)
    target = models.CharField(max_length=20, choices=BackupTarget.choices)
    component = models.ForeignKey(
        "marketplace_ops.Component", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        help_text="The component whose recovery point objective these backups count for.",
    )
    backup_type = models.CharField(max_length=20, choices=BackupType.choices, default=BackupType.FULL)
    schedule = models.CharField(max_length=100, validators=[_validate_cron], help_text="cron, UTC")
    only_when_changed = models.BooleanField(
        default=False, help_text="Skip a scheduled run when nothing changed since the previous one."
    )
    keep_within_daily = models.CharField(max_length=20, default="30d", validators=[_validate_duration])
    keep_within_weekly = models.CharField(max_length=20, default="3m", validators=[_validate_duration])
    keep_within_monthly = models.CharField(max_length=20, default="1y", validators=[_validate_duration])
    keep_within_yearly = models.CharField(max_length=20, default="7y", validators=[_validate_duration])
    storage_prefix = models.CharField(max_length=200, blank=True, help_text="Folder in the backup storage.")
    compression = models.CharField(max_length=10, choices=Compression.choices, default=Compression.GZIP)
    encrypt = models.BooleanField(default=False, help_text="Needs BACKUP_ENCRYPTION_KEY.")
    tool_options = models.JSONField(
        default=dict, blank=True, help_text='For the pgBackRest driver: {"stanza": "main"}.'
    )
    enabled = models.BooleanField(default=True)
    next_run_at = models.DateTimeField(null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = tracked_history()

    class Meta:
        ordering = ["target", "name"]
        verbose_name_plural = "backup policies"

    def __str__(self):
        return self.name

    def clean(self):
        from backups.drivers import unsupported_reason

        errors = {}
        reason = unsupported_reason(self.target, self.backup_type, tool_options=self.tool_options or {})
        if reason:
            errors["backup_type"] = reason
        if self.encrypt and not getattr(settings, "BACKUP_ENCRYPTION_KEY", ""):
            errors["encrypt"] = "Encryption needs BACKUP_ENCRYPTION_KEY in the environment."
        if errors:
            raise ValidationError(errors)

    def next_after(self, moment):
        return croniter(self.schedule, moment).get_next(type(moment))

    @property
    def rules(self):
        from backups.retention import Rules

        return Rules.parse(
            daily=self.keep_within_daily,
            weekly=self.keep_within_weekly,
            monthly=self.keep_within_monthly,
            yearly=self.keep_within_yearly,
        )


class BackupRun(ConcurrentTransitionMixin, models.Model):
    policy = models.ForeignKey(BackupPolicy, on_delete=models.PROTECT, related_name="runs")
    backup_type = models.CharField(max_length=20, choices=BackupType.choices)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    status = FSMField(max_length=24, choices=RunStatus.choices, default=RunStatus.SCHEDULED, protected=True)
    trigger = models.CharField(max_length=20, choices=Trigger.choices, default=Trigger.MANUAL)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True, db_index=True)
    size_bytes = models.BigIntegerField(null=True, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    storage_name = models.CharField(max_length=500, blank=True)
    compression = models.CharField(max_length=10, choices=Compression.choices, default=Compression.GZIP)
    encrypted = models.BooleanField(default=False)
    tool_output = models.TextField(blank=True)
    error = models.TextField(blank=True)
    metadata = models.JSONField(default=dict, blank=True)
    verified_at = models.DateTimeField(null=True, blank=True)
    verification_error = models.TextField(blank=True)
    expired_at = models.DateTimeField(null=True, blank=True)

    history = tracked_history()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["policy", "status", "finished_at"])]
        permissions = [
            ("run_backup", "Can start a backup run"),
            ("verify_backuprun", "Can verify a backup run"),
            ("restore_backuprun", "Can restore a backup run to scratch"),
            ("prune_backups", "Can prune backups"),
        ]

    def __str__(self):
        return f"#{self.pk} {self.policy.slug} {self.backup_type}"

    @property
    def duration(self) -> timedelta | None:
        if self.started_at and self.finished_at:
            return self.finished_at - self.started_at
        return None

    def chain(self) -> list["BackupRun"]:
        """The runs a restore of this one needs, full first."""
        runs, current, seen = [], self, set()
        while current is not None and current.pk not in seen:
            seen.add(current.pk)
            runs.append(current)
            current = current.parent
        return list(reversed(runs))

    @transition(field=status, source=RunStatus.SCHEDULED, target=RunStatus.RUNNING)
    def start(self):
        self.started_at = timezone.now()

    @transition(field=status, source=RunStatus.RUNNING, target=RunStatus.SUCCEEDED)
    def succeed(self):
        self.finished_at = timezone.now()

    @transition(field=status, source=[RunStatus.SCHEDULED, RunStatus.RUNNING], target=RunStatus.FAILED)
    def fail(self, error=""):
        self.finished_at = self.finished_at or timezone.now()
        self.error = error

    @transition(
        field=status,
        source=[RunStatus.SUCCEEDED, RunStatus.VERIFIED, RunStatus.VERIFICATION_FAILED],
        target=RunStatus.VERIFIED,
    )
    def mark_verified(self):
        self.verified_at = timezone.now()
        self.verification_error = ""

    @transition(
        field=status,
        source=[RunStatus.SUCCEEDED, RunStatus.VERIFIED, RunStatus.VERIFICATION_FAILED],
        target=RunStatus.VERIFICATION_FAILED,
    )
    def mark_verification_failed(self, error=""):
        self.verified_at = timezone.now()
        self.verification_error = error

    @transition(
        field=status,
        source=[RunStatus.SUCCEEDED, RunStatus.VERIFIED, RunStatus.VERIFICATION_FAILED, RunStatus.FAILED],
        target=RunStatus.EXPIRED,
    )
    def expire(self):
        self.expired_at = timezone.now()


class BackupRestore(models.Model):
    """One restore: a verification test restore, a drill, a restore to scratch or in place."""

    run = models.ForeignKey(BackupRun, on_delete=models.PROTECT, related_name="restores")
    kind = models.CharField(max_length=20, choices=RestoreKind.choices)
    status = models.CharField(max_length=20, choices=RestoreStatus.choices, default=RestoreStatus.RUNNING)
    progress_percent = models.PositiveSmallIntegerField(default=0)
    progress_message = models.CharField(max_length=200, blank=True)
    destination = models.CharField(max_length=500, blank=True)
    forced = models.BooleanField(default=False)
    safety_run = models.ForeignKey(BackupRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    duration_seconds = models.FloatField(null=True, blank=True)
    error = models.TextField(blank=True)
    details = models.JSONField(default=dict, blank=True)

    history = tracked_history()

    class Meta:
        ordering = ["-started_at", "-id"]

    def __str__(self):
        return f"{self.get_kind_display()} of run #{self.run_id}"


class RecoveryObjective(models.Model):
    component = models.OneToOneField("marketplace_ops.Component", on_delete=models.CASCADE, related_name="+")
    rto = models.DurationField(help_text="Recovery time objective: how long a restore may take.")
    rpo = models.DurationField(help_text="Recovery point objective: how much data may be lost.")
    rpo_state = models.CharField(max_length=10, choices=ObjectiveState.choices, default=ObjectiveState.GREEN)
    rto_state = models.CharField(max_length=10, choices=ObjectiveState.choices, default=ObjectiveState.GREEN)
    rpo_breached_since = models.DateTimeField(null=True, blank=True)
    rto_breached_since = models.DateTimeField(null=True, blank=True)
    checked_at = models.DateTimeField(null=True, blank=True)

    history = tracked_history()

    class Meta:
        ordering = ["component__display_order", "component__name"]

    def __str__(self):
        return f"Objectives of {self.component}"

    def clean(self):
        for name in ("rto", "rpo"):
            value = getattr(self, name)
            if value is not None and value <= timedelta(0):
                raise ValidationError({name: "Must be positive."})


class ExternalBackupReport(models.Model):
    """A backup another system made of a marketplace component, reported through the API."""

    component = models.ForeignKey("marketplace_ops.Component", on_delete=models.PROTECT, related_name="+")
    backup_type = models.CharField(max_length=20, choices=BackupType.choices, default=BackupType.FULL)
    finished_at = models.DateTimeField(db_index=True)
    size_bytes = models.BigIntegerField(null=True, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    outcome = models.CharField(max_length=10, choices=ReportOutcome.choices)
    location = models.CharField(max_length=500, blank=True)
    restore_seconds = models.FloatField(
        null=True, blank=True, help_text="Measured time of a restore drill, when the report is about one."
    )
    message = models.TextField(blank=True)
    reported_by = models.CharField(max_length=200, blank=True)
    received_at = models.DateTimeField(default=timezone.now)

    history = tracked_history()

    class Meta:
        ordering = ["-finished_at", "-id"]
        indexes = [models.Index(fields=["component", "outcome", "finished_at"])]

    def __str__(self):
        return f"{self.component} {self.backup_type} {self.outcome} at {self.finished_at:%Y-%m-%d %H:%M}"
