"""Role grants of the support app (applied after every migrate; documented in docs/permissions.md)."""

from marketplace_ops.choices import Role

APP = "support"


def grant_roles(registry):
    tiers = (Role.SUPPORT_L1, Role.SUPPORT_L2, Role.SUPPORT_L3)
    staff_work = (
        "view_ticket", "change_ticket", "add_ticket", "reply_ticket", "escalate_ticket",
        "view_ticketmessage", "view_ticketescalation",
        "view_knowledgearticle", "view_customer",
    )
    for role in tiers:
        registry.grant(role, *[f"{APP}.{c}" for c in staff_work])
    # Higher tiers write the knowledge base and open/join incidents; L3 manages premium customers.
    for role in (Role.SUPPORT_L2, Role.SUPPORT_L3):
        registry.grant(role, *[f"{APP}.{c}" for c in (
            "add_knowledgearticle", "change_knowledgearticle", "link_incident_ticket")])
    registry.grant(Role.SUPPORT_L3, *[f"{APP}.{c}" for c in ("add_customer", "change_customer")])
    registry.grant(Role.SUPPORT_L1, f"{APP}.link_incident_ticket")
    # Incident responders read tickets (to see who is affected) and maintain runbooks; linking a
    # ticket to an incident is done by support staff from the ticket.
    registry.grant(Role.INCIDENT_RESPONSE, *[f"{APP}.{c}" for c in (
        "view_ticket", "view_ticketmessage", "view_knowledgearticle", "add_knowledgearticle",
        "change_knowledgearticle")])
    registry.grant(Role.OPERATIONS, f"{APP}.view_knowledgearticle", f"{APP}.change_knowledgearticle")
    registry.grant(Role.ENGINEERING, f"{APP}.view_knowledgearticle")
