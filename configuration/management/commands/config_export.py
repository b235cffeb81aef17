from django.core.management.base import BaseCommand, CommandError

from configuration.services.common import UnknownEnvironment
from configuration.services.transfer import config_export, dumps
from marketplace_ops.actors import acting_as, system_user


class Command(BaseCommand):
    help = "Write one environment's configuration as JSON (secrets left out unless --include-secrets, audited)."

    def add_arguments(self, parser):
        parser.add_argument("--environment", required=True)
        parser.add_argument("--include-secrets", action="store_true")
        parser.add_argument("--output", help="file path (default: stdout)")

    def handle(self, *args, environment, include_secrets, output, **options):
        actor = system_user()
        with acting_as(actor, reason="config_export", via="command"):
            try:
                data = config_export(environment=environment, include_secrets=include_secrets, acting_user=actor)
            except UnknownEnvironment as exc:
                raise CommandError(str(exc))
        text = dumps(data) + "\n"
        if output:
            with open(output, "w", encoding="utf-8") as fh:
                fh.write(text)
            self.stderr.write(f"wrote {len(data['items'])} item(s) to {output}")
        else:
            self.stdout.write(text, ending="")
