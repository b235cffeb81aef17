from django.core.exceptions import ValidationError
from django.db import models

from incidents.choices import Severity
from marketplace_ops.history import tracked_history


class SlaPolicy(models.Model):
    """Response, resolution and update clocks for one severity (seeded from the SLA table).

    Used by incidents and by support tickets (`incidents.sla.sla_deadlines`)."""

    severity = models.CharField(max_length=10, choices=Severity.choices, unique=True)
    response_minutes = models.PositiveIntegerField(help_text="Wall-clock minutes to the first response.")
    resolution_minutes = models.PositiveIntegerField(
        null=True, blank=True, help_text="Wall-clock minutes to resolution (leave empty when counted in business days)."
    )
    resolution_business_days = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Business days to resolution, on the default business calendar."
    )
    update_minutes = models.PositiveIntegerField(
        null=True, blank=True, help_text="Minutes between public updates; empty means 'as needed' (no update clock)."
    )
    description = models.CharField(max_length=200, blank=True)

    history = tracked_history()

    class Meta:
        verbose_name = "SLA policy"
        verbose_name_plural = "SLA policies"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(resolution_minutes__isnull=False) | models.Q(resolution_business_days__isnull=False),
                name="sla_policy_has_resolution_clock",
            )
        ]

    def __str__(self):
        return f"SLA {self.get_severity_display()}"

    def clean(self):
        if self.resolution_minutes is None and self.resolution_business_days is None:
            raise ValidationError({"resolution_minutes": "Give a resolution time in minutes or in business days."})
        if self.resolution_minutes is not None and self.resolution_business_days is not None:
            raise ValidationError({"resolution_business_days": "Give minutes or business days, not both."})

    def as_terms(self) -> dict:
        return {
            "response_minutes": self.response_minutes,
            "resolution_minutes": self.resolution_minutes,
            "resolution_business_days": self.resolution_business_days,
            "update_minutes": self.update_minutes,
        }
