from django.core.management.base import BaseCommand, CommandError

from marketplace_ops.actors import acting_as, system_user


class Command(BaseCommand):
    help = "Apply GFS retention. --dry-run lists what would go and why each kept run is kept."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true")

    def handle(self, *args, **options):
        from backups.services import backup_prune

        with acting_as(system_user(), reason="manage.py backup_prune", via="command"):
            result = backup_prune(acting_user=None, dry_run=options["dry_run"])
        kept = 0
        for decision in result["decisions"]:
            record = decision.record
            label = f"#{record.id} {record.series} {record.kind} {record.time:%Y-%m-%d %H:%M}"
            if decision.keep:
                kept += 1
                if options["verbosity"] >= 1:
                    self.stdout.write(f"keep   {label}: {'; '.join(decision.reasons)}")
            else:
                self.stdout.write(f"{'would remove' if options['dry_run'] else 'removed'} {label}: no rule keeps it")
        gone = len(result["decisions"]) - kept
        for error in result["errors"]:
            self.stderr.write(error)
        summary = (f"{'dry run: ' if options['dry_run'] else ''}{kept} kept, "
                   f"{gone if options['dry_run'] else len(result['removed'])} "
                   f"{'would be removed' if options['dry_run'] else 'removed'}")
        if result["errors"]:
            raise CommandError(f"{summary}, {len(result['errors'])} could not be removed")
        self.stdout.write(summary)
