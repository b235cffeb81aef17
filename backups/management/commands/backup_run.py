from django.core.management.base import BaseCommand, CommandError

from backups.management.commands._common import actor_or_system, get_user
from marketplace_ops.actors import acting_as


class Command(BaseCommand):
    help = "Make a backup now with a policy. Exit 0: verified (or succeeded with --no-verify); 1: failed."

    def add_arguments(self, parser):
        parser.add_argument("policy", help="policy slug")
        parser.add_argument("--type", choices=["full", "incremental", "differential"], help="override the type")
        parser.add_argument("--no-verify", action="store_true", help="skip the test restore")
        parser.add_argument("--user", help="record this user as the one who started it")

    def handle(self, *args, **options):
        from backups.models import BackupPolicy
        from backups.services import backup_run_start

        policy = BackupPolicy.objects.filter(slug=options["policy"]).first()
        if policy is None:
            raise CommandError(f"no backup policy '{options['policy']}'")
        user = get_user(options["user"])
        with acting_as(actor_or_system(user), reason="manage.py backup_run", via="command"):
            run = backup_run_start(policy=policy, acting_user=user, backup_type=options["type"],
                                   verify=False if options["no_verify"] else None)
        detail = run.error or run.verification_error
        line = (f"run #{run.pk} {policy.slug} {run.backup_type}: {run.status}"
                f"{f', {run.size_bytes} bytes, sha256 {run.sha256[:12]}' if run.sha256 else ''}"
                f"{f' — {detail}' if detail else ''}")
        ok = run.status == "verified" or (run.status == "succeeded" and run.verified_at is None)
        if ok:
            self.stdout.write(line)
        else:
            raise CommandError(line)
