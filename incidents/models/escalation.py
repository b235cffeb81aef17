from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import models

from incidents.choices import EscalationTarget, EscalationTrigger
from marketplace_ops.history import tracked_history


class EscalationPolicy(models.Model):
    """Ordered steps; copied onto an incident when its escalation starts (later edits do not
    change a running escalation)."""

    name = models.CharField(max_length=100, unique=True)
    severities = models.JSONField(default=list, blank=True, help_text="Severities it applies to; empty = all.")
    rotation = models.ForeignKey(
        "incidents.Rotation", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        help_text="Whose on-call is paged; empty = the primary rotation.",
    )
    duty_manager = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    is_active = models.BooleanField(default=True)
    priority = models.PositiveSmallIntegerField(default=100, help_text="Lower wins when several apply.")

    history = tracked_history()

    class Meta:
        ordering = ["priority", "name"]
        verbose_name_plural = "escalation policies"

    def __str__(self):
        return self.name

    def clean(self):
        from incidents.choices import Severity

        bad = [s for s in (self.severities or []) if s not in Severity.values]
        if bad:
            raise ValidationError({"severities": f"Unknown severities: {', '.join(bad)}."})


class EscalationStep(models.Model):
    policy = models.ForeignKey(EscalationPolicy, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField(default=0)
    trigger = models.CharField(max_length=20, choices=EscalationTrigger.choices, default=EscalationTrigger.UNACKNOWLEDGED)
    wait_minutes = models.PositiveIntegerField(default=0, help_text="For 'not acknowledged': minutes after detection.")
    target = models.CharField(max_length=12, choices=EscalationTarget.choices)
    group = models.ForeignKey(Group, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    sms = models.BooleanField(default=False, help_text="Also send an SMS to people with an on-call contact.")

    history = tracked_history()

    class Meta:
        ordering = ["policy", "position", "id"]

    def __str__(self):
        return f"{self.get_trigger_display()} → {self.get_target_display()}"

    def clean(self):
        if self.target == EscalationTarget.GROUP and not self.group_id:
            raise ValidationError({"group": "Choose the group to notify."})
        if self.target == EscalationTarget.USER and not self.user_id:
            raise ValidationError({"user": "Choose the person to notify."})


class EscalationLog(models.Model):
    """One row per step performed; the unique key makes each step happen once per occurrence.
    Append-only, so no history."""

    incident = models.ForeignKey("incidents.Incident", on_delete=models.CASCADE, related_name="escalations")
    step_index = models.PositiveSmallIntegerField()
    occurrence = models.CharField(max_length=80, help_text="Which firing of the step (generation, breach, update due).")
    trigger = models.CharField(max_length=20, choices=EscalationTrigger.choices)
    target = models.CharField(max_length=12, choices=EscalationTarget.choices)
    recipients = models.JSONField(default=list)
    notified = models.PositiveIntegerField(default=0)
    manual = models.BooleanField(default=False)
    at = models.DateTimeField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["incident", "step_index", "occurrence"], name="uniq_escalation_step_once")
        ]

    def __str__(self):
        return f"step {self.step_index} ({self.occurrence}) → {', '.join(self.recipients)[:80]}"
