from django.db import models


class Severity(models.TextChoices):
    """Same values as the incidents app's severities (tickets and incidents share SLA clocks)."""

    CRITICAL = "critical", "Critical"
    HIGH = "high", "High"
    MEDIUM = "medium", "Medium"
    LOW = "low", "Low"


SEVERITY_RANK = {Severity.CRITICAL: 0, Severity.HIGH: 1, Severity.MEDIUM: 2, Severity.LOW: 3}


class Tier(models.TextChoices):
    L1 = "l1", "L1"
    L2 = "l2", "L2"
    L3 = "l3", "L3"


TIER_ORDER = {Tier.L1: 1, Tier.L2: 2, Tier.L3: 3}
# The role group that works each tier's queue.
TIER_ROLE = {Tier.L1: "support-l1", Tier.L2: "support-l2", Tier.L3: "support-l3"}


class Channel(models.TextChoices):
    EMAIL = "email", "Email"
    PORTAL = "portal", "Support portal"
    CHAT = "chat", "Chat"
    PHONE = "phone", "Phone"


class TicketStatus(models.TextChoices):
    NEW = "new", "New"
    TRIAGED = "triaged", "Triaged"
    IN_PROGRESS = "in_progress", "In progress"
    WAITING_ON_CUSTOMER = "waiting_on_customer", "Waiting on customer"
    RESOLVED = "resolved", "Resolved"
    CLOSED = "closed", "Closed"


OPEN_STATUSES = (
    TicketStatus.NEW,
    TicketStatus.TRIAGED,
    TicketStatus.IN_PROGRESS,
    TicketStatus.WAITING_ON_CUSTOMER,
)
# Statuses in which the resolution clock runs (waiting on customer pauses it).
CLOCK_RUNNING_STATUSES = (TicketStatus.NEW, TicketStatus.TRIAGED, TicketStatus.IN_PROGRESS)


class MessageKind(models.TextChoices):
    REQUESTER = "requester", "From the requester"
    STAFF_REPLY = "staff_reply", "Reply to the requester"
    INTERNAL_NOTE = "internal_note", "Internal note"
    SYSTEM = "system", "System event"


PUBLIC_MESSAGE_KINDS = (MessageKind.REQUESTER, MessageKind.STAFF_REPLY, MessageKind.SYSTEM)


class ArticleKind(models.TextChoices):
    RUNBOOK = "runbook", "Runbook"
    FAQ = "faq", "FAQ"
    TROUBLESHOOTING = "troubleshooting", "Troubleshooting guide"
    KNOWN_ISSUE = "known_issue", "Known issue"


class SlaClock(models.TextChoices):
    RESPONSE = "response", "Response"
    RESOLUTION = "resolution", "Resolution"
