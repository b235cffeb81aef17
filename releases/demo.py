"""Demo data: releases in every state, one awaiting the demo user's product approval (with the
emailed link), a change request before the CAB, a freeze period. Idempotent."""

from datetime import UTC, datetime, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from marketplace_ops.actors import acting_as, system_user
from marketplace_ops.choices import Role
from marketplace_ops.history import save_with_history
from marketplace_ops.models import Component, MaintenanceWindow
from marketplace_ops.services.calendar import next_window
from releases.choices import ChangeRequestType, ReleaseStatus
from releases.models import (
    ChangeRequest,
    ChangeTemplate,
    FreezePeriod,
    Release,
    ReleaseApproval,
    VerificationItem,
)

STEPS = "Smoke test the public endpoints\nCheck error rate < 0.5 % for 15 minutes\nConfirm dashboards are green"
ROLLBACK = "Redeploy the previous image tag; restore the pinned configuration revision."
APPROVERS = [(Role.PRODUCT, "pat.product"), (Role.ENGINEERING, "erin.engineering"),
             (Role.SECURITY, "sam.security"), (Role.OPERATIONS, "omar.operations")]


def _user(username):
    return get_user_model().objects.get(username=username)


def _past_sunday(weeks_ago: int) -> datetime:
    today = timezone.now().astimezone(UTC).date()
    sunday = today - timedelta(days=(today.weekday() + 1) % 7 + 7 * weeks_ago)
    return datetime(sunday.year, sunday.month, sunday.day, 1, 0, tzinfo=UTC)


def _historic(slug, version, release_type, status, title, start, creator):
    """A release that went through its lifecycle before the demo began (written directly)."""
    component = Component.objects.get(slug=slug)
    release = Release.objects.filter(component=component, version=version).first()
    if release:
        return release
    primary = MaintenanceWindow.objects.filter(kind="primary").first()
    stamps = {}
    if status != ReleaseStatus.PLANNED:
        stamps["approved_at"] = start - timedelta(days=10)
        stamps["announcement_sent_at"] = start - timedelta(days=9)
    if status in (ReleaseStatus.DEPLOYED, ReleaseStatus.COMPLETED, ReleaseStatus.ROLLED_BACK):
        stamps["deployed_at"] = start + timedelta(minutes=5)
    if status == ReleaseStatus.COMPLETED:
        stamps["completed_at"] = start + timedelta(hours=1)
    if status == ReleaseStatus.ROLLED_BACK:
        stamps.update(rolled_back_at=start + timedelta(minutes=40), rolled_back_by=creator,
                      rollback_reason="Error rate rose to 4 % after the deployment.")
    release = Release(
        component=component, version=version, release_type=release_type, status=status, title=title,
        description=f"{title}.", created_by=creator, scheduled_start=start, scheduled_end=start + timedelta(hours=4),
        maintenance_window=primary, rollback_plan=ROLLBACK, verification_steps=STEPS,
        deployment_plan="Blue/green deployment behind the gateway.",
        required_roles=[r for r, _ in APPROVERS], patch_classification="normal" if release_type == "patch" else "",
        release_notes=f"## {component} {version}\n\n- {title}\n", **stamps,
    )
    from marketplace_ops.models import MaintenancePolicy
    from releases.gates import default_policy_slug

    release.maintenance_policy = MaintenancePolicy.objects.filter(slug=default_policy_slug(release)).first()
    save_with_history(release, acting_user=system_user(), reason="demo data")
    if status != ReleaseStatus.PLANNED:
        for role, username in APPROVERS:
            ReleaseApproval.objects.create(release=release, role=role, approver=_user(username), decision="approved",
                                           round=1, decided_at=start - timedelta(days=10, hours=1), comment="Looks good.")
    if status in (ReleaseStatus.DEPLOYED, ReleaseStatus.COMPLETED, ReleaseStatus.ROLLED_BACK):
        for position, text in enumerate(release.verification_step_list(), start=1):
            done = status == ReleaseStatus.COMPLETED
            VerificationItem.objects.create(release=release, position=position, description=text,
                                            checked_by=creator if done else None,
                                            checked_at=start + timedelta(minutes=30) if done else None)
    return release


