"""Reference data that data migrations create (role groups, windows, policies, SLA terms,
runbooks) is also re-created after a flush: the same idempotent function runs on the app's
post_migrate, so a database emptied by `flush` (or a transactional test) is whole again."""

import importlib

from django.db.models.signals import post_migrate


def reseed_after_flush(app_config, migration: str, function: str = "seed"):
    """Run `<app>.migrations.<migration>.<function>(apps, schema_editor=None)` after each migrate/flush."""
    module = importlib.import_module(f"{app_config.name}.migrations.{migration}")
    seed = getattr(module, function)

    def handler(sender, apps=None, using="default", **kwargs):
        from django.apps import apps as global_apps

        seed(apps or global_apps, None)

    post_migrate.connect(handler, sender=app_config, weak=False, dispatch_uid=f"reseed:{app_config.label}:{migration}")
