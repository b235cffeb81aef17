"""Change requests: CAB quorum, standard templates, emergency review, conflicts."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django_fsm import TransitionNotAllowed

from marketplace_ops.models import Notification
from releases.models import ChangeTemplate
from releases.services import (
    cab_vote,
    change_close_with_review,
    change_create,
    change_submit,
    change_transition,
    release_approve,
)
from tests.releases.conftest import SUNDAY_WINDOW


@pytest.fixture
def cab(make_user):
    return [make_user(f"cab{n}", roles=["change-advisory-board"]) for n in range(3)]


@pytest.fixture
def make_change(component, make_user):
    requester = make_user("olga", roles=["operations"])

    def make(**overrides):
        fields = {"title": "Resize the gateway pool", "description": "From 6 to 10 nodes.", "components": [component],
                  "likelihood": 2, "impact": 4, "planned_start": SUNDAY_WINDOW,
                  "planned_end": SUNDAY_WINDOW + timedelta(hours=1), "acting_user": requester}
        fields.update(overrides)
        return change_create(**fields)

    return make


def test_risk_is_likelihood_times_impact(make_change):
    assert make_change(likelihood=2, impact=4).risk == "medium"
    assert make_change(likelihood=5, impact=4).risk == "critical"
    assert make_change(likelihood=1, impact=3).risk == "low"
    assert make_change(likelihood=3, impact=4).risk == "high"


def test_a_normal_change_needs_the_cab_quorum(make_change, cab):
    change = make_change()
    change_submit(change=change, acting_user=change.requested_by)
    assert change.status == "submitted"
    assert Notification.objects.filter(event="releases.cab_vote_requested", recipient_user=cab[0]).exists()
    cab_vote(change=change, acting_user=cab[0], approve=True)
    change.refresh_from_db()
    assert change.status == "submitted"
    cab_vote(change=change, acting_user=cab[1], approve=True)
    change.refresh_from_db()
    assert change.status == "approved"
    assert Notification.objects.filter(event="releases.change_decided", recipient_user=change.requested_by).exists()


def test_a_rejection_rejects_the_change(make_change, cab):
    change = make_change()
    change_submit(change=change, acting_user=change.requested_by)
    cab_vote(change=change, acting_user=cab[0], approve=True)
    cab_vote(change=change, acting_user=cab[1], approve=False, comment="No rollback plan for the pool.")
    change.refresh_from_db()
    assert change.status == "rejected"
    with pytest.raises(ValidationError, match="Voting is closed"):
        cab_vote(change=change, acting_user=cab[2], approve=True)


def test_the_quorum_is_configurable(make_change, cab, settings):
    settings.RELEASES_CAB_QUORUM = 3
    change = make_change()
    change_submit(change=change, acting_user=change.requested_by)
    for member in cab[:2]:
        cab_vote(change=change, acting_user=member, approve=True)
    change.refresh_from_db()
    assert change.status == "submitted"
    cab_vote(change=change, acting_user=cab[2], approve=True)
    change.refresh_from_db()
    assert change.status == "approved"


def test_votes_are_checked(make_change, cab, make_user):
    change = make_change()
    change_submit(change=change, acting_user=change.requested_by)
    with pytest.raises(ValidationError, match="Only members of the Change Advisory Board"):
        cab_vote(change=change, acting_user=make_user("not-cab"), approve=True)
    cab_vote(change=change, acting_user=cab[0], approve=True)
    with pytest.raises(ValidationError, match="already voted"):
        cab_vote(change=change, acting_user=cab[0], approve=True)
    assert change.votes.count() == 1


def test_a_standard_change_from_a_template_skips_the_cab(make_change, cab):
    template = ChangeTemplate.objects.create(name="Rotate certificates", implementation_plan="Upload, reload.")
    with pytest.raises(ValidationError) as caught:
        make_change(change_type="standard")
    assert "pre-approved template" in caught.value.message_dict["template"][0]
    change = make_change(change_type="standard", template=template)
    assert change.implementation_plan == "Upload, reload."
    change_submit(change=change, acting_user=change.requested_by)
    change.refresh_from_db()
    assert change.status == "approved"
    assert not Notification.objects.filter(event="releases.cab_vote_requested").exists()
    with pytest.raises(ValidationError, match="skip the CAB"):
        cab_vote(change=change, acting_user=cab[0], approve=True)


def test_an_emergency_change_needs_two_ecab_approvals_and_always_gets_a_review(make_change, cab):
    change = make_change(change_type="emergency")
    change_submit(change=change, acting_user=change.requested_by)
    cab_vote(change=change, acting_user=cab[0], approve=True)
    change.refresh_from_db()
    assert change.status == "submitted"
    cab_vote(change=change, acting_user=cab[1], approve=True)
    for step in ("schedule", "start_implementation", "finish_implementation"):
        change_transition(change=change, transition=step, acting_user=change.requested_by)
    change.refresh_from_db()
    assert change.status == "in_review"
    with pytest.raises(ValidationError) as caught:
        change_close_with_review(change=change, acting_user=change.requested_by, review_testing="",
                                 review_lessons_learned="")
    assert set(caught.value.message_dict) == {"review_testing", "review_lessons_learned"}
    change_close_with_review(change=change, acting_user=change.requested_by, review_testing="Smoke tests green",
                             review_performance="p99 unchanged", review_user_feedback="none",
                             review_lessons_learned="Automate the resize")
    change.refresh_from_db()
    assert change.status == "closed" and change.review_lessons_learned == "Automate the resize"


def test_a_normal_change_may_close_without_review_but_an_emergency_may_not(make_change, cab):
    change = make_change()
    change_submit(change=change, acting_user=change.requested_by)
    for member in cab[:2]:
        cab_vote(change=change, acting_user=member, approve=True)
    for step in ("schedule", "start_implementation", "finish_implementation", "close_without_review"):
        change_transition(change=change, transition=step, acting_user=change.requested_by)
    change.refresh_from_db()
    assert change.status == "closed"


def test_out_of_order_steps_are_refused_with_the_state(make_change):
    change = make_change()
    with pytest.raises(TransitionNotAllowed, match="Cannot start implementation: the change request is draft"):
        change_transition(change=change, transition="start_implementation", acting_user=change.requested_by)


def test_overlapping_release_and_change_are_flagged_and_need_acknowledgement(make_change, make_release, approvers,
                                                                             cab):
    from releases import selectors

    release = make_release(scheduled_start=SUNDAY_WINDOW + timedelta(minutes=30))
    change = make_change()
    assert selectors.release_conflicts(release) == [change]
    assert selectors.change_conflicts(change) == [release]
    with pytest.raises(ValidationError) as caught:
        release_approve(release=release, role="product", acting_user=approvers["product"], approved=True)
    assert "acknowledge the conflict" in caught.value.message_dict["acknowledge_conflict"][0]
    approval = release_approve(release=release, role="product", acting_user=approvers["product"], approved=True,
                               acknowledge_conflict=True)
    assert approval.conflict_acknowledged
    change_submit(change=change, acting_user=change.requested_by)
    with pytest.raises(ValidationError, match="acknowledge the conflict"):
        cab_vote(change=change, acting_user=cab[0], approve=True)
    cab_vote(change=change, acting_user=cab[0], approve=True, acknowledge_conflict=True)


def test_two_releases_of_one_component_with_overlapping_slots_conflict(make_release, component):
    from releases import selectors
    from releases.models import Release

    first = make_release(scheduled_start=SUNDAY_WINDOW)
    second = make_release(release_type="major", scheduled_start=SUNDAY_WINDOW + timedelta(hours=1))
    separate = make_release(release_type="patch", scheduled_start=SUNDAY_WINDOW + timedelta(days=7))
    flagged = dict(selectors.annotate_release_conflicts(Release.objects.all()).values_list("pk", "has_conflict"))
    assert flagged == {first.pk: True, second.pk: True, separate.pk: False}
