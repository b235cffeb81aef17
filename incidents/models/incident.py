from django.conf import settings
from django.db import models
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from incidents.choices import (
    OPEN_STATUSES,
    URGENT_SEVERITIES,
    AffectedUsers,
    IncidentSource,
    IncidentStatus,
    Severity,
    SlaClock,
    TimelineKind,
)
from marketplace_ops.history import tracked_history

OPEN = [s.value for s in OPEN_STATUSES]


def needs_commander(incident) -> bool:
    """Critical and high incidents leave investigating only with an incident commander."""
    return incident.severity not in URGENT_SEVERITIES or incident.commander_id is not None


def review_finished(incident) -> bool:
    """Critical and high incidents close only after their post-incident review is final."""
    if incident.severity not in URGENT_SEVERITIES:
        return True
    review = getattr(incident, "postmortem", None)
    return review is not None and review.is_final


needs_commander.hint = "a critical or high incident needs an incident commander before it leaves investigating"
review_finished.hint = "a critical or high incident needs a finished post-incident review before it is closed"


class Incident(ConcurrentTransitionMixin, models.Model):
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    severity = models.CharField(max_length=10, choices=Severity.choices, db_index=True)
    status = FSMField(max_length=20, choices=IncidentStatus.choices, default=IncidentStatus.DETECTED, protected=True)
    components = models.ManyToManyField("marketplace_ops.Component", blank=True, related_name="incidents")
    affected_users = models.CharField(max_length=10, choices=AffectedUsers.choices, default=AffectedUsers.SOME)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="assigned_incidents"
    )
    commander = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="commanded_incidents",
        verbose_name="incident commander",
    )
    source = models.CharField(max_length=10, choices=IncidentSource.choices, default=IncidentSource.MANUAL)
    external_key = models.CharField(
        max_length=300, null=True, blank=True,
        help_text="Idempotency key of the opener (e.g. an Alertmanager groupKey); unique among open incidents.",
    )
    root_cause = models.TextField(blank=True)
    resolution = models.TextField(blank=True)

    detected_at = models.DateTimeField(db_index=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    # SLA clocks (deadlines as indexed timestamps) and when each was first breached.
    response_due_at = models.DateTimeField(null=True, blank=True, db_index=True)
    resolution_due_at = models.DateTimeField(null=True, blank=True, db_index=True)
    update_due_at = models.DateTimeField(null=True, blank=True, db_index=True)
    response_breached_at = models.DateTimeField(null=True, blank=True)
    resolution_breached_at = models.DateTimeField(null=True, blank=True)
    last_public_update_at = models.DateTimeField(null=True, blank=True)

    # Escalation: the policy in force is copied here when escalation starts.
    escalation_policy_id = models.IntegerField(null=True, blank=True)
    escalation_snapshot = models.JSONField(default=dict, blank=True, editable=False)
    escalation_started_at = models.DateTimeField(null=True, blank=True)
    escalation_generation = models.PositiveIntegerField(default=0, editable=False)
    paging_suppressed = models.BooleanField(
        default=False, help_text="Opened from alerts during maintenance or a deployment: pages nobody."
    )
    # The next moment the minute sweep has something to do for this incident (null: nothing).
    sweep_due_at = models.DateTimeField(null=True, blank=True, editable=False)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = tracked_history(excluded_fields=["sweep_due_at", "escalation_snapshot"])

    class Meta:
        ordering = ["-detected_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["external_key"],
                condition=models.Q(external_key__isnull=False, status__in=OPEN),
                name="uniq_open_incident_external_key",
            )
        ]
        indexes = [
            models.Index(fields=["sweep_due_at"], name="incident_sweep_idx", condition=models.Q(sweep_due_at__isnull=False)),
            models.Index(fields=["status", "severity", "detected_at"], name="incident_status_sev_idx"),
            models.Index(fields=["resolved_at"], name="incident_resolved_idx"),
        ]
        permissions = [
            ("transition_incident", "Can move incidents through their lifecycle"),
            ("communicate_incident", "Can post incident communications"),
            ("escalate_incident", "Can escalate incidents by hand"),
            ("view_incident_report", "Can view the incident metrics report"),
        ]

    def __str__(self):
        return f"INC-{self.pk}: {self.title}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN

    @property
    def is_urgent(self) -> bool:
        return self.severity in URGENT_SEVERITIES

    # --- lifecycle (pure; side effects live in services) ---
    @transition(field=status, source=IncidentStatus.DETECTED, target=IncidentStatus.INVESTIGATING,
                custom={"label": "Start investigating"})
    def investigate(self):
        pass

    @transition(field=status, source=IncidentStatus.INVESTIGATING, target=IncidentStatus.IDENTIFIED,
                conditions=[needs_commander], custom={"label": "Cause identified"})
    def identify(self):
        pass

    @transition(field=status, source=IncidentStatus.IDENTIFIED, target=IncidentStatus.RESOLVING,
                custom={"label": "Resolving"})
    def start_resolving(self):
        pass

    @transition(field=status, source=IncidentStatus.RESOLVING, target=IncidentStatus.RESOLVED,
                custom={"label": "Resolve"})
    def resolve(self):
        pass

    @transition(field=status, source=OPEN, target=IncidentStatus.RESOLVED, custom={"admin": False})
    def auto_resolve(self):
        """System resolution (all alerts resolved, or an opener's key resolved)."""

    @transition(field=status, source=IncidentStatus.RESOLVED, target=IncidentStatus.CLOSED,
                conditions=[review_finished], custom={"label": "Close"})
    def close(self):
        pass

    @transition(field=status, source=IncidentStatus.RESOLVED, target=IncidentStatus.INVESTIGATING,
                custom={"label": "Reopen"})
    def reopen(self):
        pass


class TimelineEntry(models.Model):
    """Append-only record of what happened (no history: rows are never edited, and there are many)."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="timeline")
    at = models.DateTimeField()
    kind = models.CharField(max_length=20, choices=TimelineKind.choices)
    status = models.CharField(max_length=20, choices=IncidentStatus.choices)
    message = models.TextField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["incident", "at"])]
        verbose_name_plural = "timeline entries"

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_kind_display()}: {self.message[:60]}"


class SlaBreach(models.Model):
    """Which clock was breached, when (append-only; history adds nothing)."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="breaches")
    clock = models.CharField(max_length=12, choices=SlaClock.choices)
    due_at = models.DateTimeField()
    breached_at = models.DateTimeField()

    class Meta:
        ordering = ["breached_at", "id"]
        constraints = [models.UniqueConstraint(fields=["incident", "clock", "due_at"], name="uniq_incident_breach")]
        indexes = [models.Index(fields=["clock", "breached_at"])]
        verbose_name = "SLA breach"

    def __str__(self):
        return f"{self.get_clock_display()} clock breached at {self.breached_at:%Y-%m-%d %H:%M}"
