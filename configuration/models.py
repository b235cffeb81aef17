"""Configuration items per environment, change sets with approvals, subscribers and deliveries.

A sensitive item never stores its plaintext: `value` is null, `ciphertext` holds the Fernet
token and `value_hmac` a keyed HMAC, so history rows (which copy these fields) never hold a
secret either.
"""

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django_fsm import ConcurrentTransitionMixin, FSMField, transition
from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError

from configuration.choices import (
    ChangeSetKind,
    ChangeSetState,
    DeliveryStatus,
    Environment,
    OperationKind,
)
from configuration.crypto import MASK, canonical_json
from marketplace_ops.history import tracked_history

KEY_RE = re.compile(r"^[a-z][a-z0-9_-]*(\.[a-z0-9][a-z0-9_-]*)+$")
KEY_HELP = "Dotted, lower case: gateway.rate_limit.default (at least two segments; a-z, 0-9, _ and -)."


def validate_key(key: str):
    if not KEY_RE.match(key or ""):
        raise ValidationError(f"'{key}' is not a valid key. {KEY_HELP}", code="invalid_key")


class ConfigEnvironment(models.Model):
    """One row per environment: its revision counter (bumped by every applied change) and how
    many approvals a change set needs there. The row is also the lock that serialises writers."""

    name = models.CharField(max_length=20, choices=Environment.choices, unique=True)
    revision = models.PositiveIntegerField(default=0)
    required_approvals = models.PositiveSmallIntegerField(
        default=0, help_text="Approvals by people other than the author before a change set may be applied."
    )
    updated_at = models.DateTimeField(auto_now=True)

    history = tracked_history()

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return f"{self.get_name_display()} (revision {self.revision})"


class ConfigurationItem(models.Model):
    key = models.CharField(max_length=200, validators=[validate_key], help_text=KEY_HELP, db_index=True)
    environment = models.CharField(max_length=20, choices=Environment.choices)
    value = models.JSONField(null=True, blank=True, help_text="Null for sensitive items (see ciphertext).")
    ciphertext = models.TextField(blank=True, editable=False)
    value_hmac = models.CharField(max_length=64, editable=False)
    sensitive = models.BooleanField(default=False)
    description = models.TextField(blank=True)
    version = models.PositiveIntegerField(default=1)
    revision = models.PositiveIntegerField(default=0, help_text="Environment revision that last changed it.")
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    created_at = models.DateTimeField(auto_now_add=True)

    history = tracked_history()

    class Meta:
        ordering = ["environment", "key"]
        constraints = [models.UniqueConstraint(fields=["key", "environment"], name="uniq_config_key_env")]
        indexes = [
            models.Index(fields=["environment", "key"]),
            models.Index(fields=["-updated_at"]),
            models.Index(fields=["sensitive", "environment"]),
        ]
        permissions = [
            ("reveal_configurationitem", "Can reveal sensitive configuration values"),
        ]

    def __str__(self):
        return f"{self.key} [{self.environment}] v{self.version}"

    @property
    def preview(self) -> str:
        if self.sensitive:
            return MASK
        text = canonical_json(self.value)
        return text if len(text) <= 80 else text[:77] + "…"


class ConfigSchema(models.Model):
    """A JSON Schema (draft 2020-12) for keys matching a glob pattern (`gateway.routes.*`)."""

    key_pattern = models.CharField(max_length=200, unique=True, help_text="fnmatch pattern, e.g. gateway.rate_limit.*")
    schema = models.JSONField()
    description = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = tracked_history()

    class Meta:
        ordering = ["key_pattern"]

    def __str__(self):
        return self.key_pattern

    def clean(self):
        try:
            Draft202012Validator.check_schema(self.schema)
        except SchemaError as exc:
            raise ValidationError({"schema": f"Not a valid JSON Schema (draft 2020-12): {exc.message}"})


