from django.contrib.auth.models import Group
from django.db import models

from marketplace_ops.choices import ComponentStatus
from marketplace_ops.history import tracked_history


class Component(models.Model):
    """A part of the marketplace that releases, incidents and backups are about."""

    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    description = models.TextField(blank=True)
    owning_group = models.ForeignKey(Group, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    is_public = models.BooleanField(default=True, help_text="Shown on the public status page.")
    status = models.CharField(max_length=32, choices=ComponentStatus.choices, default=ComponentStatus.OPERATIONAL)
    display_order = models.PositiveIntegerField(default=100)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = tracked_history()

    class Meta:
        ordering = ["display_order", "name"]
        indexes = [models.Index(fields=["is_public", "display_order"])]

    def __str__(self):
        return self.name
