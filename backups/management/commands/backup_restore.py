from django.core.management.base import BaseCommand, CommandError

from backups.management.commands._common import ProgressBar, actor_or_system, get_run, get_user
from marketplace_ops.actors import acting_as


class Command(BaseCommand):
    help = ("Restore a backup run. --target scratch (default: a new database / file / folder) or in-place "
            "(superuser only: --user, the name typed back or --yes; a safety backup is taken first).")

    def add_arguments(self, parser):
        parser.add_argument("run", help="run id")
        parser.add_argument("--target", choices=["scratch", "in-place"], default="scratch")
        parser.add_argument("--force", action="store_true", help="restore an unverified or expired run")
        parser.add_argument("--yes", action="store_true", help="do not ask for the name (in-place)")
        parser.add_argument("--user", help="the superuser doing an in-place restore")

    def handle(self, *args, **options):
        from django.core.exceptions import PermissionDenied

        from backups.services import RestoreRefused, backup_restore, in_place_name

        run = get_run(options["run"])
        user = get_user(options["user"])
        in_place = options["target"] == "in-place"
        confirm = ""
        if in_place:
            if user is None or not user.is_superuser:
                raise CommandError("an in-place restore needs --user with a superuser's username")
            expected = in_place_name(run)
            if options["yes"]:
                confirm = expected
            else:
                confirm = input(f"This replaces '{expected}' with run #{run.pk}. Type '{expected}' to go on: ").strip()
                if confirm != expected:
                    raise CommandError("name not confirmed; nothing was restored")
        bar = ProgressBar(self.stdout)
        with acting_as(actor_or_system(user), reason="manage.py backup_restore", via="command"):
            try:
                restore = backup_restore(run=run, acting_user=user, in_place=in_place, force=options["force"],
                                         confirm=confirm, progress=bar)
            except (RestoreRefused, PermissionDenied) as exc:
                raise CommandError(f"refused: {exc}")
        bar.done()
        line = (f"restore of run #{run.pk} ({options['target']}): {restore.status}"
                f"{f' -> {restore.destination}' if restore.destination else ''} in {restore.duration_seconds:.1f} s")
        if restore.status != "succeeded":
            raise CommandError(f"{line} — {restore.error}")
        self.stdout.write(line)
