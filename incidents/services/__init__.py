"""The incidents domain's writers. Other apps import from here (signatures are stable)."""

from incidents.services.alerts import alert_delivery_accept, alert_delivery_process, alertmanager_process
from incidents.services.communications import incident_communicate
from incidents.services.escalation import escalation_sweep, incident_escalate, policy_snapshot
from incidents.services.lifecycle import (
    incident_acknowledge,
    incident_add_note,
    incident_assign,
    incident_change_severity,
    incident_open,
    incident_reference,
    incident_resolve_by_key,
    incident_transition,
)
from incidents.services.oncall import on_call_at, primary_rotation, rotation_schedule
from incidents.services.postmortem import (
    action_item_add,
    action_item_set_status,
    action_items_remind,
    postmortem_save,
)
from incidents.sla import sla_deadlines, sla_terms

__all__ = [
    "action_item_add",
    "action_item_set_status",
    "action_items_remind",
    "alert_delivery_accept",
    "alert_delivery_process",
    "alertmanager_process",
    "escalation_sweep",
    "incident_acknowledge",
    "incident_add_note",
    "incident_assign",
    "incident_change_severity",
    "incident_communicate",
    "incident_escalate",
    "incident_open",
    "incident_reference",
    "incident_resolve_by_key",
    "incident_transition",
    "on_call_at",
    "policy_snapshot",
    "postmortem_save",
    "primary_rotation",
    "rotation_schedule",
    "sla_deadlines",
    "sla_terms",
]
