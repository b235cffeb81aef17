"""Reads other apps use: the status page, the dashboard, the admin report."""

from datetime import datetime, timedelta

from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Prefetch, Q
from django.db.models.functions import TruncMonth, TruncWeek
from django.utils import timezone

from incidents.choices import AffectedUsers, Severity
from incidents.models import Communication, Incident
from incidents.models.incident import OPEN
from marketplace_ops.models import Component


def public_updates(incident) -> "list[Communication]":
    """The status-page communications of one incident, oldest first."""
    incident_id = getattr(incident, "pk", incident)
    return list(Communication.objects.filter(incident_id=incident_id, is_public=True).order_by("sent_at", "id"))


def public_updates_since(since: datetime, *, limit: int = 200):
    """Status-page updates posted after `since` (feeds, subscriber notifications), newest first."""
    return (Communication.objects.filter(is_public=True, sent_at__gt=since).select_related("incident")
            .order_by("-sent_at", "-id")[:limit])


# Incidents that affect no users (a backup past its RPO, a slow restore drill) are operations'
# own business: they never reach the status page, its feeds, uptime bars or subscribers.
INTERNAL_ONLY = AffectedUsers.NONE


def public_incidents(*, resolved_within: timedelta = timedelta(days=7), component_ids=None, now=None, limit: int = 50):
    """Incidents touching public components that affect users: every open one, and those resolved within
    `resolved_within`. Each has `.public_components` and `.public_updates` (oldest first) prefetched."""
    now = now or timezone.now()
    qs = Incident.objects.filter(components__is_public=True).exclude(affected_users=INTERNAL_ONLY)
    if component_ids:
        qs = qs.filter(components__in=list(component_ids))
    qs = qs.filter(Q(status__in=OPEN) | Q(resolved_at__gte=now - resolved_within)).distinct()
    return list(
        qs.order_by("-detected_at", "-id").prefetch_related(
            Prefetch("components", queryset=Component.objects.filter(is_public=True), to_attr="public_components"),
            Prefetch("communications", queryset=Communication.objects.filter(is_public=True).order_by("sent_at", "id"),
                     to_attr="public_updates"),
        )[:limit]
    )


def _period(qs, start, end):
    if start:
        qs = qs.filter(detected_at__gte=start)
    if end:
        qs = qs.filter(detected_at__lt=end)
    return qs


def mtta_mttr_per_week(*, start: datetime | None = None, end: datetime | None = None) -> list[dict]:
    """[{"week": date, "incidents": n, "mtta": timedelta | None, "mttr": timedelta | None}] by detection week."""
    tta = ExpressionWrapper(F("acknowledged_at") - F("detected_at"), output_field=DurationField())
    ttr = ExpressionWrapper(F("resolved_at") - F("detected_at"), output_field=DurationField())
    rows = (
        _period(Incident.objects.all(), start, end)
        .annotate(week=TruncWeek("detected_at"))
        .values("week")
        .annotate(incidents=Count("id"), mtta=Avg(tta), mttr=Avg(ttr))
        .order_by("week")
    )
    return [{"week": r["week"].date() if hasattr(r["week"], "date") else r["week"], "incidents": r["incidents"],
             "mtta": r["mtta"], "mttr": r["mttr"]} for r in rows]


def sla_compliance(*, start: datetime | None = None, end: datetime | None = None, now=None) -> list[dict]:
    """Per month and severity: incidents, and the share whose response / resolution met the SLA,
    counted over incidents whose clock has finished (met, or its deadline passed)."""
    now = now or timezone.now()
    rows = (
        _period(Incident.objects.all(), start, end)
        .annotate(month=TruncMonth("detected_at"))
        .values("month", "severity")
        .annotate(
            incidents=Count("id"),
            response_met=Count("id", filter=Q(acknowledged_at__isnull=False, acknowledged_at__lte=F("response_due_at"))),
            response_measured=Count("id", filter=Q(acknowledged_at__isnull=False) | Q(response_due_at__lte=now)),
            resolution_met=Count("id", filter=Q(resolved_at__isnull=False, resolved_at__lte=F("resolution_due_at"))),
            resolution_measured=Count("id", filter=Q(resolved_at__isnull=False) | Q(resolution_due_at__lte=now)),
        )
        .order_by("month", "severity")
    )
    order = {s: i for i, s in enumerate(Severity.values)}
    out = []
    for r in rows:
        out.append({
            "month": r["month"].date() if hasattr(r["month"], "date") else r["month"],
            "severity": r["severity"],
            "incidents": r["incidents"],
            "response_met": r["response_met"],
            "response_measured": r["response_measured"],
            "response_pct": round(100 * r["response_met"] / r["response_measured"], 1) if r["response_measured"] else None,
            "resolution_met": r["resolution_met"],
            "resolution_measured": r["resolution_measured"],
            "resolution_pct": round(100 * r["resolution_met"] / r["resolution_measured"], 1) if r["resolution_measured"] else None,
        })
    return sorted(out, key=lambda r: (r["month"], order.get(r["severity"], 9)))


