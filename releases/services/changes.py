"""Change requests: submission, CAB/ECAB voting with quorum, implementation and review."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django_fsm import TransitionNotAllowed, can_proceed

from marketplace_ops.choices import Role
from marketplace_ops.history import save_with_history
from marketplace_ops.services.audit import audit_log
from marketplace_ops.services.roles import user_has_role
from releases import notifications, selectors
from releases.choices import ChangeRequestType, ChangeStatus, Decision
from releases.models import CabVote, ChangeRequest

# transition name -> needs the "at" timestamp
SIMPLE_TRANSITIONS = {
    "start_evaluation": False,
    "schedule": False,
    "start_implementation": False,
    "finish_implementation": True,
    "start_review": False,
    "close_without_review": True,
}
REVIEW_FIELDS = ("review_testing", "review_performance", "review_user_feedback", "review_lessons_learned")


def _lock(change: ChangeRequest) -> ChangeRequest:
    ChangeRequest.objects.select_for_update().filter(pk=change.pk).values_list("pk", flat=True).first()
    change.refresh_from_db()
    return change


def change_create(*, acting_user, title: str, description: str, components, change_type=ChangeRequestType.NORMAL,
                  template=None, releases=(), **fields) -> ChangeRequest:
    change = ChangeRequest(title=title, description=description, change_type=change_type, template=template,
                           requested_by=acting_user, **fields)
    if template is not None:
        change.implementation_plan = change.implementation_plan or template.implementation_plan
        change.mitigation = change.mitigation or template.mitigation
    components = list(components)
    errors = {}
    try:
        change.full_clean(exclude=["components", "releases", "status"])
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if not components:
        errors["components"] = ["Name at least one impacted component."]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        save_with_history(change, acting_user=acting_user, reason="change request drafted")
        change.components.set(components)
        change.releases.set(list(releases))
        audit_log(event_type="change.created", action="create", acting_user=acting_user, resource=change)
    return change


def change_submit(*, change: ChangeRequest, acting_user) -> ChangeRequest:
    """Submit for approval: standard changes (from a template) are approved at once; the others
    go to the CAB."""
    with transaction.atomic():
        _lock(change)
        if change.status != ChangeStatus.DRAFT:
            raise TransitionNotAllowed(f"Cannot submit: the change request is {change.get_status_display().lower()}.")
        change.full_clean(exclude=["components", "releases", "status"])
        if not change.components.exists():
            raise ValidationError({"components": "Name at least one impacted component."})
        now = timezone.now()
        change.submit(at=now)
        save_with_history(change, acting_user=acting_user, reason="submitted")
        if change.change_type == ChangeRequestType.STANDARD:
            change.approve(at=now)
            save_with_history(change, acting_user=acting_user, reason="standard change: pre-approved template")
            notifications.send_change_decided(change=change, acting_user=acting_user)
        else:
            notifications.send_cab_vote_requests(change=change, acting_user=acting_user)
        audit_log(event_type="change.submitted", action="submit", acting_user=acting_user, resource=change)
    return change


def quorum_for(change: ChangeRequest) -> int:
    if change.change_type == ChangeRequestType.EMERGENCY:
        return settings.RELEASES_ECAB_QUORUM
    return settings.RELEASES_CAB_QUORUM


def cab_vote(*, change: ChangeRequest, acting_user, approve: bool, comment: str = "",
             acknowledge_conflict: bool = False) -> CabVote:
    """A CAB member's vote; the quorum of approvals with no rejection approves, a rejection rejects."""
    with transaction.atomic():
        _lock(change)
        if change.change_type == ChangeRequestType.STANDARD:
            raise ValidationError("Standard changes are pre-approved and skip the CAB.")
        if change.status not in (ChangeStatus.SUBMITTED, ChangeStatus.IN_EVALUATION):
            raise ValidationError(f"Voting is closed: the change request is {change.get_status_display().lower()}.")
        if not user_has_role(acting_user, Role.CAB):
            raise ValidationError("Only members of the Change Advisory Board vote on change requests.")
        if acting_user.pk == change.requested_by_id:
            raise ValidationError("The requester cannot vote on their own change request.")
        if not approve and not comment.strip():
            raise ValidationError({"comment": "Say why you reject the change."})
        if approve and not acknowledge_conflict:
            conflicts = selectors.change_conflicts(change)
            if conflicts:
                names = ", ".join(str(c) for c in conflicts[:5])
                raise ValidationError({"acknowledge_conflict": f"The slot conflicts with {names}; acknowledge the "
                                                               "conflict to approve anyway."})
        vote = CabVote(change_request=change, voter=acting_user, comment=comment.strip(), voted_at=timezone.now(),
                       decision=Decision.APPROVED if approve else Decision.REJECTED,
                       conflict_acknowledged=acknowledge_conflict)
        try:
            with transaction.atomic():
                save_with_history(vote, acting_user=acting_user, reason=f"CAB vote: {vote.decision}")
        except IntegrityError:
            raise ValidationError("You already voted on this change request.")
        audit_log(event_type="change.cab_vote", action=vote.decision, acting_user=acting_user, resource=change)
        decisions = list(change.votes.values_list("decision", flat=True))
        now = timezone.now()
        if Decision.REJECTED in decisions:
            change.reject(at=now)
        elif decisions.count(Decision.APPROVED) >= quorum_for(change):
            change.approve(at=now)
        else:
            return vote
        save_with_history(change, acting_user=acting_user, reason=f"CAB decision: {change.status}")
        notifications.send_change_decided(change=change, acting_user=acting_user)
    return vote


