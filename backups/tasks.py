"""Thin Celery tasks: ids in, one service call, as the system actor."""

from celery import shared_task

from marketplace_ops.actors import acting_as, system_user


@shared_task(bind=True, acks_late=True, ignore_result=True)
def run_due_policies(self):
    """Every minute: claim the policies whose cron is due and start each in its own task."""
    from backups.services import policies_claim_due

    for policy_id in policies_claim_due():
        run_policy.delay(policy_id)


@shared_task(bind=True, acks_late=True, ignore_result=True, max_retries=0)
def run_policy(self, policy_id: int):
    from backups.models import BackupPolicy
    from backups.services import policy_run_scheduled

    with acting_as(system_user(), reason="scheduled backup", via="celery"):
        policy = BackupPolicy.objects.filter(pk=policy_id, enabled=True).first()
        if policy is not None:
            policy_run_scheduled(policy=policy, acting_user=None)


@shared_task(bind=True, acks_late=True, ignore_result=True)
def watch_objectives(self):
    from backups.services import objectives_check, runs_fail_interrupted

    with acting_as(system_user(), reason="RPO/RTO watch", via="celery"):
        runs_fail_interrupted(acting_user=None)
        objectives_check(acting_user=None)


@shared_task(bind=True, acks_late=True, ignore_result=True)
def restore_drill(self):
    from backups.services import objectives_check
    from backups.services import restore_drill as drill

    with acting_as(system_user(), reason="scheduled restore drill", via="celery"):
        drill(acting_user=None)
        objectives_check(acting_user=None)


@shared_task(bind=True, acks_late=True, ignore_result=True)
def prune(self):
    from backups.services import backup_prune

    with acting_as(system_user(), reason="retention", via="celery"):
        backup_prune(acting_user=None)


def _user(user_id):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(pk=user_id).first() if user_id else None


@shared_task(bind=True, acks_late=True, ignore_result=True, max_retries=0)
def run_policy_now(self, policy_id: int, user_id: int | None = None):
    from backups.models import BackupPolicy
    from backups.services import backup_run_start

    user = _user(user_id)
    with acting_as(user or system_user(), reason="backup started from the admin", via="celery"):
        backup_run_start(policy=BackupPolicy.objects.get(pk=policy_id), acting_user=user)


@shared_task(bind=True, acks_late=True, ignore_result=True, max_retries=0)
def verify_run(self, run_id: int, user_id: int | None = None):
    from backups.models import BackupRun
    from backups.services import backup_verify

    user = _user(user_id)
    with acting_as(user or system_user(), reason="verification from the admin", via="celery"):
        backup_verify(run=BackupRun.objects.get(pk=run_id), acting_user=user)


@shared_task(bind=True, acks_late=True, ignore_result=True, max_retries=0)
def restore_run_to_scratch(self, run_id: int, user_id: int | None = None):
    from backups.models import BackupRun
    from backups.services import RestoreRefused, backup_restore

    user = _user(user_id)
    with acting_as(user or system_user(), reason="restore to scratch from the admin", via="celery"):
        try:
            backup_restore(run=BackupRun.objects.get(pk=run_id), acting_user=user)
        except RestoreRefused:
            from marketplace_ops.choices import AuditOutcome
            from marketplace_ops.services.audit import audit_log

            audit_log(event_type="backups.restore_refused", action="restore", acting_user=user,
                      outcome=AuditOutcome.FAILURE, resource_type="backups.BackupRun", resource_id=run_id)
