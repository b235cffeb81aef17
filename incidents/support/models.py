import hashlib
import hmac
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from incidents.support.choices import (
    OPEN_STATUSES,
    TIER_ORDER,
    TIER_ROLE,
    ArticleKind,
    Channel,
    MessageKind,
    Severity,
    SlaClock,
    TicketStatus,
    Tier,
)
from marketplace_ops.history import tracked_history
from marketplace_ops.models import Component

S = TicketStatus


def may_work_ticket(instance, user) -> bool:
    """Transition permission (admin buttons): staff of the ticket's tier or a higher one."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser:
        return True
    wanted = [role for tier, role in TIER_ROLE.items() if TIER_ORDER[tier] >= TIER_ORDER[instance.tier]]
    return user.groups.filter(name__in=wanted).exists()


class Customer(models.Model):
    """An API consumer organisation known to support: premium flag and dedicated engineer.
    Tickets are matched to it by the requester's email domain."""

    name = models.CharField(max_length=200, unique=True)
    email_domain = models.CharField(
        max_length=200, unique=True, help_text="Requesters with an address at this domain belong here (e.g. acme.example)."
    )
    is_premium = models.BooleanField(default=False)
    dedicated_engineer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        help_text="Premium support: notified of every new ticket of this customer.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = tracked_history()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def clean(self):
        self.email_domain = (self.email_domain or "").strip().lower().lstrip("@")
        if "." not in self.email_domain or "@" in self.email_domain or " " in self.email_domain:
            raise ValidationError({"email_domain": "Give a domain such as acme.example."})


class KnowledgeArticle(models.Model):
    """Runbooks, FAQs, troubleshooting guides and known issues (Markdown, rendered sanitized)."""

    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    kind = models.CharField(max_length=20, choices=ArticleKind.choices)
    summary = models.CharField(max_length=300, blank=True)
    body = models.TextField(help_text="Markdown. Rendered sanitized (no scripts, no inline HTML events).")
    components = models.ManyToManyField(
        Component, blank=True, related_name="+", help_text="None: applies to every component."
    )
    severities = models.JSONField(
        default=list, blank=True, help_text="Severities it applies to; empty: every severity."
    )
    is_published = models.BooleanField(default=True)
    is_public = models.BooleanField(
        default=False, help_text="Shown to API consumers in the portal's knowledge base (never for runbooks)."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = tracked_history()

    class Meta:
        ordering = ["kind", "title"]
        indexes = [models.Index(fields=["kind", "is_published"]), models.Index(fields=["is_public", "is_published"])]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.title}"

    def get_absolute_url(self):
        return reverse("support:article", kwargs={"slug": self.slug})

    def clean(self):
        valid = set(Severity.values)
        if not isinstance(self.severities, list) or any(s not in valid for s in self.severities):
            raise ValidationError({"severities": f"Give a list of severities from: {', '.join(Severity.values)}."})
        if self.kind == ArticleKind.RUNBOOK and self.is_public:
            raise ValidationError({"is_public": "Runbooks are internal; they cannot be public."})

    def applies_to_severity(self, severity) -> bool:
        return not self.severities or severity is None or str(severity) in self.severities


