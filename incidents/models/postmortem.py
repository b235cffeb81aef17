from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from incidents.choices import ActionItemStatus, PostmortemStatus
from marketplace_ops.history import tracked_history


class Postmortem(models.Model):
    """The post-incident review; required (final) before closing a critical or high incident."""

    incident = models.OneToOneField("incidents.Incident", on_delete=models.CASCADE, related_name="postmortem")
    status = models.CharField(max_length=10, choices=PostmortemStatus.choices, default=PostmortemStatus.DRAFT)
    summary = models.TextField(blank=True)
    root_cause = models.TextField(blank=True)
    contributing_factors = models.TextField(blank=True)
    impact = models.TextField(blank=True, help_text="Who and what was affected (duration and components come from the record).")
    lessons_learned = models.TextField(blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    finished_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = tracked_history()

    REQUIRED = ("root_cause", "contributing_factors", "impact", "lessons_learned")

    class Meta:
        verbose_name = "post-incident review"

    def __str__(self):
        return f"Review of {self.incident}"

    @property
    def is_final(self) -> bool:
        return self.status == PostmortemStatus.FINAL

    def missing_fields(self) -> list[str]:
        return [name for name in self.REQUIRED if not getattr(self, name).strip()]

    def clean(self):
        if self.status == PostmortemStatus.FINAL:
            missing = self.missing_fields()
            if missing:
                raise ValidationError({name: "Required to finish the review." for name in missing})


class ActionItem(models.Model):
    incident = models.ForeignKey("incidents.Incident", on_delete=models.CASCADE, related_name="action_items")
    description = models.CharField(max_length=300)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    due_date = models.DateField()
    status = models.CharField(max_length=12, choices=ActionItemStatus.choices, default=ActionItemStatus.OPEN)
    last_reminded_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    history = tracked_history()

    class Meta:
        ordering = ["due_date", "id"]
        indexes = [models.Index(fields=["status", "due_date"], name="action_item_due_idx")]

    def __str__(self):
        return self.description

    @property
    def is_open(self) -> bool:
        return self.status in (ActionItemStatus.OPEN, ActionItemStatus.IN_PROGRESS)
