from django.core.management.base import BaseCommand, CommandError

from marketplace_ops.health import check_broker, check_cache, check_database

CHECKS = [
    ("DATABASE_URL", "database", check_database),
    ("REDIS_URL", "cache", check_cache),
    ("REDIS_URL", "broker", check_broker),
]


class Command(BaseCommand):
    help = "Check the database, cache and broker answer; one line naming the variable if not."

    def handle(self, *args, **options):
        for variable, what, check in CHECKS:
            error = check()
            if error:
                raise CommandError(f"{variable}: the {what} does not answer ({error.splitlines()[0]})")
        self.stdout.write("preflight: database, cache and broker answer")
