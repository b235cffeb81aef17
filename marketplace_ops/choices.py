from django.db import models


class ComponentStatus(models.TextChoices):
    OPERATIONAL = "operational", "Operational"
    DEGRADED = "degraded_performance", "Degraded performance"
    PARTIAL_OUTAGE = "partial_outage", "Partial outage"
    MAJOR_OUTAGE = "major_outage", "Major outage"
    MAINTENANCE = "under_maintenance", "Under maintenance"


# Worst first is the higher number: used to derive an overall status.
COMPONENT_STATUS_SEVERITY = {
    ComponentStatus.OPERATIONAL: 0,
    ComponentStatus.MAINTENANCE: 1,
    ComponentStatus.DEGRADED: 2,
    ComponentStatus.PARTIAL_OUTAGE: 3,
    ComponentStatus.MAJOR_OUTAGE: 4,
}


class Role(models.TextChoices):
    PRODUCT = "product", "Product"
    ENGINEERING = "engineering", "Engineering"
    SECURITY = "security", "Security"
    OPERATIONS = "operations", "Operations"
    CAB = "change-advisory-board", "Change Advisory Board"
    INCIDENT_RESPONSE = "incident-response", "Incident response"
    SUPPORT_L1 = "support-l1", "Support L1"
    SUPPORT_L2 = "support-l2", "Support L2"
    SUPPORT_L3 = "support-l3", "Support L3"
    AUDITOR = "auditor", "Auditor"


class AuditOutcome(models.TextChoices):
    SUCCESS = "success", "Success"
    FAILURE = "failure", "Failure"


class ActorType(models.TextChoices):
    USER = "user", "User"
    SYSTEM = "system", "System"
    API_TOKEN = "api_token", "API token"
    ANONYMOUS = "anonymous", "Anonymous"


class NotificationChannel(models.TextChoices):
    EMAIL = "email", "Email"
    SMS = "sms", "SMS"
    IN_APP = "in_app", "In-app"


class NotificationStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"


class WindowKind(models.TextChoices):
    PRIMARY = "primary", "Primary"
    SECONDARY = "secondary", "Secondary"
    EMERGENCY = "emergency", "Emergency"


class Weekday(models.IntegerChoices):
    MONDAY = 0, "Monday"
    TUESDAY = 1, "Tuesday"
    WEDNESDAY = 2, "Wednesday"
    THURSDAY = 3, "Thursday"
    FRIDAY = 4, "Friday"
    SATURDAY = 5, "Saturday"
    SUNDAY = 6, "Sunday"


class PolicyTiming(models.TextChoices):
    IMMEDIATE = "immediate", "Immediate"
    WINDOW = "window", "In a scheduled maintenance window"
    IMMEDIATE_IF_CRITICAL = "immediate_if_critical", "Immediate for critical, otherwise in a window"
    OFF_PEAK = "off_peak", "Off-peak hours"
