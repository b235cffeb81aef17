"""Demo data: the source document's policies and objectives, a real verified backup of the demo
database, a chain of configuration incrementals and external reports (one in RPO breach).
Idempotent: a second run adds nothing."""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.utils import timezone

# slug, name, target, type, cron, only when changed
POLICIES = [
    ("database-daily-full", "Database: daily full", "database", "full", "0 2 * * *", False),
    ("database-hourly-incremental", "Database: hourly incremental", "database", "incremental", "0 * * * *", False),
    ("configuration-on-change", "Configuration: after each change", "configuration", "incremental", "* * * * *",
     True),
    ("configuration-daily-full", "Configuration: daily full", "configuration", "full", "30 2 * * *", False),
    ("media-daily-full", "File storage: daily full", "media", "full", "0 3 * * *", False),
    ("media-hourly-incremental", "File storage: hourly incremental", "media", "incremental", "15 * * * *", False),
]

# component, age of the newest successful report, restore drill seconds
REPORTS = [
    ("api-gateway", timedelta(minutes=2), 420),
    ("api-portal", timedelta(minutes=20), 900),
    ("api-catalog", timedelta(minutes=35), 1500),
    ("user-database", timedelta(minutes=3), 1200),
    ("analytics", timedelta(hours=3), 5400),  # older than its 1 h RPO: in breach, opens an incident
]


def _say(stdout, text):
    if stdout:
        stdout.write(f"backups: {text}")


def seed(*, stdout=None):
    from backups.models import BackupPolicy, BackupRun, ExternalBackupReport
    from backups.services import objectives_check, objectives_seed_defaults, policy_save, report_record
    from marketplace_ops.models import Component

    objectives_seed_defaults()
    for slug, name, target, backup_type, cron, on_change in POLICIES:
        if BackupPolicy.objects.filter(slug=slug).exists():
            continue
        policy = BackupPolicy(slug=slug, name=name, target=target, backup_type=backup_type, schedule=cron,
                              only_when_changed=on_change)
        try:
            policy_save(policy=policy, acting_user=None, reason="seeded from the source document")
        except ValidationError as exc:
            _say(stdout, f"policy {slug} not created: {' '.join(exc.messages)}")

    database = BackupPolicy.objects.filter(slug="database-daily-full").first()
    if database and not BackupRun.objects.filter(policy=database, status="verified").exists():
        run = _run(database, "full")
        _say(stdout, f"database backup run #{run.pk}: {run.status} {run.error or run.verification_error}".strip())

    full = BackupPolicy.objects.filter(slug="configuration-daily-full").first()
    incremental = BackupPolicy.objects.filter(slug="configuration-on-change").first()
    if full and incremental and not BackupRun.objects.filter(policy__target="configuration").exists():
        runs = [_run(full, "full")]
        for index in range(3):
            _demo_config_change(index)
            runs.append(_run(incremental, "incremental"))
        _say(stdout, "configuration chain " + " → ".join(f"#{r.pk} {r.backup_type} {r.status}" for r in runs))

    media = BackupPolicy.objects.filter(slug="media-daily-full").first()
    if media and not BackupRun.objects.filter(policy=media).exists():
        _run(media, "full")

    now = timezone.now()
    for slug, age, drill in REPORTS:
        component = Component.objects.filter(slug=slug).first()
        if component is None or ExternalBackupReport.objects.filter(component=component).exists():
            continue
        report_record(component=component, backup_type="full", finished_at=now - age, outcome="success",
                      size_bytes=50_000_000, acting_user=None, restore_seconds=drill,
                      location=f"s3://marketplace-backups/{slug}/", reported_by="demo")
    objectives_check(acting_user=None)
    _say(stdout, f"{BackupRun.objects.count()} runs, {ExternalBackupReport.objects.count()} external reports")


def _run(policy, backup_type):
    from backups.services import backup_run_start

    return backup_run_start(policy=policy, acting_user=None, trigger="demo", backup_type=backup_type)


def _demo_config_change(index):
    """A real change through the configuration app, so each incremental holds history records."""
    try:
        from configuration import services as config
        from configuration.models import ConfigurationItem
    except ImportError:
        return
    key = "portal.demo_backup_marker"
    item = ConfigurationItem.objects.filter(environment="development", key=key).first()
    from marketplace_ops.actors import system_user

    change_set = config.config_changeset_create(
        environment="development", title="Demo change for the backup chain", reason="demo seeding",
        acting_user=system_user(),
        operations=[{"key": key, "value": index + 1, "base_version": item.version if item else 0}],
    )
    if change_set.state == "approved":
        config.config_changeset_apply(change_set=change_set, acting_user=system_user(), check_permission=False)
