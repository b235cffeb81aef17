"""Subscribers of the public status page and the ledger that makes announcements exactly-once."""

import secrets

from django.db import models

from incidents.statuspage.choices import AnnouncementKind, SubscriberStatus
from marketplace_ops.history import tracked_history


def new_nonce() -> str:
    return secrets.token_urlsafe(16)


class Subscriber(models.Model):
    """One email address. Links in emails are signed with Django's signer over (id, nonce); the
    nonce rotates when the address subscribes again, so old links stop working."""

    email = models.EmailField(max_length=254, unique=True, help_text="Stored lower-cased.")
    status = models.CharField(max_length=14, choices=SubscriberStatus.choices, default=SubscriberStatus.PENDING,
                              db_index=True)
    all_components = models.BooleanField(default=True, help_text="Every public component, including new ones.")
    components = models.ManyToManyField("marketplace_ops.Component", blank=True, related_name="+")
    # The selection asked for in the last (unconfirmed) request: applied when it is confirmed.
    pending_all_components = models.BooleanField(default=True)
    pending_component_ids = models.JSONField(default=list, blank=True)
    nonce = models.CharField(max_length=32, default=new_nonce, editable=False)
    confirmation_sent_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = tracked_history(excluded_fields=["nonce"])

    class Meta:
        ordering = ["email"]

    def __str__(self):
        return self.email

    @property
    def is_confirmed(self) -> bool:
        return self.status == SubscriberStatus.CONFIRMED


class SweepCursor(models.Model):
    """One row per sweep (key "announcements"): locked while a sweep runs, so two workers never
    announce at once; nothing older than `started_at` (when the status page was switched on) is
    ever announced."""

    key = models.CharField(max_length=40, unique=True)
    started_at = models.DateTimeField()
    swept_at = models.DateTimeField()

    def __str__(self):
        return f"{self.key} (swept {self.swept_at:%Y-%m-%d %H:%M:%S})"


class Announcement(models.Model):
    """What was announced to subscribers. The unique key ("update:42", "resolved:7:<time>",
    "maintenance:release:3:started") is written in the same transaction as the outbox rows:
    an event is announced exactly once. Append-only, so no history."""

    key = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=24, choices=AnnouncementKind.choices)
    subject_key = models.CharField(max_length=100, db_index=True, help_text='"incident:7", "maintenance:release:3"')
    payload = models.JSONField(default=dict, blank=True)
    recipient_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.key}"
