"""Alertmanager ingestion: one open incident per groupKey, alerts deduplicated by fingerprint,
suppression while a component is under maintenance or deploying, resolution when all resolve."""

import logging
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from incidents import alertmanager as am
from incidents.choices import URGENT_SEVERITIES, AlertStatus, IncidentSource, TimelineKind
from incidents.models import Alert, AlertDelivery, Incident
from incidents.models.incident import OPEN
from incidents.services.common import add_timeline, lock, next_sweep_at
from incidents.services.escalation import emergency_page, notify_response_group, start_escalation
from incidents.services.lifecycle import incident_change_severity, open_incident, system_resolve
from marketplace_ops.choices import ComponentStatus
from marketplace_ops.models import Component

logger = logging.getLogger(__name__)
STALE_DELIVERY = timedelta(minutes=2)
MAX_DELIVERY_ATTEMPTS = 10


def component_coverage(component: Component, *, at) -> str:
    """Why alerts for this component page nobody right now ('' = they page)."""
    if component.status == ComponentStatus.MAINTENANCE:
        return "component under maintenance"
    try:
        from releases.services import component_is_deploying
    except ImportError:
        return ""
    try:
        if component_is_deploying(component_id=component.pk, at=at):
            return "a release is deploying"
    except Exception:  # the releases app failing must not lose the alert
        logger.exception("component_is_deploying failed for component %s", component.pk)
    return ""


def alert_delivery_accept(*, payload: dict) -> AlertDelivery:
    """Store a validated payload and enqueue its processing after commit."""
    from incidents.tasks import process_alert_delivery

    with transaction.atomic():
        delivery = AlertDelivery.objects.create(group_key=str(payload["groupKey"])[:1000], payload=payload,
                                                alert_count=len(payload["alerts"]))
        transaction.on_commit(lambda: _enqueue(process_alert_delivery, delivery.pk))
    return delivery


def _enqueue(task, pk):
    try:
        task.delay(pk)
    except Exception as exc:  # broker down: the minute sweep picks the delivery up
        logger.warning("Could not enqueue alert delivery %s (%s); the sweep will retry.", pk, exc)


def alert_delivery_process(*, delivery_id: int, acting_user=None) -> Incident | None:
    """Process one stored delivery once."""
    with transaction.atomic():
        delivery = AlertDelivery.objects.select_for_update(skip_locked=True).filter(pk=delivery_id, processed_at__isnull=True).first()
        if delivery is None:
            return None
        try:
            with transaction.atomic():
                incident = alertmanager_process(payload=delivery.payload, acting_user=acting_user)
        except Exception as exc:
            AlertDelivery.objects.filter(pk=delivery.pk).update(attempts=delivery.attempts + 1, last_error=f"{exc.__class__.__name__}: {exc}"[:2000])
            raise
        AlertDelivery.objects.filter(pk=delivery.pk).update(processed_at=timezone.now(), incident_id=incident.pk if incident else None,
                                                            attempts=delivery.attempts + 1, last_error="")
    return incident


def pending_deliveries(*, limit=500) -> list[int]:
    cutoff = timezone.now() - STALE_DELIVERY
    return list(AlertDelivery.objects.filter(processed_at__isnull=True, received_at__lte=cutoff,
                                             attempts__lt=MAX_DELIVERY_ATTEMPTS).order_by("received_at").values_list("pk", flat=True)[:limit])


def alertmanager_process(*, payload: dict, acting_user=None) -> Incident | None:
    """Apply one (validated) Alertmanager payload. Returns the incident, or None for a resolved
    group no open incident knows."""
    now = timezone.now()
    common = payload.get("commonLabels") or {}
    by_fp: dict[str, dict] = {}
    for alert in payload["alerts"][: am.MAX_ALERTS]:
        by_fp[am.fingerprint(alert)] = alert
    slugs = {am.component_label({**common, **(a.get("labels") or {})}) for a in by_fp.values()} - {""}
    components = {c.slug: c for c in Component.objects.filter(slug__in=slugs)}
    coverage = {slug: component_coverage(c, at=now) for slug, c in components.items()}
    firing = [a for a in by_fp.values() if a.get("status") == AlertStatus.FIRING]

    key = am.incident_key(payload["groupKey"])
    incident = Incident.objects.filter(external_key=key, status__in=OPEN).first()
    if incident is None:
        if not firing:
            logger.info("Resolved alerts for group %s with no open incident; nothing to do.", payload["groupKey"])
            return None
        severity = am.worst(am.map_severity((a.get("labels") or {}).get("severity") or common.get("severity")) for a in firing)
        first = firing[0]
        annotations = {**(payload.get("commonAnnotations") or {}), **(first.get("annotations") or {})}
        labels = {**common, **(first.get("labels") or {})}
        title = annotations.get("summary") or labels.get("alertname") or f"Alert group {payload['groupKey']}"
        firing_slugs = {am.component_label({**common, **(a.get("labels") or {})}) for a in firing}
        suppressed = bool(firing_slugs) and all(s in components and coverage[s] for s in firing_slugs)
        description = annotations.get("description") or ""
        if payload.get("externalURL"):
            description = f"{description}\n\nAlertmanager: {payload['externalURL']}".strip()
        incident, _ = open_incident(
            title=str(title)[:200], description=description, severity=severity,
            component_ids=[components[s].pk for s in firing_slugs if s in components],
            source=IncidentSource.ALERT, acting_user=acting_user, external_key=key, paging_suppressed=suppressed,
        )

    return _apply_alerts(incident, by_fp=by_fp, common=common, components=components, coverage=coverage,
                         payload=payload, acting_user=acting_user, now=now)


