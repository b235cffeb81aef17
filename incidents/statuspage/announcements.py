"""The announcement sweep: finds public events not yet announced and announces each once.

Events: an incident on a public component is opened; a status-page communication is posted;
an incident is resolved; scheduled maintenance on public components is scheduled (or its
window changes), starts, completes. Internal edits (notes, assignment, severity, component
order, anything not in that list) produce nothing, because nothing else is looked at.
"""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse

from incidents.statuspage.choices import AnnouncementKind as Kind
from incidents.statuspage.models import Announcement, SweepCursor
from incidents.statuspage.services import absolute, announce, sweep_window

CURSOR_KEY = "announcements"


def _incident_context(incident, public_components, **extra):
    return {
        "incident": {"id": incident.pk, "title": incident.title, "status": incident.get_status_display(),
                     "detected_at": incident.detected_at, "resolved_at": incident.resolved_at},
        "component_names": [c.name for c in public_components],
        "incident_url": absolute(reverse("statuspage:incident", args=[incident.pk])),
        "status_url": absolute(reverse("statuspage:index")),
        **extra,
    }


def _incidents(since, now):
    """Incidents on public components created since the window, still open, or resolved in it."""
    from django.db.models import Prefetch, Q

    from incidents.models import Incident
    from incidents.selectors import INTERNAL_ONLY
    from incidents.statuspage.selectors import open_statuses
    from marketplace_ops.models import Component

    return list(
        Incident.objects.filter(components__is_public=True).exclude(affected_users=INTERNAL_ONLY)
        .filter(Q(created_at__gte=since) | Q(status__in=open_statuses()) | Q(resolved_at__gte=since))
        .distinct().order_by("created_at", "id")
        .prefetch_related(Prefetch("components", queryset=Component.objects.filter(is_public=True)
                                   .order_by("display_order", "name"), to_attr="public_components"))
    )


def _updates(since):
    from incidents.models import Communication

    return list(Communication.objects.filter(is_public=True, sent_at__gte=since).select_related("incident")
                .order_by("sent_at", "id"))


def _announce_incidents(cursor, since, now) -> int:
    from incidents.statuspage.selectors import open_statuses

    count = 0
    incidents = {i.pk: i for i in _incidents(since, now)}
    new = [i for i in incidents.values() if i.created_at >= cursor.started_at]
    updates = [u for u in _updates(since) if u.incident_id in incidents or _public_incident(u.incident_id, incidents)]
    for incident in new:
        ids = [c.pk for c in incident.public_components]
        if announce(key=f"opened:{incident.pk}", kind=Kind.INCIDENT_OPENED, subject_key=f"incident:{incident.pk}",
                    component_ids=ids, context=_incident_context(incident, incident.public_components)):
            count += 1
    for update in updates:
        incident = incidents[update.incident_id]
        ids = [c.pk for c in incident.public_components]
        ctx = _incident_context(incident, incident.public_components,
                                update={"message": update.message, "status": update.get_status_display(),
                                        "sent_at": update.sent_at})
        if announce(key=f"update:{update.pk}", kind=Kind.INCIDENT_UPDATED, subject_key=f"incident:{incident.pk}",
                    component_ids=ids, context=ctx):
            count += 1
    for incident in incidents.values():
        if incident.resolved_at and incident.resolved_at >= since and incident.status not in open_statuses():
            ids = [c.pk for c in incident.public_components]
            key = f"resolved:{incident.pk}:{int(incident.resolved_at.timestamp())}"
            if announce(key=key, kind=Kind.INCIDENT_RESOLVED, subject_key=f"incident:{incident.pk}",
                        component_ids=ids, context=_incident_context(incident, incident.public_components)):
                count += 1
    return count


def _public_incident(incident_id, incidents) -> bool:
    """An update on an older incident (created before the window): load it into `incidents`."""
    from django.db.models import Prefetch

    from incidents.models import Incident
    from incidents.selectors import INTERNAL_ONLY
    from marketplace_ops.models import Component

    incident = (Incident.objects.filter(pk=incident_id, components__is_public=True)
                .exclude(affected_users=INTERNAL_ONLY).distinct()
                .prefetch_related(Prefetch("components", queryset=Component.objects.filter(is_public=True)
                                           .order_by("display_order", "name"), to_attr="public_components"))
                .first())
    if incident is None:
        return False
    incidents[incident_id] = incident
    return True


