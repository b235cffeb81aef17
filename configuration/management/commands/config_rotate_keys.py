from django.core.management.base import BaseCommand

from configuration.services.rotation import config_rotate_keys
from marketplace_ops.actors import acting_as, system_user


class Command(BaseCommand):
    help = ("Re-encrypt every secret with the first key in CONFIG_ENCRYPTION_KEYS (all listed keys must still "
            "decrypt the old ones) and recompute the comparison HMACs.")

    def handle(self, *args, **options):
        actor = system_user()
        with acting_as(actor, reason="config_rotate_keys", via="command"):
            counts = config_rotate_keys(acting_user=actor)
        self.stdout.write(", ".join(f"{k}: {v}" for k, v in counts.items()))
