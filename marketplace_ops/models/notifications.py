"""The outbox: one row per recipient, written in the caller's transaction, delivered by Celery."""

from django.conf import settings
from django.db import models

from marketplace_ops.choices import NotificationChannel, NotificationStatus
from marketplace_ops.history import tracked_history


class DistributionList(models.Model):
    """A stakeholder list. Subscribes to event types and components (empty = all)."""

    name = models.CharField(max_length=150, unique=True)
    slug = models.SlugField(max_length=150, unique=True)
    description = models.TextField(blank=True)
    event_types = models.JSONField(
        default=list, blank=True, help_text="Event type keys this list receives; empty means every event."
    )
    components = models.ManyToManyField(
        "marketplace_ops.Component",
        blank=True,
        related_name="distribution_lists",
        help_text="Only events about these components; empty means every component.",
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    history = tracked_history()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def wants(self, event_type: str) -> bool:
        return not self.event_types or event_type in self.event_types


class DistributionListMember(models.Model):
    distribution_list = models.ForeignKey(DistributionList, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE)
    email = models.EmailField(blank=True, help_text="For people without an account.")
    name = models.CharField(max_length=150, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["distribution_list", "email"], name="uniq_list_member_email"),
            models.CheckConstraint(
                condition=models.Q(user__isnull=False) | ~models.Q(email=""), name="list_member_has_address"
            ),
        ]
        indexes = [models.Index(fields=["distribution_list", "id"])]

    def __str__(self):
        return self.address

    @property
    def address(self) -> str:
        return self.email or (self.user.email if self.user_id else "")


class Notification(models.Model):
    event = models.CharField(max_length=100, db_index=True)
    channel = models.CharField(max_length=10, choices=NotificationChannel.choices, default=NotificationChannel.EMAIL)
    recipient_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="notifications"
    )
    recipient_address = models.CharField(max_length=254, blank=True, help_text="Email address or phone number.")
    distribution_list = models.ForeignKey(
        DistributionList, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    subject = models.CharField(max_length=300)
    body_text = models.TextField()
    body_html = models.TextField(blank=True)
    headers = models.JSONField(default=dict, blank=True)
    link = models.CharField(max_length=500, blank=True, help_text="Where the in-app item points.")
    resource_type = models.CharField(max_length=100, blank=True)
    resource_id = models.CharField(max_length=100, blank=True)
    status = models.CharField(max_length=10, choices=NotificationStatus.choices, default=NotificationStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # The sweep: pending rows whose attempt is due.
            models.Index(fields=["status", "next_attempt_at"], name="notif_due_idx"),
            # The inbox: a user's unread items, newest first.
            models.Index(fields=["recipient_user", "read_at", "created_at"], name="notif_inbox_idx"),
            models.Index(fields=["resource_type", "resource_id"], name="notif_resource_idx"),
        ]

    def __str__(self):
        return f"{self.event} → {self.recipient_address or self.recipient_user}"


class InboxNotification(Notification):
    """Proxy for the per-user in-app inbox in the admin."""

    class Meta:
        proxy = True
        verbose_name = "inbox item"
        verbose_name_plural = "my inbox"