class Ticket(ConcurrentTransitionMixin, models.Model):
    requester_name = models.CharField(max_length=200)
    requester_email = models.EmailField()
    requester_organisation = models.CharField(max_length=200, blank=True)
    customer = models.ForeignKey(Customer, null=True, blank=True, on_delete=models.SET_NULL, related_name="tickets")
    premium = models.BooleanField(default=False)
    dedicated_engineer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.PORTAL)
    subject = models.CharField(max_length=200)
    description = models.TextField()
    severity = models.CharField(max_length=10, choices=Severity.choices, default=Severity.MEDIUM)
    tier = models.CharField(max_length=2, choices=Tier.choices, default=Tier.L1)
    status = FSMField(max_length=24, choices=TicketStatus.choices, default=S.NEW, protected=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="support_tickets"
    )
    incident_id = models.PositiveBigIntegerField(
        null=True, blank=True, db_index=True, help_text="The linked incident (an id in the incidents app)."
    )
    knowledge_article = models.ForeignKey(
        KnowledgeArticle, null=True, blank=True, on_delete=models.PROTECT, related_name="resolved_tickets"
    )
    resolution = models.TextField(blank=True)

    # Clocks (computed by services from sla.py; indexed for the breach sweep).
    opened_at = models.DateTimeField(default=timezone.now)
    first_response_at = models.DateTimeField(null=True, blank=True)
    response_due = models.DateTimeField(null=True, blank=True)
    resolution_due = models.DateTimeField(null=True, blank=True)
    next_update_due = models.DateTimeField(null=True, blank=True)
    paused_at = models.DateTimeField(null=True, blank=True)
    paused_total = models.DurationField(default=timedelta)
    response_breached_at = models.DateTimeField(null=True, blank=True)
    resolution_breached_at = models.DateTimeField(null=True, blank=True)
    update_reminded_at = models.DateTimeField(
        null=True, blank=True, help_text="When the assignee was last reminded that an update to the requester is due."
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    last_requester_activity_at = models.DateTimeField(null=True, blank=True)

    # Private requester link: a per-ticket random salt; the link token is an HMAC of it, and only
    # the token's SHA-256 is stored (lookups go by hash; rotating the salt revokes the link).
    access_salt = models.CharField(max_length=64, editable=False)
    access_token_hash = models.CharField(max_length=64, unique=True, editable=False)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = tracked_history(excluded_fields=["access_salt", "access_token_hash"])

    class Meta:
        # Premium first, then the most urgent clock.
        ordering = ["-premium", "resolution_due", "id"]
        indexes = [
            models.Index(fields=["tier", "status", "-premium", "resolution_due"], name="support_ticket_queue"),
            models.Index(fields=["assignee", "status"], name="support_ticket_assignee"),
            models.Index(
                fields=["response_due"], name="support_ticket_response_due",
                condition=Q(first_response_at__isnull=True, response_breached_at__isnull=True),
            ),
            models.Index(
                fields=["resolution_due"], name="support_ticket_resolution_due",
                condition=Q(resolution_breached_at__isnull=True),
            ),
            models.Index(
                fields=["next_update_due"], name="support_ticket_update_due",
                condition=Q(next_update_due__isnull=False),
            ),
            models.Index(
                fields=["resolved_at"], name="support_ticket_resolved", condition=Q(status="resolved"),
            ),
            models.Index(fields=["requester_email"], name="support_ticket_requester"),
            models.Index(fields=["-created_at"], name="support_ticket_created"),
        ]
        permissions = [
            ("escalate_ticket", "Can escalate a ticket to a higher tier"),
            ("reply_ticket", "Can reply to a ticket and add notes"),
            ("link_incident_ticket", "Can open or join an incident from a ticket"),
        ]

    def __str__(self):
        return f"{self.reference} {self.subject}"

    @property
    def reference(self) -> str:
        return f"TCK-{self.pk:06d}" if self.pk else "TCK-new"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_paused(self) -> bool:
        return self.status == S.WAITING_ON_CUSTOMER

    def breached_clocks(self) -> list[str]:
        out = []
        if self.response_breached_at:
            out.append(SlaClock.RESPONSE)
        if self.resolution_breached_at:
            out.append(SlaClock.RESOLUTION)
        return out

    # --- access link (pure) ---
    @staticmethod
    def hash_access_token(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    def access_token(self) -> str:
        digest = hmac.new(
            settings.SECRET_KEY.encode(), f"support-ticket:{self.access_salt}".encode(), hashlib.sha256
        ).hexdigest()
        return digest

    # --- lifecycle (state changes only; services do the rest) ---
    @transition(field=status, source=S.NEW, target=S.TRIAGED, permission=may_work_ticket,
                custom={"label": "Triage", "admin": True})
    def triage(self):
        pass

    @transition(field=status, source=[S.NEW, S.TRIAGED], target=S.IN_PROGRESS, permission=may_work_ticket,
                custom={"label": "Start work", "admin": True})
    def start(self):
        pass

    @transition(field=status, source=[S.TRIAGED, S.IN_PROGRESS], target=S.WAITING_ON_CUSTOMER,
                permission=may_work_ticket, custom={"label": "Wait on customer", "admin": True})
    def wait_on_customer(self):
        pass

    @transition(field=status, source=[S.WAITING_ON_CUSTOMER, S.RESOLVED], target=S.IN_PROGRESS,
                permission=may_work_ticket, custom={"label": "Resume / reopen", "admin": True})
    def resume(self):
        pass

    @transition(field=status, source=[S.NEW, S.TRIAGED, S.IN_PROGRESS, S.WAITING_ON_CUSTOMER], target=S.RESOLVED,
                permission=may_work_ticket, custom={"label": "Resolve", "admin": True})
    def resolve(self):
        pass

    @transition(field=status, source=S.RESOLVED, target=S.CLOSED, permission=may_work_ticket,
                custom={"label": "Close", "admin": True})
    def close(self):
        pass


class TicketMessage(models.Model):
    """The ticket's conversation and timeline: requester messages, staff replies, internal notes
    and system events (escalations, pauses, links)."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="messages")
    kind = models.CharField(max_length=16, choices=MessageKind.choices)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    author_name = models.CharField(max_length=200, blank=True)
    body = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    history = tracked_history()

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["ticket", "created_at"])]

    def __str__(self):
        return f"{self.get_kind_display()} #{self.pk}"


class TicketEscalation(models.Model):
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="escalations")
    from_tier = models.CharField(max_length=2, choices=Tier.choices)
    to_tier = models.CharField(max_length=2, choices=Tier.choices)
    reason = models.TextField()
    escalated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    escalated_at = models.DateTimeField(default=timezone.now)

    history = tracked_history()

    class Meta:
        ordering = ["escalated_at", "id"]
        indexes = [models.Index(fields=["ticket", "escalated_at"])]

    def __str__(self):
        return f"{self.get_from_tier_display()} → {self.get_to_tier_display()}"
