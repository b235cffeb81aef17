"""Approval rules, rejection, the single transition to approved, and revoke-on-edit."""

import pytest
from django.core.exceptions import ValidationError

from marketplace_ops.models import Notification
from releases.models import Release
from releases.services import release_approve, release_update


def refused(**kwargs) -> str:
    with pytest.raises(ValidationError) as caught:
        release_approve(**kwargs)
    return " ".join(caught.value.messages)


def test_an_approver_outside_the_role_group_is_refused_and_nothing_is_stored(make_release, approvers):
    release = make_release()
    message = refused(release=release, role="security", acting_user=approvers["product"], approved=True)
    assert "not a member of the security group" in message
    assert not release.approvals.exists()


def test_the_creator_cannot_approve_their_release(make_release, make_user, author):
    author.groups.add(*__import__("django.contrib.auth.models", fromlist=["Group"]).Group.objects.filter(
        name="product"))
    release = make_release()
    assert "creator cannot approve" in refused(release=release, role="product", acting_user=author, approved=True)


def test_one_person_cannot_approve_for_two_roles(make_release, make_user):
    both = make_user("both", roles=["product", "security"])
    release = make_release()
    release_approve(release=release, role="product", acting_user=both, approved=True)
    message = refused(release=release, role="security", acting_user=both, approved=True)
    assert "already approved this release for product" in message
    assert release.approvals.count() == 1


def test_a_second_approval_for_the_same_role_is_refused(make_release, approvers, make_user):
    release = make_release()
    release_approve(release=release, role="product", acting_user=approvers["product"], approved=True)
    other = make_user("pat2", roles=["product"])
    assert "product role already approved" in refused(release=release, role="product", acting_user=other,
                                                      approved=True)


def test_approval_needs_a_rollback_plan(make_release, approvers):
    release = make_release(rollback_plan="")
    with pytest.raises(ValidationError) as caught:
        release_approve(release=release, role="product", acting_user=approvers["product"], approved=True)
    assert caught.value.message_dict["rollback_plan"] == ["A rollback plan is required before approval."]


def test_a_rejection_keeps_the_release_planned_and_marks_changes_requested(make_release, approvers, author):
    release = make_release()
    release_approve(release=release, role="security", acting_user=approvers["security"], approved=False,
                    comment="Pin the TLS library first.")
    release.refresh_from_db()
    assert release.status == "planned"
    assert release.changes_requested
    mail = Notification.objects.get(event="releases.changes_requested")
    assert mail.recipient_user == author and "Pin the TLS library first." in mail.body_text


def test_a_rejection_needs_a_comment(make_release, approvers):
    release = make_release()
    with pytest.raises(ValidationError) as caught:
        release_approve(release=release, role="security", acting_user=approvers["security"], approved=False)
    assert "comment" in caught.value.message_dict


def test_the_last_approval_moves_the_release_to_approved_once(make_release, approve_all, author):
    release = make_release()
    approve_all(release, roles=["product", "engineering", "security"])
    release.refresh_from_db()
    assert release.status == "planned" and release.approval_progress() == "3/4"
    approve_all(release, roles=["operations"])
    assert release.status == "approved" and release.approved_at is not None
    assert Notification.objects.filter(event="releases.approved", recipient_user=author).count() == 1
    assert Notification.objects.filter(event="releases.approved", recipient_address="partner@example.com").count() == 1
    assert "approved" in release.history.first().history_change_reason or release.history.filter(
        history_change_reason="all required approvals given").exists()


def test_a_hotfix_needs_only_security_and_operations(make_release, deployed_version, approve_all):
    deployed_version("2.3.1")
    release = make_release(release_type="hotfix", is_security_patch=False, patch_classification="critical")
    assert release.required_roles == ["security", "operations"]


@pytest.mark.parametrize(
    ("edit", "reason"),
    [
        ({"version": "2.0.0", "release_type": "major"}, "edited release_type, version"),
        ({"rollback_plan": "Restore the snapshot."}, "edited rollback_plan"),
        ({"verification_steps": "Only one step"}, "edited verification_steps"),
    ],
)
def test_editing_after_an_approval_revokes_all_approvals(make_release, approvers, edit, reason):
    from releases.services import release_approve

    release = make_release(version="1.1.0")
    release_approve(release=release, role="product", acting_user=approvers["product"], approved=True)
    release_approve(release=release, role="security", acting_user=approvers["security"], approved=True)
    before = Notification.objects.filter(event="releases.approval_requested",
                                         recipient_user=approvers["product"]).count()
    release = release_update(release=release, acting_user=release.created_by, **edit)
    assert release.approval_round == 2
    assert not release.approvals.filter(revoked_at__isnull=True).exists()
    assert release.approvals.filter(revoked_reason=reason).count() == 2
    assert release.history.filter(history_change_reason=f"approvals revoked: {reason}").exists()
    again = Notification.objects.filter(event="releases.approval_requested", recipient_user=approvers["product"])
    assert again.count() == before + 1
    assert "approvals of this release were revoked" in again.first().body_text


def test_editing_the_changes_of_an_approved_release_sends_it_back_to_planned(make_release, approve_all):
    release = approve_all(make_release())
    assert release.status == "approved"
    release = release_update(release=release, acting_user=release.created_by,
                             changes=[{"change_type": "bugfix", "description": "Fix 429 headers"}])
    assert release.status == "planned" and release.approval_round == 2
    assert release.approval_progress() == "0/4"


def test_editing_the_title_does_not_revoke(make_release, approvers):
    release = make_release()
    release_approve(release=release, role="product", acting_user=approvers["product"], approved=True)
    release = release_update(release=release, acting_user=release.created_by, title="Better title")
    assert release.approval_round == 1 and release.approval_progress() == "1/4"


def test_a_deployed_release_cannot_be_edited(make_release):
    release = make_release()
    Release.objects.filter(pk=release.pk).update(status="deployed")
    with pytest.raises(ValidationError, match="deployed release can no longer be edited"):
        release_update(release=release, acting_user=release.created_by, title="x")


def test_a_role_may_approve_after_its_rejection_which_clears_changes_requested(make_release, approvers):
    release = make_release()
    release_approve(release=release, role="security", acting_user=approvers["security"], approved=False,
                    comment="Pin TLS")
    release_approve(release=release, role="security", acting_user=approvers["security"], approved=True)
    release.refresh_from_db()
    assert not release.changes_requested
    assert release.approvals.filter(revoked_reason="superseded by a new decision", decision="rejected").count() == 1
    assert release.approval_progress() == "1/4"
