from django.core.management.base import BaseCommand, CommandError

from marketplace_ops.services.audit import verify_chain


class Command(BaseCommand):
    help = "Verify the audit log's hash chain; exit non-zero naming the first broken event."

    def handle(self, *args, **options):
        checked, problem = verify_chain()
        if problem:
            raise CommandError(f"audit chain broken after {checked} good events: {problem}")
        self.stdout.write(self.style.SUCCESS(f"audit chain intact: {checked} events verified"))
