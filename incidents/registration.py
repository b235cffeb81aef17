"""What the incidents app registers with the kernel in ready()."""

from marketplace_ops.choices import Role
from marketplace_ops.registry import DashboardWidget, registry

VIEW = [f"incidents.view_{m}" for m in (
    "incident", "timelineentry", "slabreach", "communication", "alert", "alertdelivery", "escalationlog",
    "escalationpolicy", "escalationstep", "rotation", "rotationmember", "rotationoverride", "oncallcontact",
    "postmortem", "actionitem", "slapolicy",
)]
RESPONDER = [
    "incidents.add_incident", "incidents.change_incident", "incidents.transition_incident",
    "incidents.communicate_incident", "incidents.escalate_incident", "incidents.view_incident_report",
    "incidents.add_postmortem", "incidents.change_postmortem", "incidents.add_actionitem", "incidents.change_actionitem",
    "incidents.add_rotationoverride", "incidents.change_rotationoverride", "incidents.add_oncallcontact",
    "incidents.change_oncallcontact",
]
MANAGER = [
    "incidents.add_rotation", "incidents.change_rotation", "incidents.add_rotationmember", "incidents.change_rotationmember",
    "incidents.delete_rotationmember", "incidents.add_escalationpolicy", "incidents.change_escalationpolicy",
    "incidents.add_escalationstep", "incidents.change_escalationstep", "incidents.delete_escalationstep",
    "incidents.change_slapolicy",
]


def _widget_context(request):
    from incidents.selectors import open_incident_summary

    return open_incident_summary()


def register():
    from incidents.demo import seed
    from incidents.notifications import EVENTS

    for key, label in EVENTS.items():
        registry.register_event_type(key, label, subscribable=key == "incidents.communication")
    registry.grant(Role.INCIDENT_RESPONSE, *VIEW, *RESPONDER)
    registry.grant(Role.OPERATIONS, *VIEW, *RESPONDER, *MANAGER)
    registry.grant(Role.ENGINEERING, *VIEW, "incidents.add_incident", "incidents.change_incident",
                   "incidents.transition_incident", "incidents.change_actionitem")
    for role in (Role.SUPPORT_L1, Role.SUPPORT_L2, Role.SUPPORT_L3, Role.PRODUCT):
        registry.grant(role, "incidents.view_incident", "incidents.view_communication", "incidents.view_timelineentry")
    registry.register_demo_seeder("incidents", seed, order=30)
    registry.register_widget(DashboardWidget(
        key="incidents-open", title="Open incidents", template="incidents/widgets/open_incidents.html",
        context=_widget_context, order=20, permission="incidents.view_incident",
    ))
