from django.db import models


class Severity(models.TextChoices):
    CRITICAL = "critical", "Critical"
    HIGH = "high", "High"
    MEDIUM = "medium", "Medium"
    LOW = "low", "Low"


URGENT_SEVERITIES = (Severity.CRITICAL, Severity.HIGH)


class IncidentStatus(models.TextChoices):
    DETECTED = "detected", "Detected"
    INVESTIGATING = "investigating", "Investigating"
    IDENTIFIED = "identified", "Identified"
    RESOLVING = "resolving", "Resolving"
    RESOLVED = "resolved", "Resolved"
    CLOSED = "closed", "Closed"


OPEN_STATUSES = (
    IncidentStatus.DETECTED,
    IncidentStatus.INVESTIGATING,
    IncidentStatus.IDENTIFIED,
    IncidentStatus.RESOLVING,
)


class AffectedUsers(models.TextChoices):
    ALL = "all", "All"
    SOME = "some", "Some"
    FEW = "few", "Few"
    NONE = "none", "None"


class IncidentSource(models.TextChoices):
    MANUAL = "manual", "Manual"
    ALERT = "alert", "Alert"
    TICKET = "ticket", "Ticket"


class TimelineKind(models.TextChoices):
    STATUS = "status", "Status change"
    NOTE = "note", "Note"
    SEVERITY = "severity", "Severity change"
    ASSIGNMENT = "assignment", "Assignment"
    ESCALATION = "escalation", "Escalation"
    BREACH = "breach", "SLA breach"
    COMMUNICATION = "communication", "Communication"
    ALERT = "alert", "Alert"


class SlaClock(models.TextChoices):
    RESPONSE = "response", "Response"
    RESOLUTION = "resolution", "Resolution"
    UPDATE = "update", "Update"


class CommunicationChannel(models.TextChoices):
    EMAIL = "email", "Email"
    SMS = "sms", "SMS"
    STATUS_PAGE = "status_page", "Status page"
    IN_APP = "in_app", "In-app"


class Audience(models.TextChoices):
    ALL_USERS = "all_users", "All users"
    AFFECTED_USERS = "affected_users", "Affected users"
    INTERNAL = "internal", "Internal"


class EscalationTrigger(models.TextChoices):
    UNACKNOWLEDGED = "unacknowledged", "Not acknowledged after N minutes"
    SLA_BREACH = "sla_breach", "On an SLA breach"
    UPDATE_OVERDUE = "update_overdue", "When an update is overdue"


class EscalationTarget(models.TextChoices):
    ON_CALL = "on_call", "The on-call person"
    GROUP = "group", "A group"
    USER = "user", "A named person"
    MANAGER = "manager", "The policy's duty manager"
    ASSIGNEE = "assignee", "The incident's assignee"
    COMMANDER = "commander", "The incident commander"


class AlertStatus(models.TextChoices):
    FIRING = "firing", "Firing"
    RESOLVED = "resolved", "Resolved"


class ActionItemStatus(models.TextChoices):
    OPEN = "open", "Open"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"
    CANCELLED = "cancelled", "Cancelled"


class PostmortemStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    FINAL = "final", "Final"
