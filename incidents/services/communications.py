"""Communications: email / SMS / status page / in-app to all users, affected users or staff."""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from incidents.choices import Audience, CommunicationChannel, TimelineKind
from incidents.communication_templates import MESSAGE_TEMPLATES, render_template
from incidents.models import Communication
from incidents.notifications import groups_by_names, phones_for, send
from incidents.services.common import add_timeline, is_human, lock, next_sweep_at
from incidents.services.lifecycle import _acknowledge
from incidents.signals import public_update_posted
from incidents.sla import sla_terms
from marketplace_ops.actors import resolve_actor
from marketplace_ops.choices import NotificationChannel
from marketplace_ops.history import save_with_history
from marketplace_ops.services.audit import audit_log
from marketplace_ops.services.notifications import subscribed_lists

EVENT = "incidents.communication"


def _internal_users(groups):
    return [u for g in groups for u in g.user_set.filter(is_active=True).order_by("id")]


def _validate(incident, channel, audience, message, template):
    errors = {}
    if channel not in CommunicationChannel.values:
        errors["channel"] = f"Channel must be one of {', '.join(CommunicationChannel.values)}."
    if audience not in Audience.values:
        errors["audience"] = f"Audience must be one of {', '.join(Audience.values)}."
    if template and template not in MESSAGE_TEMPLATES:
        errors["template"] = f"Unknown template; use one of {', '.join(MESSAGE_TEMPLATES)}."
    if not (message or "").strip() and not template:
        errors["message"] = "Write the message or choose a template."
    if errors:
        raise ValidationError(errors)
    if channel in (CommunicationChannel.SMS, CommunicationChannel.IN_APP) and audience != Audience.INTERNAL:
        raise ValidationError({"audience": f"{CommunicationChannel(channel).label} goes to staff only: choose the internal audience."})
    if channel == CommunicationChannel.STATUS_PAGE and audience == Audience.INTERNAL:
        raise ValidationError({"audience": "A status-page update is public: choose all users or affected users."})
    if audience == Audience.AFFECTED_USERS and not incident.components.exists():
        raise ValidationError({"audience": "Record the affected components first: affected users are their subscribers."})


def incident_communicate(
    *, incident, channel: str, audience: str, acting_user, message: str = "", template: str = "", subject: str = ""
) -> Communication:
    """Send a communication and record it. Status-page and customer-facing updates reset the update clock."""
    now = timezone.now()
    actor = resolve_actor(acting_user)
    with transaction.atomic():
        incident = lock(incident)
        _validate(incident, channel, audience, message, template)
        components = list(incident.components.all())
        names = ", ".join(c.name for c in components) or "our services"
        if template:
            default_subject, default_body = render_template(template, {"incident": incident, "components": names})
        else:
            default_subject, default_body = f"Update: {incident.title}", ""
        subject = (subject or default_subject)[:200]
        body = (message or "").strip() or default_body
        rows = []
        extra = {"subject_line": subject, "message": body, "audience": audience}
        if channel == CommunicationChannel.EMAIL:
            if audience == Audience.INTERNAL:
                recipients = groups_by_names(settings.INCIDENTS_INTERNAL_GROUPS)
            elif audience == Audience.ALL_USERS:
                recipients = subscribed_lists(event=EVENT)
            else:
                recipients = subscribed_lists(event=EVENT, components=components)
            rows = send(event=EVENT, incident=incident, recipients=recipients, context=extra, acting_user=actor)
        elif channel == CommunicationChannel.SMS:
            phones = phones_for(_internal_users(groups_by_names(settings.INCIDENTS_INTERNAL_GROUPS)))
            if not phones:
                raise ValidationError({"channel": "Nobody in the internal groups has an on-call phone number."})
            rows = send(event=EVENT, incident=incident, recipients=[], sms_to=phones, context=extra, acting_user=actor)
        elif channel == CommunicationChannel.IN_APP:
            rows = send(event=EVENT, incident=incident, recipients=groups_by_names(settings.INCIDENTS_INTERNAL_GROUPS),
                        context=extra, acting_user=actor, channel=NotificationChannel.IN_APP)
        communication = Communication.objects.create(
            incident=incident, channel=channel, audience=audience, status=incident.status, template=template,
            subject=subject, message=body, is_public=channel == CommunicationChannel.STATUS_PAGE,
            recipient_count=len(rows), sent_by=actor, sent_at=now,
        )
        public = channel == CommunicationChannel.STATUS_PAGE or audience != Audience.INTERNAL
        changed = False
        if public:
            incident.last_public_update_at = now
            minutes = sla_terms(incident.severity).get("update_minutes")
            incident.update_due_at = now + timedelta(minutes=minutes) if minutes and incident.is_open else None
            changed = True
        if is_human(actor) and incident.acknowledged_at is None and incident.is_open:
            _acknowledge(incident, actor=actor, now=now, why="first communication")
            changed = True
        if changed:
            incident.sweep_due_at = next_sweep_at(incident)
            save_with_history(incident, acting_user=actor, reason=f"Communication ({channel}, {audience})")
        add_timeline(incident, kind=TimelineKind.COMMUNICATION, acting_user=actor, at=now,
                     message=f"{communication.get_channel_display()} to {communication.get_audience_display().lower()} "
                             f"({len(rows)} recipients): {subject}")
        audit_log(event_type="incident.communication", action="create", acting_user=actor, resource=incident,
                  details={"channel": channel, "audience": audience, "recipients": len(rows)})
        if communication.is_public:
            transaction.on_commit(lambda: public_update_posted.send(
                sender=Communication, communication=communication, incident=incident))
    return communication