def _second_engineer():
    """Erin (engineering) plans the demo release and cannot approve it, so a second engineer does."""
    from marketplace_ops.demo import DEMO_PASSWORD

    user, created = get_user_model().objects.get_or_create(
        username="eddie.engineering",
        defaults={"first_name": "Eddie", "email": "eddie.engineering@marketplace.example", "is_staff": True},
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save()
    user.groups.add(Group.objects.get(name=Role.ENGINEERING))
    return user


def seed(*, stdout=None):
    from releases import services

    admin = get_user_model().objects.filter(username="admin").first()
    erin = _user("erin.engineering")
    if admin is not None:
        # The demo user holds exactly one approver role: product.
        admin.groups.add(Group.objects.get(name=Role.PRODUCT))
    creator = admin or _user("omar.operations")
    with acting_as(system_user(), reason="demo data", via="command"):
        _historic("api-gateway", "2.3.0", "minor", ReleaseStatus.COMPLETED, "Rate-limit headers", _past_sunday(3), creator)
        _historic("api-catalog", "3.0.0", "major", ReleaseStatus.COMPLETED, "New search index", _past_sunday(4), creator)
        _historic("api-catalog", "3.1.0", "minor", ReleaseStatus.ROLLED_BACK, "Faceted search", _past_sunday(1), creator)
        _historic("api-portal", "1.4.0", "minor", ReleaseStatus.COMPLETED, "Team invitations", _past_sunday(2), creator)
        _historic("api-portal", "1.4.1", "patch", ReleaseStatus.DEPLOYED, "Fix invitation emails", _past_sunday(0), creator)
        _historic("analytics", "1.2.0", "minor", ReleaseStatus.COMPLETED, "Daily usage export", _past_sunday(5), creator)
        nxt = next_window(timezone.now() + timedelta(days=15), kind="primary")
        _historic("analytics", "1.3.0", "minor", ReleaseStatus.APPROVED, "Billing breakdown per API",
                  nxt.start if nxt else _past_sunday(0) + timedelta(days=21), creator)

        gateway = Component.objects.get(slug="api-gateway")
        if not Release.objects.filter(component=gateway, version="2.4.0").exists():
            start_after = timezone.now() + timedelta(days=8)
            window = next_window(start_after, kind="primary")
            release = services.release_create(
                acting_user=erin, component=gateway, release_type="minor", version="2.4.0",
                title="OAuth 2.1 token exchange", description="Adds token exchange and per-key quotas.",
                scheduled_start=window.start if window else None,
                maintenance_window=window.window if window else None,
                deployment_plan="Canary 10 % for 30 minutes, then full rollout.", rollback_plan=ROLLBACK,
                verification_steps=STEPS, risk_level="medium",
                changes=[{"change_type": "feature", "description": "OAuth 2.1 token exchange", "ticket_id": "GW-412"},
                         {"change_type": "enhancement", "description": "Per-key quota headers", "ticket_id": "GW-418"},
                         {"change_type": "bugfix", "description": "Retry-After on 429 responses", "ticket_id": "GW-420"}],
            )
            services.release_generate_notes(release=release, acting_user=erin)
            approvals = [(Role.ENGINEERING, _second_engineer()), *((r, _user(u)) for r, u in APPROVERS[2:])]
            for role, user in approvals:
                services.release_approve(release=release, role=role, acting_user=user, approved=True,
                                         comment="Reviewed the plan.")

        template, _ = ChangeTemplate.objects.get_or_create(
            name="Rotate TLS certificates",
            defaults={"implementation_plan": "Upload the new certificate, reload the gateway, verify the chain.",
                      "mitigation": "Keep the old certificate until the new one is verified."},
        )
        if not ChangeRequest.objects.filter(title="Move analytics to the new database cluster").exists():
            start = (next_window(timezone.now() + timedelta(days=10), kind="secondary") or nxt).start
            change = services.change_create(
                acting_user=_user("omar.operations"), title="Move analytics to the new database cluster",
                description="Migrate the analytics schema to the managed PostgreSQL cluster.",
                justification="The old cluster reaches end of support next quarter.", change_type=ChangeRequestType.NORMAL,
                components=[Component.objects.get(slug="analytics"), Component.objects.get(slug="user-database")],
                impact_assessment="Analytics dashboards read-only for up to 30 minutes.", likelihood=2, impact=4,
                resource_requirements="2 engineers, 1 DBA for the window.", schedule_impact="None for consumers.",
                mitigation="Replication stays on until verification; switch back by DNS.",
                implementation_plan="1. Freeze writes 2. Final sync 3. Switch DNS 4. Verify", planned_start=start,
                planned_end=start + timedelta(hours=2),
            )
            services.change_submit(change=change, acting_user=change.requested_by)
            services.cab_vote(change=change, acting_user=_user("cara.cab"), approve=True, comment="Plan is sound.")
        if not ChangeRequest.objects.filter(template=template).exists():
            services.change_create(acting_user=_user("omar.operations"), title="Rotate the gateway TLS certificate",
                                   description="Yearly certificate rotation.", change_type=ChangeRequestType.STANDARD,
                                   template=template, components=[gateway])
        if not FreezePeriod.objects.filter(name="Year-end freeze").exists():
            year = timezone.now().year
            freeze = FreezePeriod(name="Year-end freeze", start=datetime(year, 12, 20, tzinfo=UTC),
                                  end=datetime(year + 1, 1, 3, tzinfo=UTC),
                                  reason="Peak traffic and reduced staffing over the holidays.", created_by=creator)
            save_with_history(freeze, acting_user=system_user(), reason="demo data")
    if stdout:
        stdout.write(f"releases: {Release.objects.count()} releases, {ChangeRequest.objects.count()} change requests")