class ChangeSet(ConcurrentTransitionMixin, models.Model):
    environment = models.CharField(max_length=20, choices=Environment.choices)
    title = models.CharField(max_length=200)
    reason = models.TextField()
    kind = models.CharField(max_length=20, choices=ChangeSetKind.choices, default=ChangeSetKind.MANUAL)
    source_environment = models.CharField(max_length=20, choices=Environment.choices, blank=True)
    state = FSMField(default=ChangeSetState.DRAFT, choices=ChangeSetState.choices, protected=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    content_hash = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    applied_at = models.DateTimeField(null=True, blank=True)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    applied_revision = models.PositiveIntegerField(null=True, blank=True)
    rejection_reason = models.TextField(blank=True)

    history = tracked_history()

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["environment", "state"]),
            models.Index(fields=["state", "-created_at"]),
        ]
        permissions = [
            ("approve_changeset", "Can approve configuration change sets"),
            ("apply_changeset", "Can apply approved configuration change sets"),
        ]

    def __str__(self):
        return f"#{self.pk} {self.title} → {self.environment}"

    @transition(field=state, source=ChangeSetState.DRAFT, target=ChangeSetState.PENDING)
    def submit(self):
        pass

    @transition(field=state, source=ChangeSetState.PENDING, target=ChangeSetState.APPROVED)
    def mark_approved(self):
        pass

    @transition(field=state, source=ChangeSetState.APPROVED, target=ChangeSetState.PENDING)
    def revoke_approval(self):
        pass

    @transition(field=state, source=ChangeSetState.APPROVED, target=ChangeSetState.APPLIED)
    def mark_applied(self):
        pass

    @transition(
        field=state,
        source=[ChangeSetState.DRAFT, ChangeSetState.PENDING, ChangeSetState.APPROVED],
        target=ChangeSetState.REJECTED,
    )
    def reject(self):
        pass

    @property
    def is_editable(self) -> bool:
        return self.state in (ChangeSetState.DRAFT, ChangeSetState.PENDING, ChangeSetState.APPROVED)


class ChangeSetOperation(models.Model):
    """One key's change: set (value or, for a secret, ciphertext + HMAC) or delete, based on a
    version (0 = the key does not exist yet)."""

    change_set = models.ForeignKey(ChangeSet, on_delete=models.CASCADE, related_name="operations")
    key = models.CharField(max_length=200, validators=[validate_key])
    op = models.CharField(max_length=10, choices=OperationKind.choices, default=OperationKind.SET)
    value = models.JSONField(null=True, blank=True)
    ciphertext = models.TextField(blank=True)
    value_hmac = models.CharField(max_length=64, blank=True)
    sensitive = models.BooleanField(default=False)
    description = models.TextField(blank=True)
    base_version = models.PositiveIntegerField(default=0)

    history = tracked_history()

    class Meta:
        ordering = ["key"]
        constraints = [models.UniqueConstraint(fields=["change_set", "key"], name="uniq_changeset_op_key")]

    def __str__(self):
        return f"{self.op} {self.key} (from v{self.base_version})"

    @property
    def preview(self) -> str:
        if self.op == OperationKind.DELETE:
            return "(delete)"
        if self.sensitive:
            return MASK
        text = canonical_json(self.value)
        return text if len(text) <= 80 else text[:77] + "…"


class ChangeSetApproval(models.Model):
    """An approval is bound to the content hash it saw: editing the change set voids it."""

    change_set = models.ForeignKey(ChangeSet, on_delete=models.CASCADE, related_name="approvals")
    approver = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    content_hash = models.CharField(max_length=64)
    comment = models.TextField(blank=True)
    approved_at = models.DateTimeField(auto_now_add=True)

    history = tracked_history()

    class Meta:
        ordering = ["approved_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["change_set", "approver", "content_hash"], name="uniq_changeset_approval_per_hash"
            )
        ]

    def __str__(self):
        return f"approval of #{self.change_set_id} by {self.approver_id}"


class Subscriber(models.Model):
    """A system that reads configuration: gets a signed POST after every applied change."""

    name = models.CharField(max_length=100)
    url = models.URLField(max_length=500)
    environment = models.CharField(max_length=20, choices=Environment.choices)
    secret_ciphertext = models.TextField(editable=False, help_text="Signing secret, encrypted.")
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    history = tracked_history()

    class Meta:
        ordering = ["environment", "name"]
        constraints = [models.UniqueConstraint(fields=["name", "environment"], name="uniq_subscriber_name_env")]
        indexes = [models.Index(fields=["environment", "is_active"])]

    def __str__(self):
        return f"{self.name} ({self.environment})"


class WebhookDelivery(models.Model):
    subscriber = models.ForeignKey(Subscriber, on_delete=models.CASCADE, related_name="deliveries")
    change_set_id = models.BigIntegerField(null=True, blank=True, help_text="Plain id; null for restores.")
    environment = models.CharField(max_length=20, choices=Environment.choices)
    revision = models.PositiveIntegerField()
    payload = models.JSONField()
    status = models.CharField(max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    history = tracked_history()

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "webhook deliveries"
        constraints = [
            models.UniqueConstraint(fields=["subscriber", "environment", "revision"], name="uniq_delivery_per_revision")
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self):
        return f"{self.subscriber} r{self.revision} {self.status}"
