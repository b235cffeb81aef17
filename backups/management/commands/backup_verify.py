from django.core.management.base import BaseCommand, CommandError

from backups.management.commands._common import ProgressBar, get_run
from marketplace_ops.actors import acting_as, system_user


class Command(BaseCommand):
    help = "Verify a backup run: re-read its SHA-256, test-restore, compare. Exit 0 verified, 1 not."

    def add_arguments(self, parser):
        parser.add_argument("run", help="run id")
        parser.add_argument("--drill", action="store_true", help="record it as a restore drill")

    def handle(self, *args, **options):
        from django.core.exceptions import ValidationError

        from backups.services import backup_verify

        run = get_run(options["run"])
        bar = ProgressBar(self.stdout)
        with acting_as(system_user(), reason="manage.py backup_verify", via="command"):
            try:
                restore = backup_verify(run=run, acting_user=None, kind="drill" if options["drill"] else "verification",
                                        progress=bar)
            except ValidationError as exc:
                raise CommandError(" ".join(exc.messages))
        bar.done()
        run.refresh_from_db()
        line = f"run #{run.pk}: {run.status} in {restore.duration_seconds:.1f} s"
        if run.status != "verified":
            raise CommandError(f"{line} — {run.verification_error}")
        self.stdout.write(line)
