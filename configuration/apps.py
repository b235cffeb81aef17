from django.apps import AppConfig


class ConfigurationConfig(AppConfig):
    name = "configuration"
    verbose_name = "Configuration"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from configuration.demo import seed
        from configuration.validators import register_builtin_validators
        from configuration.widgets import register_widgets
        from marketplace_ops.choices import Role
        from marketplace_ops.registry import registry

        register_builtin_validators()
        registry.register_event_type("configuration.changeset_pending", "Configuration change set awaits approval")
        registry.register_event_type("configuration.changeset_applied", "Configuration change applied")
        registry.register_event_type(
            "configuration.changeset_rejected", "Configuration change set rejected", subscribable=False
        )
        view = [
            "configuration.view_configurationitem",
            "configuration.view_changeset",
            "configuration.view_configenvironment",
            "configuration.view_changesetoperation",
            "configuration.view_changesetapproval",
        ]
        edit = [
            "configuration.add_configurationitem",
            "configuration.change_configurationitem",
            "configuration.add_changeset",
            "configuration.change_changeset",
        ]
        registry.grant(Role.PRODUCT, *view)
        registry.grant(Role.ENGINEERING, *view, *edit, "configuration.view_configschema",
                       "configuration.add_configschema", "configuration.change_configschema")
        registry.grant(
            Role.OPERATIONS, *view, *edit,
            "configuration.approve_changeset", "configuration.apply_changeset",
            "configuration.change_configenvironment",
            "configuration.view_configschema",
            "configuration.view_subscriber", "configuration.add_subscriber", "configuration.change_subscriber",
            "configuration.view_webhookdelivery",
        )
        registry.grant(
            Role.SECURITY, *view, "configuration.reveal_configurationitem", "configuration.approve_changeset",
            "configuration.view_configschema", "configuration.view_subscriber", "configuration.view_webhookdelivery",
        )
        registry.grant(Role.CAB, *view, "configuration.approve_changeset")
        registry.register_demo_seeder("configuration", seed, order=10)
        register_widgets(registry)
