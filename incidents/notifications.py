"""Who gets which message for which incident event; builds outbox rows through the kernel."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from incidents.models import OnCallContact
from marketplace_ops.choices import NotificationChannel
from marketplace_ops.services.notifications import notify

EVENTS = {
    "incidents.opened": "Incident opened",
    "incidents.page": "On-call page for an incident",
    "incidents.escalation": "Incident escalated",
    "incidents.sla_breach": "Incident SLA breached",
    "incidents.update_overdue": "Incident update overdue",
    "incidents.communication": "Incident communication",
    "incidents.action_item_overdue": "Post-incident action item overdue",
}


def phones_for(users) -> list[str]:
    ids = [u.pk for u in users if u is not None]
    return list(OnCallContact.objects.filter(user_id__in=ids, user__is_active=True).values_list("phone", flat=True))


def users_by_ids(ids) -> list:
    ids = [i for i in ids if i]
    if not ids:
        return []
    return list(get_user_model().objects.filter(pk__in=ids, is_active=True).order_by("id"))


def groups_by_names(names) -> list[Group]:
    return list(Group.objects.filter(name__in=list(names)))


def incident_context(incident, **extra) -> dict:
    from incidents.services.common import incident_url

    return {
        "incident": incident,
        "url": incident_url(incident),
        "components": ", ".join(c.name for c in incident.components.all()) or "none recorded",
        **extra,
    }


def send(*, event, incident, recipients, context, acting_user=None, sms_to=(), channel=NotificationChannel.EMAIL):
    """Email (or in-app) rows to `recipients`, plus SMS rows to the phone numbers in `sms_to`.
    Returns the rows written."""
    ctx = incident_context(incident, **context)
    link = f"/admin/incidents/incident/{incident.pk}/change/"
    rows = notify(event=event, recipients=recipients, context=ctx, acting_user=acting_user,
                  channel=channel, resource=incident, link=link)
    if sms_to:
        rows += notify(event=event, recipients=list(sms_to), context=ctx, acting_user=acting_user,
                       channel=NotificationChannel.SMS, resource=incident, link=link)
    return rows
