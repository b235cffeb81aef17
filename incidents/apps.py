from django.apps import AppConfig


class IncidentsConfig(AppConfig):
    name = "incidents"
    label = "incidents"
    verbose_name = "Incidents"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from incidents import registration

        registration.register()

        from marketplace_ops.seed_data import reseed_after_flush

        reseed_after_flush(self, "0002_seed_sla_policies")
