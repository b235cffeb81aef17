from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from configuration.services.common import UnknownEnvironment
from configuration.services.transfer import config_import
from marketplace_ops.actors import acting_as, system_user


class Command(BaseCommand):
    help = "Validate a JSON file and create one change set for --environment, or report every error and change nothing."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--environment", required=True)
        parser.add_argument("--reason", default="")
        parser.add_argument("--user", help="username recorded as the change set's author (default: system)")

    def handle(self, *args, file, environment, reason, user, **options):
        actor = system_user()
        if user:
            actor = get_user_model().objects.filter(username=user).first()
            if actor is None:
                raise CommandError(f"No user '{user}'.")
        try:
            with open(file, encoding="utf-8") as fh:
                text = fh.read()
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc}")
        with acting_as(actor, reason=reason or f"config_import {file}", via="command"):
            try:
                cs = config_import(text=text, environment=environment, acting_user=actor,
                                   reason=reason or f"import of {file}")
            except UnknownEnvironment as exc:
                raise CommandError(str(exc))
            except ValidationError as exc:
                lines = []
                if hasattr(exc, "error_dict"):
                    for where, errors in exc.error_dict.items():
                        lines.extend(f"{where}: {m}" for e in errors for m in e.messages)
                else:
                    lines = exc.messages
                for line in lines:
                    self.stderr.write(line)
                raise CommandError(f"{len(lines)} error(s); nothing was changed.")
        if cs is None:
            self.stdout.write("Nothing to import: every key already has that value.")
        else:
            self.stdout.write(f"Change set #{cs.pk} ({cs.operations.count()} operation(s)) is {cs.get_state_display().lower()}.")
