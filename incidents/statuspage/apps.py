from django.apps import AppConfig

EVENT_TYPES = {
    "statuspage.confirm": "Status page: confirm your subscription",
    "statuspage.incident_opened": "Status page: new incident",
    "statuspage.incident_updated": "Status page: incident update",
    "statuspage.incident_resolved": "Status page: incident resolved",
    "statuspage.maintenance_scheduled": "Status page: maintenance scheduled",
    "statuspage.maintenance_started": "Status page: maintenance started",
    "statuspage.maintenance_completed": "Status page: maintenance completed",
}


class StatusPageConfig(AppConfig):
    name = "incidents.statuspage"
    label = "statuspage"
    verbose_name = "Status page"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from incidents.statuspage.dashboard import register_widgets
        from incidents.statuspage.demo import seed
        from marketplace_ops.choices import Role
        from marketplace_ops.registry import registry

        # Subscriber mail goes to the public subscribers only: distribution lists do not subscribe.
        for key, label in EVENT_TYPES.items():
            registry.register_event_type(key, label, subscribable=False)
        view = ["statuspage.view_subscriber", "statuspage.view_announcement"]
        registry.grant(Role.OPERATIONS, *view, "statuspage.change_subscriber")
        registry.grant(Role.INCIDENT_RESPONSE, *view)
        for role in (Role.SUPPORT_L1, Role.SUPPORT_L2, Role.SUPPORT_L3):
            registry.grant(role, "statuspage.view_subscriber")
        registry.register_demo_seeder("statuspage", seed, order=50)
        register_widgets(registry)
