from django.apps import AppConfig

EVENT_TYPES = {
    "support.ticket_received": ("Support: your ticket was received (to the requester)", False),
    "support.ticket_created": ("Support: new ticket in the L1 queue", True),
    "support.premium_ticket": ("Support: new premium ticket (dedicated engineer)", False),
    "support.staff_replied": ("Support: reply to the requester", False),
    "support.requester_replied": ("Support: the requester replied", False),
    "support.ticket_escalated": ("Support: ticket escalated to a tier", True),
    "support.ticket_assigned": ("Support: ticket assigned to you", False),
    "support.ticket_resolved": ("Support: your ticket was resolved (to the requester)", False),
    "support.sla_breached": ("Support: ticket SLA breached", True),
    "support.access_links": ("Support: your ticket links (to the requester)", False),
    "support.update_due": ("Support: an update to the requester is due", False),
}


class SupportConfig(AppConfig):
    name = "incidents.support"
    label = "support"
    verbose_name = "Support"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from incidents.support.demo import seed
        from incidents.support.grants import grant_roles
        from marketplace_ops.registry import DashboardWidget, registry
        from marketplace_ops.seed_data import reseed_after_flush

        for key, (label, subscribable) in EVENT_TYPES.items():
            registry.register_event_type(key, label, subscribable=subscribable)
        grant_roles(registry)
        reseed_after_flush(self, "0002_seed_runbooks")
        registry.register_demo_seeder("support", seed, order=35)
        registry.register_widget(
            DashboardWidget(
                key="support.my_tickets",
                title="Tickets assigned to me",
                template="support/widgets/my_tickets.html",
                context=_my_tickets_context,
                order=40,
                permission="support.view_ticket",
            )
        )


def _my_tickets_context(request):
    from incidents.support.selectors import sla_state, tickets_assigned_to

    tickets = tickets_assigned_to(request.user)
    return {"tickets": [(t, sla_state(t)) for t in tickets]}
