"""Who gets which message for which release/change event. Builds outbox rows via `notify`."""

from django.conf import settings
from django.urls import reverse

from marketplace_ops.services.notifications import notify, subscribed_lists
from marketplace_ops.services.roles import role_members
from releases.links import approval_url

APPROVAL_REQUESTED = "releases.approval_requested"
CHANGES_REQUESTED = "releases.changes_requested"
APPROVED = "releases.approved"
MAINTENANCE_ANNOUNCEMENT = "releases.maintenance_announcement"
RELEASED = "releases.released"
ROLLED_BACK = "releases.rolled_back"
CAB_VOTE_REQUESTED = "releases.cab_vote_requested"
CHANGE_DECIDED = "releases.change_decided"
REVIEW_OPENED = "releases.review_opened"

EVENT_TYPES = [
    (APPROVAL_REQUESTED, "Release approval requested", False),
    (CHANGES_REQUESTED, "Release changes requested", False),
    (APPROVED, "Release approved", True),
    (MAINTENANCE_ANNOUNCEMENT, "Maintenance announcement", True),
    (RELEASED, "Release announcement", True),
    (ROLLED_BACK, "Release rolled back", True),
    (CAB_VOTE_REQUESTED, "CAB vote requested", False),
    (CHANGE_DECIDED, "Change request decided", False),
    (REVIEW_OPENED, "Post-implementation review opened", False),
]


def admin_url(obj) -> str:
    path = reverse(f"admin:releases_{obj._meta.model_name}_change", args=[obj.pk])
    return settings.SITE_URL.rstrip("/") + path


def _release_context(release) -> dict:
    from releases.rendering import render_markdown

    return {
        "release": release,
        "component": release.component,
        "changes": list(release.changes.all()),
        "release_notes_html": render_markdown(release.release_notes),
        "admin_url": admin_url(release),
    }


def _stakeholders(release, event: str) -> list:
    return [release.created_by, *subscribed_lists(event=event, components=[release.component])]


def send_approval_requests(*, release, acting_user, revoked_reason: str = "") -> None:
    """One email per member of every role still to approve, each with their own signed link."""
    approved_roles = {a.role for a in release.active_approvals() if a.decision == "approved"}
    for role in release.required_roles:
        if role in approved_roles:
            continue
        members = role_members(role).exclude(pk=release.created_by_id)

        def link_for(recipient, role=role):
            if recipient.user is None:
                return {}
            return {"approval_url": approval_url(release=release, role=role, user=recipient.user)}

        notify(
            event=APPROVAL_REQUESTED,
            recipients=members,
            context={**_release_context(release), "role": role, "revoked_reason": revoked_reason},
            acting_user=acting_user,
            resource=release,
            link=admin_url(release),
            per_recipient_context=link_for,
        )


def send_changes_requested(*, release, approval, acting_user) -> None:
    notify(
        event=CHANGES_REQUESTED,
        recipients=[release.created_by],
        context={**_release_context(release), "approval": approval},
        acting_user=acting_user,
        resource=release,
        link=admin_url(release),
    )


def send_approved(*, release, acting_user) -> None:
    approvers = [a.approver for a in release.active_approvals()]
    notify(
        event=APPROVED,
        recipients=[*_stakeholders(release, APPROVED), *approvers],
        context=_release_context(release),
        acting_user=acting_user,
        resource=release,
        link=admin_url(release),
    )


def send_maintenance_announcement(*, release, acting_user) -> None:
    notify(
        event=MAINTENANCE_ANNOUNCEMENT,
        recipients=_stakeholders(release, MAINTENANCE_ANNOUNCEMENT),
        context=_release_context(release),
        acting_user=acting_user,
        resource=release,
    )


def send_release_announcement(*, release, acting_user) -> None:
    notify(
        event=RELEASED,
        recipients=_stakeholders(release, RELEASED),
        context=_release_context(release),
        acting_user=acting_user,
        resource=release,
    )


def send_rolled_back(*, release, acting_user, incident: dict | None) -> None:
    approvers = [a.approver for a in release.active_approvals()]
    notify(
        event=ROLLED_BACK,
        recipients=[*_stakeholders(release, ROLLED_BACK), *approvers],
        context={**_release_context(release), "incident": incident},
        acting_user=acting_user,
        resource=release,
        link=admin_url(release),
    )


def send_cab_vote_requests(*, change, acting_user) -> None:
    from marketplace_ops.choices import Role

    notify(
        event=CAB_VOTE_REQUESTED,
        recipients=role_members(Role.CAB).exclude(pk=change.requested_by_id),
        context={"change": change, "admin_url": admin_url(change)},
        acting_user=acting_user,
        resource=change,
        link=admin_url(change),
    )


def send_change_decided(*, change, acting_user) -> None:
    notify(
        event=CHANGE_DECIDED,
        recipients=[change.requested_by],
        context={"change": change, "admin_url": admin_url(change)},
        acting_user=acting_user,
        resource=change,
        link=admin_url(change),
    )


def send_review_opened(*, change, release, acting_user) -> None:
    from marketplace_ops.choices import Role

    notify(
        event=REVIEW_OPENED,
        recipients=[release.created_by, *role_members(Role.CAB)],
        context={"change": change, "release": release, "admin_url": admin_url(change)},
        acting_user=acting_user,
        resource=change,
        link=admin_url(change),
    )
