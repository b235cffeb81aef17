from incidents.models.alert import Alert, AlertDelivery
from incidents.models.communication import Communication
from incidents.models.escalation import EscalationLog, EscalationPolicy, EscalationStep
from incidents.models.incident import Incident, SlaBreach, TimelineEntry
from incidents.models.oncall import OnCallContact, Rotation, RotationMember, RotationOverride
from incidents.models.postmortem import ActionItem, Postmortem
from incidents.models.sla import SlaPolicy

__all__ = [
    "ActionItem",
    "Alert",
    "AlertDelivery",
    "Communication",
    "EscalationLog",
    "EscalationPolicy",
    "EscalationStep",
    "Incident",
    "OnCallContact",
    "Postmortem",
    "Rotation",
    "RotationMember",
    "RotationOverride",
    "SlaBreach",
    "SlaPolicy",
    "TimelineEntry",
]
