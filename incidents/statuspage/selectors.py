"""Reads of the public status page. Everything returned here is public by construction:
public components only, titles, times, public updates — never notes, assignees or root causes.

Incidents are read through the incidents app's selectors where they exist
(`public_incidents`, `public_updates`); the uptime intervals and the history by month are
read-only queries against the incidents models written here (no selector existed for them).
"""

from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django.apps import apps
from django.conf import settings
from django.db.models import Prefetch, Q
from django.utils import timezone

from incidents.selectors import INTERNAL_ONLY
from incidents.statuspage import uptime
from incidents.statuspage.choices import SEVERITY_IMPACT, label, worst
from marketplace_ops.choices import ComponentStatus


def open_statuses():
    from incidents.models.incident import OPEN

    return OPEN


def impact_of(incident) -> str:
    return str(SEVERITY_IMPACT.get(incident.severity, ComponentStatus.DEGRADED))


def public_components():
    from marketplace_ops.models import Component

    return list(Component.objects.filter(is_public=True).order_by("display_order", "name", "id"))


def maintenance_between(start: datetime, end: datetime) -> list[dict]:
    """Scheduled maintenance on public components (the releases app's contract), [] without it."""
    if not apps.is_installed("releases"):
        return []
    from releases.services import upcoming_maintenance

    items = upcoming_maintenance(start=start, end=end, public_only=True)
    return [item for item in items if item.get("component_ids")]


def active_incidents(*, now=None) -> list:
    """Open incidents on public components, newest first, with `.public_components` and
    `.public_updates` (oldest first) prefetched by the incidents app's selector."""
    from incidents.selectors import public_incidents

    now = now or timezone.now()
    rows = public_incidents(resolved_within=timedelta(0), now=now, limit=settings.STATUSPAGE_ACTIVE_LIMIT)
    return [i for i in rows if i.status in open_statuses()]


@dataclass
class ComponentState:
    component: object
    status: str
    status_label: str
    days: list = field(default_factory=list)
    uptime_pct: float | None = None
    uptime_text: str = ""
    incidents: list = field(default_factory=list)
    maintenance: list = field(default_factory=list)


def _intervals(component_ids, start: datetime, now: datetime) -> dict:
    """component id -> [(start, end, impact, incident id, title)] for incidents overlapping [start, now)."""
    from incidents.models import Incident

    through = Incident.components.through
    rows = (
        through.objects.filter(component_id__in=component_ids, incident__detected_at__lt=now)
        .exclude(incident__affected_users=INTERNAL_ONLY)
        .filter(Q(incident__resolved_at__isnull=True) | Q(incident__resolved_at__gt=start))
        .values_list("component_id", "incident_id", "incident__title", "incident__severity",
                     "incident__detected_at", "incident__resolved_at", "incident__closed_at")
        .order_by("incident__detected_at", "incident_id")
    )
    out: dict = {}
    for component_id, incident_id, title, severity, detected, resolved, closed in rows:
        end = resolved or closed or now
        impact = str(SEVERITY_IMPACT.get(severity, ComponentStatus.DEGRADED))
        out.setdefault(component_id, []).append((detected, min(end, now), impact, incident_id, title))
    return out


def status_overview(*, now=None) -> dict:
    """Everything /status/ shows, in a constant number of queries."""
    now = now or timezone.now()
    days = settings.STATUSPAGE_UPTIME_DAYS
    components = public_components()
    ids = [c.pk for c in components]
    incidents = active_incidents(now=now)
    horizon = now + timedelta(days=settings.STATUSPAGE_MAINTENANCE_HORIZON_DAYS)
    maintenance = maintenance_between(now, horizon)
    active_maintenance = [m for m in maintenance if m["starts_at"] <= now < m["ends_at"]]
    upcoming = [m for m in maintenance if m["starts_at"] > now]
    names = {c.pk: c.name for c in components}
    for item in maintenance:
        item["component_names"] = [names[i] for i in item["component_ids"] if i in names]

    intervals = _intervals(ids, now - timedelta(days=days), now)
    states = []
    for component in components:
        touching = [i for i in incidents if any(c.pk == component.pk for c in i.public_components)]
        under = [m for m in active_maintenance if component.pk in m["component_ids"]]
        status = worst(component.status, *(impact_of(i) for i in touching),
                       ComponentStatus.MAINTENANCE if under else None)
        rows = uptime.compute_days(intervals.get(component.pk, []), days=days, today=now.date(), now=now)
        pct = uptime.uptime_percentage(rows)
        states.append(ComponentState(component=component, status=status, status_label=label(status), days=rows,
                                     uptime_pct=pct, uptime_text=uptime.format_pct(pct), incidents=touching,
                                     maintenance=under))
    overall = worst(*(s.status for s in states))
    return {
        "now": now,
        "overall": overall,
        "overall_label": BANNER[overall],
        "components": states,
        "incidents": incidents,
        "active_maintenance": active_maintenance,
        "upcoming_maintenance": upcoming,
        "uptime_days": days,
    }


