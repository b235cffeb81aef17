from django.apps import AppConfig


class MarketplaceOpsConfig(AppConfig):
    name = "marketplace_ops"
    verbose_name = "Marketplace Ops kernel"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from marketplace_ops import history, signals  # noqa: F401  (receivers)
        from marketplace_ops.registry import registry
        from marketplace_ops.roles_grants import register_kernel
        from marketplace_ops.seed_data import reseed_after_flush

        register_kernel(registry)
        signals.connect_post_migrate(self)
        reseed_after_flush(self, "0002_seed_kernel")