def _maintenance_context(item, names, **extra):
    return {
        "maintenance": {"title": item["title"], "starts_at": item["starts_at"], "ends_at": item["ends_at"]},
        "component_names": names,
        "status_url": absolute(reverse("statuspage:index")),
        "calendar_url": absolute(reverse("statuspage:maintenance-ics")),
        **extra,
    }


def _payload(item):
    return {"title": item["title"], "component_ids": item["component_ids"],
            "starts_at": item["starts_at"].isoformat(), "ends_at": item["ends_at"].isoformat()}


def _announce_maintenance(cursor, now) -> int:
    from datetime import datetime

    from incidents.statuspage.selectors import maintenance_between, public_components

    names = {c.pk: c.name for c in public_components()}
    horizon = now + timedelta(days=settings.STATUSPAGE_MAINTENANCE_HORIZON_DAYS)
    items = maintenance_between(now - timedelta(days=1), horizon)
    seen = set()
    count = 0
    for item in items:
        subject = f"maintenance:{item['kind']}:{item['id']}"
        seen.add(subject)
        ids = item["component_ids"]
        comp_names = [names[i] for i in ids if i in names]
        window = f"{int(item['starts_at'].timestamp())}-{int(item['ends_at'].timestamp())}"
        if item["ends_at"] > now and item["ends_at"] > cursor.started_at:
            earlier = Announcement.objects.filter(subject_key=subject, kind=Kind.MAINTENANCE_SCHEDULED).exists()
            if announce(key=f"{subject}:scheduled:{window}", kind=Kind.MAINTENANCE_SCHEDULED, subject_key=subject,
                        component_ids=ids, payload=_payload(item),
                        context=_maintenance_context(item, comp_names, rescheduled=earlier)):
                count += 1
        if item["starts_at"] <= now < item["ends_at"] and item["starts_at"] >= cursor.started_at:
            if announce(key=f"{subject}:started", kind=Kind.MAINTENANCE_STARTED, subject_key=subject,
                        component_ids=ids, payload=_payload(item), context=_maintenance_context(item, comp_names)):
                count += 1
        if item["ends_at"] <= now:
            count += _complete(subject, item, ids, comp_names)
    # Announced maintenance that left the calendar after it started (the release completed
    # early) is completed too; one that left before starting (cancelled) gets no email.
    started = Announcement.objects.filter(kind=Kind.MAINTENANCE_STARTED).exclude(subject_key__in=seen)
    done = set(Announcement.objects.filter(kind=Kind.MAINTENANCE_COMPLETED).values_list("subject_key", flat=True))
    for row in started.exclude(subject_key__in=done).order_by("id"):
        item = {**row.payload, "starts_at": datetime.fromisoformat(row.payload["starts_at"]),
                "ends_at": datetime.fromisoformat(row.payload["ends_at"])}
        ids = row.payload.get("component_ids", [])
        count += _complete(row.subject_key, item, ids, [names[i] for i in ids if i in names])
    return count


def _complete(subject, item, ids, names) -> int:
    announced = Announcement.objects.filter(
        subject_key=subject, kind__in=(Kind.MAINTENANCE_SCHEDULED, Kind.MAINTENANCE_STARTED)).exists()
    if not announced:
        return 0
    row = announce(key=f"{subject}:completed", kind=Kind.MAINTENANCE_COMPLETED, subject_key=subject,
                   component_ids=ids, payload=_payload(item), context=_maintenance_context(item, names))
    return 1 if row else 0


def run_sweep(*, now) -> int:
    """Announce what is new; returns the number of announcements made. Safe on two workers:
    the cursor row is locked for the whole sweep, and each announcement key is unique."""
    with transaction.atomic():
        cursor, created = SweepCursor.objects.get_or_create(
            key=CURSOR_KEY, defaults={"started_at": now, "swept_at": now})
        cursor = SweepCursor.objects.select_for_update().get(pk=cursor.pk)
        since = sweep_window(cursor, now)
        count = _announce_incidents(cursor, since, now) + _announce_maintenance(cursor, now)
        cursor.swept_at = max(cursor.swept_at, now)
        cursor.save(update_fields=["swept_at"])
    return count
