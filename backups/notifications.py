"""Who hears about which backup event: the operations group, in the outbox."""

from django.contrib.auth.models import Group

from marketplace_ops.choices import Role
from marketplace_ops.services.notifications import notify

EVENTS = {
    "backups.backup_failed": "Backup failed",
    "backups.verification_failed": "Backup verification failed",
    "backups.rpo_breach": "Recovery point objective breached",
    "backups.rto_breach": "Recovery time objective breached",
    "backups.restored": "Backup restored",
}


def operations():
    group = Group.objects.filter(name=Role.OPERATIONS).first()
    return [group] if group else []


def _admin_link(obj) -> str:
    from django.urls import NoReverseMatch, reverse

    try:
        return reverse(f"admin:backups_{obj._meta.model_name}_change", args=[obj.pk])
    except NoReverseMatch:
        return ""


def backup_failed(run, *, acting_user):
    notify(event="backups.backup_failed", recipients=operations(), acting_user=acting_user, resource=run,
           link=_admin_link(run),
           context={"what": f"run #{run.pk} of {run.policy.name}", "error": run.error,
                    "output": run.tool_output[-3000:], "run": run})


def external_backup_failed(report, *, acting_user):
    notify(event="backups.backup_failed", recipients=operations(), acting_user=acting_user, resource=report,
           link=_admin_link(report),
           context={"what": f"the {report.backup_type} backup of {report.component.name} reported by "
                            f"{report.reported_by or 'an external system'}",
                    "error": report.message or "reported as failed", "output": "", "run": None})


def verification_failed(run, restore, *, acting_user):
    notify(event="backups.verification_failed", recipients=operations(), acting_user=acting_user, resource=run,
           link=_admin_link(run), context={"run": run, "error": run.verification_error, "restore": restore})


def objective_breached(objective, kind, status, *, acting_user):
    notify(event=f"backups.{kind}_breach", recipients=operations(), acting_user=acting_user, resource=objective,
           link=_admin_link(objective), context={"component": objective.component, "status": status})


def restored(restore, *, acting_user):
    notify(event="backups.restored", recipients=operations(), acting_user=acting_user, resource=restore,
           link=_admin_link(restore), context={"restore": restore, "run": restore.run})
