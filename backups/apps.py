from django.apps import AppConfig


class BackupsConfig(AppConfig):
    name = "backups"
    verbose_name = "Backups and recovery"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from backups.demo import seed
        from backups.notifications import EVENTS
        from backups.widgets import register_widgets
        from marketplace_ops.choices import Role
        from marketplace_ops.registry import registry

        for key, label in EVENTS.items():
            registry.register_event_type(key, label)
        b = "backups"
        registry.grant(Role.OPERATIONS, *[f"{b}.{p}" for p in (
            "view_backuppolicy", "add_backuppolicy", "change_backuppolicy",
            "view_backuprun", "run_backup", "verify_backuprun", "restore_backuprun", "prune_backups",
            "view_backuprestore", "view_recoveryobjective", "change_recoveryobjective",
            "view_externalbackupreport",
        )])
        for role in (Role.ENGINEERING, Role.INCIDENT_RESPONSE, Role.SECURITY):
            registry.grant(role, f"{b}.view_backuppolicy", f"{b}.view_backuprun", f"{b}.view_recoveryobjective",
                           f"{b}.view_externalbackupreport", f"{b}.view_backuprestore")
        registry.register_demo_seeder("backups", seed, order=40)
        register_widgets(registry)
