from django.db import models

from incidents.choices import AlertStatus


class Alert(models.Model):
    """One Alertmanager alert (by fingerprint) under its incident. High volume and rewritten on
    every delivery (repeat counts), so no history: the timeline records what matters."""

    incident = models.ForeignKey("incidents.Incident", on_delete=models.CASCADE, related_name="alerts")
    fingerprint = models.CharField(max_length=128)
    status = models.CharField(max_length=10, choices=AlertStatus.choices, default=AlertStatus.FIRING)
    alertname = models.CharField(max_length=200, blank=True)
    severity_label = models.CharField(max_length=40, blank=True)
    component_label = models.CharField(max_length=100, blank=True)
    component_id = models.IntegerField(null=True, blank=True)
    unknown_component = models.BooleanField(default=False, help_text="The component/service label matched no component.")
    labels = models.JSONField(default=dict)
    annotations = models.JSONField(default=dict)
    starts_at = models.DateTimeField(null=True, blank=True)
    ends_at = models.DateTimeField(null=True, blank=True)
    generator_url = models.URLField(max_length=1000, blank=True)
    suppressed = models.BooleanField(default=False)
    suppression_reason = models.CharField(max_length=200, blank=True)
    repeat_count = models.PositiveIntegerField(default=0, help_text="Deliveries after the first.")
    first_received_at = models.DateTimeField()
    last_received_at = models.DateTimeField()

    class Meta:
        ordering = ["-last_received_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["incident", "fingerprint"], name="uniq_incident_alert_fingerprint")]
        indexes = [models.Index(fields=["incident", "status"])]

    def __str__(self):
        return f"{self.alertname or self.fingerprint} ({self.status})"


class AlertDelivery(models.Model):
    """One accepted webhook delivery, kept until Celery has processed it (so a broker outage
    loses nothing). Append-only, no history."""

    received_at = models.DateTimeField(auto_now_add=True)
    group_key = models.CharField(max_length=1000)
    payload = models.JSONField()
    alert_count = models.PositiveIntegerField(default=0)
    processed_at = models.DateTimeField(null=True, blank=True)
    incident_id = models.BigIntegerField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["received_at"], name="alert_delivery_pending_idx", condition=models.Q(processed_at__isnull=True)),
        ]
        verbose_name_plural = "alert deliveries"

    def __str__(self):
        return f"Delivery {self.pk} ({self.alert_count} alerts)"
