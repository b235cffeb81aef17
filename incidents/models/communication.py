from django.conf import settings
from django.db import models

from incidents.choices import Audience, CommunicationChannel, IncidentStatus


class Communication(models.Model):
    """A message sent about an incident. Status-page rows (`is_public`) are the public updates
    the status page shows. Append-only record of what was said, so no history."""

    incident = models.ForeignKey("incidents.Incident", on_delete=models.CASCADE, related_name="communications")
    channel = models.CharField(max_length=12, choices=CommunicationChannel.choices)
    audience = models.CharField(max_length=16, choices=Audience.choices)
    status = models.CharField(max_length=20, choices=IncidentStatus.choices, help_text="Incident status when sent.")
    template = models.CharField(max_length=20, blank=True)
    subject = models.CharField(max_length=200)
    message = models.TextField()
    is_public = models.BooleanField(default=False)
    recipient_count = models.PositiveIntegerField(default=0)
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    sent_at = models.DateTimeField()

    class Meta:
        ordering = ["-sent_at", "-id"]
        indexes = [
            models.Index(fields=["incident", "sent_at"]),
            models.Index(fields=["is_public", "sent_at"], name="comm_public_idx"),
        ]

    def __str__(self):
        return f"{self.get_channel_display()} to {self.get_audience_display()} at {self.sent_at:%Y-%m-%d %H:%M}"