def change_transition(*, change: ChangeRequest, transition: str, acting_user) -> ChangeRequest:
    """The plain lifecycle steps (evaluate, schedule, implement, review, close without review)."""
    if transition not in SIMPLE_TRANSITIONS:
        raise ValidationError(f"Unknown change request step '{transition}'.")
    with transaction.atomic():
        _lock(change)
        method = getattr(change, transition)
        if transition == "schedule" and not (change.planned_start and change.planned_end):
            raise ValidationError({"planned_start": "Set the planned start and end before scheduling."})
        if not can_proceed(method):
            if transition == "close_without_review" and change.change_type == ChangeRequestType.EMERGENCY:
                raise TransitionNotAllowed("Emergency changes always get a post-implementation review.")
            raise TransitionNotAllowed(f"Cannot {transition.replace('_', ' ')}: the change request is "
                                       f"{change.get_status_display().lower()}.")
        now = timezone.now()
        method(at=now) if SIMPLE_TRANSITIONS[transition] else method()
        save_with_history(change, acting_user=acting_user, reason=transition.replace("_", " "))
        if transition == "finish_implementation" and change.change_type == ChangeRequestType.EMERGENCY:
            change.start_review()
            save_with_history(change, acting_user=acting_user, reason="emergency change: review opened")
        audit_log(event_type=f"change.{transition}", action="update", acting_user=acting_user, resource=change)
    return change


def change_close_with_review(*, change: ChangeRequest, acting_user, review_testing: str, review_lessons_learned: str,
                             review_performance: str = "", review_user_feedback: str = "") -> ChangeRequest:
    """Record the post-implementation review and close the change."""
    values = {"review_testing": review_testing, "review_performance": review_performance,
              "review_user_feedback": review_user_feedback, "review_lessons_learned": review_lessons_learned}
    errors = {f: "Required to close the review." for f in ("review_testing", "review_lessons_learned")
              if not (values[f] or "").strip()}
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        _lock(change)
        if change.status != ChangeStatus.IN_REVIEW:
            raise TransitionNotAllowed(f"Cannot close: the change request is {change.get_status_display().lower()}, "
                                       "not in review.")
        for name, value in values.items():
            setattr(change, name, (value or "").strip())
        change.close(at=timezone.now())
        save_with_history(change, acting_user=acting_user, reason="review recorded, closed")
        audit_log(event_type="change.closed", action="close", acting_user=acting_user, resource=change)
    return change


def change_open_post_implementation_review(*, release, acting_user) -> ChangeRequest:
    """An emergency deployment gets a change request in review, linked to the release."""
    now = timezone.now()
    change = ChangeRequest(
        title=f"Post-implementation review: {release.component} {release.version}",
        description=f"Emergency deployment of {release} ({release.title}) at {now:%Y-%m-%d %H:%M} UTC.",
        justification="Opened automatically: hotfix/emergency deployments bypass the maintenance window.",
        change_type=ChangeRequestType.EMERGENCY, status=ChangeStatus.IN_REVIEW, requested_by=release.created_by,
        planned_start=now, planned_end=now, origin_release=release, submitted_at=now, decided_at=now,
        implemented_at=now, implementation_plan=release.deployment_plan, mitigation=release.rollback_plan,
    )
    save_with_history(change, acting_user=acting_user, reason="post-implementation review opened")
    change.components.set([release.component_id])
    change.releases.set([release])
    audit_log(event_type="change.review_opened", action="create", acting_user=acting_user, resource=change,
              details={"release": release.pk})
    notifications.send_review_opened(change=change, release=release, acting_user=acting_user)
    return change


def freeze_period_save(*, freeze, components, acting_user):
    """Create or edit a freeze period (components empty = every component)."""
    freeze.full_clean(exclude=["components"])
    with transaction.atomic():
        if freeze.pk is None:
            freeze.created_by = acting_user
        save_with_history(freeze, acting_user=acting_user, reason="freeze period saved")
        freeze.components.set(list(components))
        audit_log(event_type="release.freeze_saved", action="update", acting_user=acting_user, resource=freeze,
                  details={"start": freeze.start, "end": freeze.end})
    return freeze
