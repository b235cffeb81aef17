"""Dashboard widget contexts (registered in apps.py; the dashboard page renders them)."""

from django.db.models import Exists, OuterRef

from releases.choices import ChangeRequestType, ChangeStatus, ReleaseStatus
from releases.models import CabVote, ChangeRequest, Release, ReleaseApproval

LIMIT = 10


def releases_awaiting(user):
    """Planned releases needing a decision from a role the user holds (not their own)."""
    roles = list(user.groups.values_list("name", flat=True))
    candidates = (
        Release.objects.filter(status=ReleaseStatus.PLANNED)
        .exclude(created_by=user)
        .annotate(mine=Exists(ReleaseApproval.objects.filter(release=OuterRef("pk"), approver=user,
                                                             revoked_at__isnull=True, decision="approved")))
        .filter(mine=False)
        .select_related("component")
        .prefetch_related("approvals")
        .order_by("scheduled_start", "id")[:100]
    )
    out = []
    for release in candidates:
        roles_left = [r for r in release.missing_roles() if r in roles]
        if roles_left:
            out.append({"release": release, "roles": roles_left})
        if len(out) >= LIMIT:
            break
    return out


def awaiting_my_approval(request) -> dict:
    return {"items": releases_awaiting(request.user)}


def cab_votes_awaiting_me(request) -> dict:
    voted = CabVote.objects.filter(change_request=OuterRef("pk"), voter=request.user)
    items = (
        ChangeRequest.objects.filter(status__in=(ChangeStatus.SUBMITTED, ChangeStatus.IN_EVALUATION))
        .exclude(change_type=ChangeRequestType.STANDARD)
        .exclude(requested_by=request.user)
        .annotate(voted=Exists(voted))
        .filter(voted=False)
        .order_by("planned_start", "id")[:LIMIT]
    )
    return {"items": list(items)}
