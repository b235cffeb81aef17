"""Non-trivial reads: conflicts between slots, version sets, calendar items."""

from django.db.models import Exists, OuterRef, Q

from releases.choices import (
    ACTIVE_CHANGE_STATES,
    DEPLOYED_STATES,
    OPEN_RELEASE_STATES,
    RELEASED_STATES,
)
from releases.models import ChangeRequest, Release


def component_versions(component_id: int, *, exclude_pk=None) -> dict[str, list[str]]:
    rows = Release.objects.filter(component_id=component_id)
    if exclude_pk:
        rows = rows.exclude(pk=exclude_pk)
    rows = list(rows.values_list("version", "status"))
    return {
        "deployed": [v for v, s in rows if s in DEPLOYED_STATES],
        "released": [v for v, s in rows if s in RELEASED_STATES],
        "existing": [v for v, _ in rows],
    }


def _overlap(start_field: str, end_field: str, start, end) -> Q:
    return Q(**{f"{start_field}__lt": end, f"{end_field}__gt": start})


def release_conflicts(release) -> list:
    """Open releases and active changes on the same component whose slots overlap this one."""
    start, end = release.slot()
    if not (release.pk and start and end):
        return []
    others = list(
        Release.objects.filter(component_id=release.component_id, status__in=OPEN_RELEASE_STATES)
        .filter(_overlap("scheduled_start", "scheduled_end", start, end))
        .exclude(pk=release.pk)
        .select_related("component")
    )
    changes = list(
        ChangeRequest.objects.filter(components=release.component_id, status__in=ACTIVE_CHANGE_STATES)
        .filter(_overlap("planned_start", "planned_end", start, end))
        .distinct()
    )
    return others + changes


def change_conflicts(change) -> list:
    if not (change.pk and change.planned_start and change.planned_end):
        return []
    component_ids = list(change.components.values_list("pk", flat=True))
    releases = list(
        Release.objects.filter(component_id__in=component_ids, status__in=OPEN_RELEASE_STATES)
        .filter(_overlap("scheduled_start", "scheduled_end", change.planned_start, change.planned_end))
        .select_related("component")
    )
    changes = list(
        ChangeRequest.objects.filter(components__in=component_ids, status__in=ACTIVE_CHANGE_STATES)
        .filter(_overlap("planned_start", "planned_end", change.planned_start, change.planned_end))
        .exclude(pk=change.pk)
        .distinct()
    )
    return releases + changes


def annotate_release_conflicts(queryset):
    """Adds `has_conflict` in one query (admin list, calendar) instead of a query per row."""
    other_release = Release.objects.filter(
        component_id=OuterRef("component_id"),
        status__in=OPEN_RELEASE_STATES,
        scheduled_start__lt=OuterRef("scheduled_end"),
        scheduled_end__gt=OuterRef("scheduled_start"),
    ).exclude(pk=OuterRef("pk"))
    change = ChangeRequest.objects.filter(
        components=OuterRef("component_id"),
        status__in=ACTIVE_CHANGE_STATES,
        planned_start__lt=OuterRef("scheduled_end"),
        planned_end__gt=OuterRef("scheduled_start"),
    )
    return queryset.annotate(has_conflict=Exists(other_release) | Exists(change))


def annotate_change_conflicts(queryset):
    release = Release.objects.filter(
        component__change_requests=OuterRef("pk"),
        status__in=OPEN_RELEASE_STATES,
        scheduled_start__lt=OuterRef("planned_end"),
        scheduled_end__gt=OuterRef("planned_start"),
    )
    other_change = ChangeRequest.objects.filter(
        components__change_requests=OuterRef("pk"),
        status__in=ACTIVE_CHANGE_STATES,
        planned_start__lt=OuterRef("planned_end"),
        planned_end__gt=OuterRef("planned_start"),
    ).exclude(pk=OuterRef("pk"))
    return queryset.annotate(has_conflict=Exists(release) | Exists(other_change))


def calendar_items(start, end):
    """Scheduled releases and planned changes overlapping [start, end), conflicts annotated."""
    releases = annotate_release_conflicts(
        Release.objects.filter(status__in=(*OPEN_RELEASE_STATES, "completed"))
        .filter(_overlap("scheduled_start", "scheduled_end", start, end))
        .select_related("component")
    ).order_by("scheduled_start")
    changes = annotate_change_conflicts(
        ChangeRequest.objects.exclude(status="rejected")
        .filter(_overlap("planned_start", "planned_end", start, end))
    ).prefetch_related("components").order_by("planned_start")
    return list(releases), list(changes)


def annotate_release_freeze(queryset, at=None):
    """Adds `in_freeze`: a freeze period covering `at` applies to the release's component."""
    from django.utils import timezone

    from releases.models import FreezePeriod

    at = at or timezone.now()
    freeze = FreezePeriod.objects.filter(start__lte=at, end__gt=at).filter(
        Q(components__isnull=True) | Q(components=OuterRef("component_id"))
    )
    return queryset.annotate(in_freeze=Exists(freeze))
