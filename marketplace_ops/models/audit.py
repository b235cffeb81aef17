"""Append-only audit events, chained by SHA-256 so edits, deletions and reordering show."""

import hashlib
import json

from django.conf import settings
from django.db import models

from marketplace_ops.choices import ActorType, AuditOutcome


class AuditEventImmutable(Exception):
    """Raised on any attempt to change or delete a recorded audit event."""


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AuditEventImmutable("Audit events are append-only; they cannot be updated.")

    def delete(self):
        raise AuditEventImmutable("Audit events are append-only; they cannot be deleted.")


class AuditEvent(models.Model):
    sequence = models.PositiveBigIntegerField(unique=True, editable=False)
    occurred_at = models.DateTimeField(db_index=True)
    event_type = models.CharField(max_length=100, db_index=True)
    outcome = models.CharField(max_length=10, choices=AuditOutcome.choices, default=AuditOutcome.SUCCESS)
    actor_type = models.CharField(max_length=12, choices=ActorType.choices)
    # No database constraint and no cascade: deleting a user must not rewrite the log.
    actor_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    actor_label = models.CharField(max_length=200, blank=True, help_text="Username or token name at the time.")
    api_token_id = models.BigIntegerField(null=True, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    resource_type = models.CharField(max_length=100, blank=True)
    resource_id = models.CharField(max_length=100, blank=True)
    resource_name = models.CharField(max_length=300, blank=True)
    action = models.CharField(max_length=50)
    details = models.JSONField(default=dict, blank=True)
    previous_hash = models.CharField(max_length=64)
    content_hash = models.CharField(max_length=64)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-sequence"]
        indexes = [
            models.Index(fields=["resource_type", "resource_id"]),
            models.Index(fields=["actor_user", "occurred_at"]),
            models.Index(fields=["event_type", "occurred_at"]),
        ]

    def __str__(self):
        return f"#{self.sequence} {self.event_type} {self.outcome} by {self.actor_label}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AuditEventImmutable(f"Audit event #{self.sequence} is append-only and cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditEventImmutable(f"Audit event #{self.sequence} is append-only and cannot be deleted.")

    def hash_payload(self) -> dict:
        return {
            "sequence": self.sequence,
            "occurred_at": self.occurred_at.isoformat(),
            "event_type": self.event_type,
            "outcome": self.outcome,
            "actor_type": self.actor_type,
            "actor_user_id": self.actor_user_id,
            "actor_label": self.actor_label,
            "api_token_id": self.api_token_id,
            "ip_address": self.ip_address,
            "resource_type": self.resource_type,
            "resource_id": self.resource_id,
            "resource_name": self.resource_name,
            "action": self.action,
            "details": self.details,
            "previous_hash": self.previous_hash,
        }

    def compute_hash(self) -> str:
        canonical = json.dumps(self.hash_payload(), sort_keys=True, separators=(",", ":"), default=str)
        return hashlib.sha256(canonical.encode()).hexdigest()


class AuditChainHead(models.Model):
    """Single row locked while appending, so concurrent writers chain in one order."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_sequence = models.PositiveBigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="0" * 64)

    def __str__(self):
        return f"audit chain at #{self.last_sequence}"
