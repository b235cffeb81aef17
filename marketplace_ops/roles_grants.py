"""What the kernel contributes to the registries: its events, role permissions and widgets."""

from marketplace_ops.choices import Role


def register_kernel(registry):
    registry.register_event_type("marketplace_ops.test_email", "Test email", subscribable=False)
    registry.register_event_type("marketplace_ops.audit_chain_broken", "Audit chain broken", subscribable=False)
    registry.register_event_type("marketplace_ops.announcement", "General announcement")

    k = "marketplace_ops"
    registry.grant(Role.OPERATIONS, *[f"{k}.{p}" for p in (
        "view_component", "change_component", "add_component",
        "view_maintenancewindow", "add_maintenancewindow", "change_maintenancewindow",
        "view_maintenancepolicy", "change_maintenancepolicy",
        "view_businesscalendar", "change_businesscalendar", "add_calendarholiday", "change_calendarholiday",
        "view_calendarholiday", "delete_calendarholiday",
        "view_distributionlist", "add_distributionlist", "change_distributionlist",
        "view_distributionlistmember", "add_distributionlistmember", "change_distributionlistmember",
        "delete_distributionlistmember", "view_notification",
    )])
    registry.grant(Role.SECURITY, f"{k}.view_auditevent", f"{k}.view_apitoken", f"{k}.add_apitoken",
                   f"{k}.change_apitoken", f"{k}.view_component")
    for role in (Role.PRODUCT, Role.ENGINEERING, Role.CAB, Role.INCIDENT_RESPONSE,
                 Role.SUPPORT_L1, Role.SUPPORT_L2, Role.SUPPORT_L3):
        registry.grant(role, f"{k}.view_component", f"{k}.view_maintenancewindow", f"{k}.view_maintenancepolicy")
    registry.grant(Role.INCIDENT_RESPONSE, f"{k}.change_component", f"{k}.view_distributionlist")
    registry.grant(Role.PRODUCT, f"{k}.view_distributionlist", f"{k}.change_distributionlist",
                   f"{k}.view_distributionlistmember", f"{k}.add_distributionlistmember")
