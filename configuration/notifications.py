"""Who hears about configuration change sets. Messages name keys, never values."""

from django.contrib.auth import get_user_model
from django.db.models import Q

from marketplace_ops.services.notifications import notify, subscribed_lists


def approvers_for(change_set):
    perm = Q(groups__permissions__codename="approve_changeset") | Q(user_permissions__codename="approve_changeset")
    users = get_user_model().objects.filter(perm, is_active=True, is_staff=True).exclude(pk=change_set.author_id)
    return list(users.distinct().order_by("id")[:200])


def _context(change_set, **extra):
    ops = list(change_set.operations.all())
    return {
        "change_set": change_set,
        "operations": [{"key": o.key, "op": o.op, "sensitive": o.sensitive} for o in ops],
        "link": f"/admin/configuration/changeset/{change_set.pk}/change/",
        **extra,
    }


def notify_changeset_pending(*, change_set, acting_user, required: int):
    notify(event="configuration.changeset_pending", recipients=approvers_for(change_set),
           context=_context(change_set, required=required), acting_user=acting_user, resource=change_set,
           link=f"/admin/configuration/changeset/{change_set.pk}/change/")


def notify_changeset_applied(*, change_set, acting_user):
    recipients = [change_set.author, *subscribed_lists(event="configuration.changeset_applied")]
    notify(event="configuration.changeset_applied", recipients=recipients, context=_context(change_set),
           acting_user=acting_user, resource=change_set,
           link=f"/admin/configuration/changeset/{change_set.pk}/change/")


def notify_changeset_rejected(*, change_set, acting_user):
    notify(event="configuration.changeset_rejected", recipients=[change_set.author], context=_context(change_set),
           acting_user=acting_user, resource=change_set,
           link=f"/admin/configuration/changeset/{change_set.pk}/change/")