def incidents_per_component(*, start: datetime | None = None, end: datetime | None = None) -> list[dict]:
    """[{"component_id", "name", "slug", "incidents", "critical", "high"}], most incidents first."""
    flt = Q()
    if start:
        flt &= Q(incidents__detected_at__gte=start)
    if end:
        flt &= Q(incidents__detected_at__lt=end)
    rows = (
        Component.objects.annotate(
            n=Count("incidents", filter=flt, distinct=True),
            critical=Count("incidents", filter=flt & Q(incidents__severity=Severity.CRITICAL), distinct=True),
            high=Count("incidents", filter=flt & Q(incidents__severity=Severity.HIGH), distinct=True),
        )
        .filter(n__gt=0)
        .order_by("-n", "name")
        .values("id", "name", "slug", "n", "critical", "high")
    )
    return [{"component_id": r["id"], "name": r["name"], "slug": r["slug"], "incidents": r["n"],
             "critical": r["critical"], "high": r["high"]} for r in rows]


def open_incident_summary(*, now=None) -> dict:
    """For the dashboard: open incidents by severity, breached ones, the most urgent few."""
    now = now or timezone.now()
    open_qs = Incident.objects.filter(status__in=OPEN)
    by_severity = dict(open_qs.values_list("severity").annotate(n=Count("id")).values_list("severity", "n"))
    breached = open_qs.filter(
        Q(response_breached_at__isnull=False) | Q(resolution_breached_at__isnull=False) | Q(update_due_at__lte=now)
    ).count()
    top = list(open_qs.select_related("assignee").order_by("resolution_due_at", "id")[:5])
    return {
        "open_by_severity": [(s.label, by_severity.get(s.value, 0)) for s in Severity],
        "open_total": sum(by_severity.values()),
        "breached": breached,
        "incidents": [(i, sla_state(i, now=now)) for i in top],
    }


def sla_state(incident, *, now=None) -> dict:
    """The clock that matters now: {"label", "level": ok|warning|breached|done, "due"}."""
    now = now or timezone.now()
    if not incident.is_open:
        met = incident.resolved_at and incident.resolution_due_at and incident.resolved_at <= incident.resolution_due_at
        return {"label": "resolved within SLA" if met else "resolved late", "level": "done" if met else "breached", "due": None}
    clocks = []
    if incident.acknowledged_at is None and incident.response_due_at:
        clocks.append(("response", incident.response_due_at))
    if incident.resolution_due_at:
        clocks.append(("resolution", incident.resolution_due_at))
    if incident.update_due_at:
        clocks.append(("update", incident.update_due_at))
    if not clocks:
        return {"label": "no clock", "level": "ok", "due": None}
    breached = [(n, d) for n, d in clocks if d <= now]
    if breached:
        name, due = min(breached, key=lambda c: c[1])
        return {"label": f"{name} breached {_human(now - due)} ago", "level": "breached", "due": due}
    name, due = min(clocks, key=lambda c: c[1])
    left = due - now
    return {"label": f"{name} due in {_human(left)}", "level": "warning" if left < timedelta(minutes=30) else "ok", "due": due}


def _human(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours} h {minutes:02d} min"
    return f"{hours // 24} d {hours % 24} h"


def breached_incidents():
    """Open incidents with a breached response or resolution clock (admin filter)."""
    return Incident.objects.filter(status__in=OPEN).filter(
        Q(response_breached_at__isnull=False) | Q(resolution_breached_at__isnull=False)
    )