@transaction.atomic
def _apply_alerts(incident, *, by_fp, common, components, coverage, payload, acting_user, now):
    """Record the alerts under the locked incident (concurrent deliveries of one group queue here)."""
    incident = lock(incident)
    existing = {a.fingerprint: a for a in Alert.objects.filter(incident=incident, fingerprint__in=list(by_fp))}
    new_rows, changed = [], []
    counts = {"new": 0, "repeat": 0, "resolved": 0, "suppressed": 0, "unknown": set()}
    for fp, data in by_fp.items():
        labels = {**common, **(data.get("labels") or {})}
        slug = am.component_label(labels)
        component = components.get(slug)
        status = data.get("status")
        row = existing.get(fp)
        if row is None:
            reason = coverage.get(slug, "") if component else ""
            row = Alert(
                incident=incident, fingerprint=fp, status=status, alertname=str(labels.get("alertname", ""))[:200],
                severity_label=str(labels.get("severity", ""))[:40], component_label=slug,
                component_id=component.pk if component else None, unknown_component=bool(slug) and component is None,
                labels=labels, annotations=data.get("annotations") or {}, starts_at=am.parse_time(data.get("startsAt")),
                ends_at=am.parse_time(data.get("endsAt")), generator_url=str(data.get("generatorURL") or "")[:1000],
                suppressed=bool(reason), suppression_reason=reason, first_received_at=now, last_received_at=now,
            )
            new_rows.append(row)
            counts["new"] += 1
            counts["suppressed"] += bool(reason)
        else:
            row.repeat_count += 1
            row.last_received_at = now
            if row.status != status and status == AlertStatus.RESOLVED:
                counts["resolved"] += 1
            row.status = status
            row.ends_at = am.parse_time(data.get("endsAt"))
            row.annotations = data.get("annotations") or row.annotations
            changed.append(row)
            counts["repeat"] += 1
        if row.unknown_component:
            counts["unknown"].add(slug)
    Alert.objects.bulk_create(new_rows, batch_size=500)
    Alert.objects.bulk_update(changed, ["repeat_count", "last_received_at", "status", "ends_at", "annotations"], batch_size=500)

    known_ids = {c.pk for c in components.values()}
    if known_ids:
        incident.components.add(*known_ids)
    parts = [f"{counts['new']} new", f"{counts['repeat']} repeated"]
    if counts["resolved"]:
        parts.append(f"{counts['resolved']} resolved")
    if counts["suppressed"]:
        parts.append(f"{counts['suppressed']} suppressed (maintenance or deployment)")
    add_timeline(incident, kind=TimelineKind.ALERT, acting_user=acting_user, at=now,
                 message=f"Alertmanager delivery ({payload.get('status')}): {', '.join(parts)} alerts.")
    if counts["unknown"]:
        add_timeline(incident, kind=TimelineKind.ALERT, acting_user=acting_user, at=now,
                     message=f"Alerts name unknown components: {', '.join(sorted(counts['unknown']))} (recorded and flagged).")

    paging_alert = any(r.status == AlertStatus.FIRING and not r.suppressed for r in new_rows)
    if incident.paging_suppressed and paging_alert:
        incident.paging_suppressed = False
        start_escalation(incident, at=now)
        add_timeline(incident, kind=TimelineKind.ESCALATION, at=now, message="An alert outside maintenance arrived: paging resumes.")
        if incident.severity in URGENT_SEVERITIES:
            emergency_page(incident, at=now, acting_user=acting_user)
        else:
            notify_response_group(incident, acting_user=acting_user)
        incident.sweep_due_at = next_sweep_at(incident)
        incident.save()

    new_firing = [r for r in new_rows if r.status == AlertStatus.FIRING]
    if new_firing:
        wanted = am.worst(am.map_severity(r.severity_label) for r in new_firing)
        if am.SEVERITY_ORDER.index(wanted) > am.SEVERITY_ORDER.index(incident.severity):
            incident = incident_change_severity(incident=incident, severity=wanted, acting_user=acting_user,
                                                reason="A more severe alert joined the group.")

    if not Alert.objects.filter(incident=incident, status=AlertStatus.FIRING).exists():
        incident = system_resolve(incident, resolution=incident.resolution or "All alerts resolved.",
                                  acting_user=acting_user, message="All alerts resolved (Alertmanager)")
    return incident


__all__ = ["alert_delivery_accept", "alert_delivery_process", "alertmanager_process"]