BANNER = {
    str(ComponentStatus.OPERATIONAL): "All systems operational",
    str(ComponentStatus.MAINTENANCE): "Scheduled maintenance in progress",
    str(ComponentStatus.DEGRADED): "Degraded performance",
    str(ComponentStatus.PARTIAL_OUTAGE): "Partial outage",
    str(ComponentStatus.MAJOR_OUTAGE): "Major outage",
}


def _public_qs():
    from incidents.models import Communication, Incident
    from marketplace_ops.models import Component

    return (
        Incident.objects.filter(components__is_public=True).exclude(affected_users=INTERNAL_ONLY).distinct()
        .prefetch_related(
            Prefetch("components", queryset=Component.objects.filter(is_public=True).order_by("display_order", "name"),
                     to_attr="public_components"),
            Prefetch("communications", queryset=Communication.objects.filter(is_public=True).order_by("sent_at", "id"),
                     to_attr="public_updates"),
        )
    )


def public_incident(incident_id):
    """One incident if it touches a public component (else None), with its public parts."""
    try:
        incident_id = int(incident_id)
    except (TypeError, ValueError):
        return None
    return _public_qs().filter(pk=incident_id).first()


def history_by_month(*, months: int, page: int = 1, now=None) -> dict:
    """Past incidents on public components grouped by month (newest first), `months` per page."""
    now = now or timezone.now()
    page = max(1, page)
    first_of_this_month = now.astimezone(UTC).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    end = _add_months(first_of_this_month, -(page - 1) * months + 1)
    start = _add_months(end, -months)
    incidents = list(_public_qs().filter(detected_at__gte=start, detected_at__lt=end).order_by("-detected_at", "-id"))
    grouped: OrderedDict = OrderedDict()
    month = _add_months(end, -1)
    while month >= start:
        grouped[month.date()] = []
        month = _add_months(month, -1)
    for incident in incidents:
        key = incident.detected_at.astimezone(UTC).date().replace(day=1)
        grouped.setdefault(key, []).append(incident)
    older = _public_qs().filter(detected_at__lt=start).exists()
    return {"months": list(grouped.items()), "page": page, "has_older": older, "has_newer": page > 1}


def _add_months(moment: datetime, n: int) -> datetime:
    total = moment.year * 12 + moment.month - 1 + n
    return moment.replace(year=total // 12, month=total % 12 + 1, day=1)


def feed_entries(*, limit: int) -> list[dict]:
    """Atom entries: each incident's opening, each public update, each resolution — newest first."""
    from incidents.models import Communication

    updates = list(
        Communication.objects.filter(is_public=True, incident__components__is_public=True)
        .exclude(incident__affected_users=INTERNAL_ONLY).distinct()
        .select_related("incident").order_by("-sent_at", "-id")[:limit]
    )
    incidents = list(_public_qs().order_by("-detected_at", "-id")[:limit])
    entries = []
    for incident in incidents:
        names = ", ".join(c.name for c in incident.public_components)
        entries.append({"id": f"incident-{incident.pk}", "incident": incident, "kind": "opened",
                        "title": f"{incident.title}", "updated": incident.created_at or incident.detected_at,
                        "published": incident.detected_at,
                        "summary": f"New incident affecting {names}."})
        if incident.resolved_at and incident.status not in open_statuses():
            entries.append({"id": f"incident-{incident.pk}-resolved-{int(incident.resolved_at.timestamp())}",
                            "incident": incident, "kind": "resolved", "title": f"Resolved: {incident.title}",
                            "updated": incident.resolved_at, "published": incident.resolved_at,
                            "summary": f"This incident affecting {names} has been resolved."})
    for update in updates:
        entries.append({"id": f"update-{update.pk}", "incident": update.incident, "kind": "update",
                        "title": f"{update.get_status_display()}: {update.incident.title}",
                        "updated": update.sent_at, "published": update.sent_at, "summary": update.message})
    entries.sort(key=lambda e: e["updated"], reverse=True)
    return entries[:limit]
