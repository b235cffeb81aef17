"""Approving and rejecting releases — the one service the admin, the email link and the API use."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from marketplace_ops.history import save_with_history
from marketplace_ops.services.audit import audit_log
from marketplace_ops.services.roles import user_has_role
from releases import notifications, selectors
from releases.choices import (
    CHECK_STAGE,
    STAGE_CHECKS,
    Decision,
    PatchClassification,
    ReleaseStatus,
    TestingStage,
)
from releases.models import Release, ReleaseApproval
from releases.services.announcements import schedule_announcement
from releases.services.releases import lock


def missing_signoffs(release: Release) -> list[str]:
    """Testing checks still to sign before approval: all three stages for normal/high patches,
    development testing for critical ones; nothing for major/minor releases."""
    if not release.is_patch_like:
        return []
    stages = [TestingStage.DEVELOPMENT]
    if release.patch_classification != PatchClassification.CRITICAL:
        stages = list(STAGE_CHECKS)
    signed = set(release.signoffs.values_list("test_check", flat=True))
    return [check for stage in stages for check in STAGE_CHECKS[stage] if check not in signed]


def describe_checks(checks) -> str:
    by_stage: dict[str, list[str]] = {}
    for check in checks:
        by_stage.setdefault(TestingStage(CHECK_STAGE[check]).label, []).append(check.label.lower() if hasattr(
            check, "label") else str(check))
    return "; ".join(f"{stage}: {', '.join(items)}" for stage, items in by_stage.items())


def release_approve(*, release: Release, role: str, acting_user, approved: bool, comment: str = "",
                    acknowledge_conflict: bool = False, approval_round: int | None = None) -> ReleaseApproval:
    """Record one role's decision. The release row is locked, so when the last required approval
    arrives it moves to approved exactly once, however many approvals race."""
    with transaction.atomic():
        lock(release)
        _check_may_decide(release, role, acting_user, approved, comment, acknowledge_conflict, approval_round)
        now = timezone.now()
        previous = release.approvals.filter(role=role, revoked_at__isnull=True).first()
        if previous is not None:  # a rejection superseded by a new decision
            previous.revoked_at = now
            previous.revoked_reason = "superseded by a new decision"
            save_with_history(previous, acting_user=acting_user, reason="superseded by a new decision")
        approval = ReleaseApproval(
            release=release, role=role, approver=acting_user, comment=comment.strip(), round=release.approval_round,
            decision=Decision.APPROVED if approved else Decision.REJECTED, decided_at=now,
            conflict_acknowledged=acknowledge_conflict,
        )
        try:
            with transaction.atomic():
                save_with_history(approval, acting_user=acting_user, reason=f"{approval.decision} for {role}")
        except IntegrityError:
            raise ValidationError("This decision was already recorded (submitted twice?).")
        audit_log(event_type="release.approval", action=approval.decision, acting_user=acting_user,
                  resource=release, details={"role": role, "round": release.approval_round,
                                             "conflict_acknowledged": acknowledge_conflict})
        if not approved:
            release.changes_requested = True
            save_with_history(release, acting_user=acting_user, reason=f"changes requested by {role}")
            notifications.send_changes_requested(release=release, approval=approval, acting_user=acting_user)
        elif release.changes_requested and not release.approvals.filter(
            revoked_at__isnull=True, decision=Decision.REJECTED
        ).exists():
            release.changes_requested = False  # the last rejection was superseded
            save_with_history(release, acting_user=acting_user, reason=f"{role} withdrew its rejection")
        if approved and not release.missing_roles():
            release.approve(at=now)
            save_with_history(release, acting_user=acting_user, reason="all required approvals given")
            audit_log(event_type="release.approved", action="approve", acting_user=acting_user, resource=release)
            notifications.send_approved(release=release, acting_user=acting_user)
            schedule_announcement(release=release, acting_user=acting_user, now=now)
    return approval


def _check_may_decide(release, role, user, approved, comment, acknowledge_conflict, approval_round):
    if approval_round is not None and approval_round != release.approval_round:
        raise ValidationError(
            "This approval link is from an earlier approval round: the release was edited since and its "
            "approvals were revoked. Use the link in the newer email."
        )
    if release.status != ReleaseStatus.PLANNED:
        raise ValidationError(f"This release is already {release.get_status_display().lower()}; "
                              "approvals are closed.")
    if role not in release.required_roles:
        raise ValidationError({"role": f"The {role} role does not approve this release "
                                       f"(required: {', '.join(release.required_roles)})."})
    if user.pk == release.created_by_id:
        raise ValidationError("The release's creator cannot approve or reject it.")
    if not user_has_role(user, role):
        raise ValidationError({"role": f"You are not a member of the {role} group, so you cannot decide for it."})
    current = release.approvals.filter(role=role, revoked_at__isnull=True).select_related("approver").first()
    if current is not None and current.decision == Decision.APPROVED:
        raise ValidationError(f"The {role} role already approved this release ({current.approver}, "
                              f"{current.decided_at:%Y-%m-%d %H:%M} UTC).")
    if not approved:
        if not comment.strip():
            raise ValidationError({"comment": "Say what needs to change when you reject."})
        return
    other = release.approvals.filter(approver=user, revoked_at__isnull=True, decision=Decision.APPROVED).first()
    if other is not None:
        raise ValidationError(f"You already approved this release for {other.role}; one person cannot approve "
                              "for two roles.")
    if not release.rollback_plan.strip():
        raise ValidationError({"rollback_plan": "A rollback plan is required before approval."})
    if not release.verification_step_list():
        raise ValidationError({"verification_steps": "Verification steps are required before approval."})
    missing = missing_signoffs(release)
    if missing:
        raise ValidationError(f"Testing sign-offs missing before approval — {describe_checks(missing)}.")
    if not acknowledge_conflict:
        conflicts = selectors.release_conflicts(release)
        if conflicts:
            names = ", ".join(str(c) for c in conflicts[:5])
            raise ValidationError({"acknowledge_conflict": f"The slot conflicts with {names}; acknowledge the "
                                                           "conflict to approve anyway."})
