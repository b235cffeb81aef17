from django.core.management.base import BaseCommand
from django.db import transaction

from marketplace_ops.actors import acting_as, system_user
from marketplace_ops.services.notifications import notify


class Command(BaseCommand):
    help = "Send a test email through the outbox and Celery (the same path as every notification)."

    def add_arguments(self, parser):
        parser.add_argument("recipients", nargs="+", help="email addresses")

    def handle(self, *args, recipients, **options):
        with acting_as(system_user(), reason="send_test_email", via="command"), transaction.atomic():
            rows = notify(
                event="marketplace_ops.test_email",
                recipients=recipients,
                context={"recipients": recipients},
            )
        ids = ", ".join(str(r.pk) for r in rows)
        self.stdout.write(f"queued {len(rows)} test email(s) in the outbox (ids {ids}); the worker delivers them")
