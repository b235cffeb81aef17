"""States and the mapping from incident severity to the public impact it shows."""

from django.db import models

from marketplace_ops.choices import COMPONENT_STATUS_SEVERITY, ComponentStatus


class SubscriberStatus(models.TextChoices):
    PENDING = "pending", "Waiting for confirmation"
    CONFIRMED = "confirmed", "Confirmed"
    UNSUBSCRIBED = "unsubscribed", "Unsubscribed"


class AnnouncementKind(models.TextChoices):
    INCIDENT_OPENED = "incident_opened", "New incident"
    INCIDENT_UPDATED = "incident_updated", "Public update"
    INCIDENT_RESOLVED = "incident_resolved", "Incident resolved"
    MAINTENANCE_SCHEDULED = "maintenance_scheduled", "Maintenance scheduled"
    MAINTENANCE_STARTED = "maintenance_started", "Maintenance started"
    MAINTENANCE_COMPLETED = "maintenance_completed", "Maintenance completed"


# The public impact an open incident gives its public components (worst wins).
SEVERITY_IMPACT = {
    "critical": ComponentStatus.MAJOR_OUTAGE,
    "high": ComponentStatus.PARTIAL_OUTAGE,
    "medium": ComponentStatus.DEGRADED,
    "low": ComponentStatus.DEGRADED,
}

# Share of a minute of each impact that counts as downtime in the uptime percentage
# (Atlassian Statuspage's convention: a partial outage weighs 30 % of a major one).
DOWNTIME_WEIGHT = {
    ComponentStatus.MAJOR_OUTAGE: 1.0,
    ComponentStatus.PARTIAL_OUTAGE: 0.3,
    ComponentStatus.DEGRADED: 0.0,
    ComponentStatus.MAINTENANCE: 0.0,
    ComponentStatus.OPERATIONAL: 0.0,
}

RANK = {str(k): v for k, v in COMPONENT_STATUS_SEVERITY.items()}

# Colours of the uptime bars and the banner (with text labels: colour is never the only cue).
COLOURS = {
    ComponentStatus.OPERATIONAL: "#2da44e",
    ComponentStatus.MAINTENANCE: "#3b82f6",
    ComponentStatus.DEGRADED: "#d4a72c",
    ComponentStatus.PARTIAL_OUTAGE: "#e16f24",
    ComponentStatus.MAJOR_OUTAGE: "#cf222e",
}
NO_DATA_COLOUR = "#d0d7de"


def worst(*statuses) -> str:
    """The worst of the given component statuses (operational if none)."""
    best = str(ComponentStatus.OPERATIONAL)
    for status in statuses:
        if status and RANK.get(str(status), 0) > RANK[best]:
            best = str(status)
    return best


def label(status: str) -> str:
    try:
        return ComponentStatus(status).label
    except ValueError:
        return status
