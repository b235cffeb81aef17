from django.core.management.base import BaseCommand
from django.db import transaction

from marketplace_ops.actors import acting_as, system_user
from marketplace_ops.demo import seed_kernel
from marketplace_ops.registry import registry


class Command(BaseCommand):
    help = "Load demo data for every domain (idempotent: re-running changes nothing that exists)."

    def handle(self, *args, **options):
        with acting_as(system_user(), reason="seed_demo", via="command"):
            with transaction.atomic():
                seed_kernel(stdout=self.stdout)
            for seeder in registry.seeders():
                with transaction.atomic():
                    seeder.seed(stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS("demo data ready"))
