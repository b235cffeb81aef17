"""Patch and hotfix testing sign-offs by stage, critical security patches, rollout stages."""

from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError

from releases.services import patch_signoff, release_approve, release_deploy, rollout_stage_record
from tests.releases.conftest import PLANNING_TIME


@pytest.fixture
def patch(make_release, deployed_version):
    deployed_version("2.3.1")

    def make(**kwargs):
        return make_release(release_type="patch", version="2.3.2", **kwargs)

    return make


def approval_error(release, approvers, role="product") -> str:
    with pytest.raises(ValidationError) as caught:
        release_approve(release=release, role=role, acting_user=approvers[role], approved=True)
    return " ".join(caught.value.messages)


def test_a_normal_patch_needs_all_three_stages_before_approval(patch, approvers, sign_off):
    release = patch()
    assert release.patch_classification == "normal"
    message = approval_error(release, approvers)
    assert "Development testing: unit testing, integration testing, functional testing" in message
    assert "QA testing: regression testing" in message and "User acceptance testing: user acceptance testing" in message
    sign_off(release, stages=["development", "qa"])
    message = approval_error(release, approvers)
    assert "Development" not in message and "stakeholder validation, business process verification" in message
    sign_off(release, stages=["uat"])
    release_approve(release=release, role="product", acting_user=approvers["product"], approved=True)


def test_a_high_patch_needs_all_three_stages_too(patch, approvers):
    release = patch(patch_classification="high")
    assert "QA testing" in approval_error(release, approvers)


def test_a_critical_security_patch_needs_development_testing_and_security_only_and_deploys_immediately(
    patch, approvers, sign_off
):
    with time_machine.travel(PLANNING_TIME, tick=False):
        release = patch(patch_classification="critical", is_security_patch=True)
        assert release.required_roles == ["security"]
        assert release.maintenance_policy.slug == "security-patch"
        assert "Development testing" in approval_error(release, approvers, role="security")
        sign_off(release, stages=["development"])
        release_approve(release=release, role="security", acting_user=approvers["security"], approved=True)
        release.refresh_from_db()
        assert release.status == "approved"
        release_deploy(release=release, acting_user=approvers["operations"])  # a Tuesday noon, no window
    release.refresh_from_db()
    assert release.status == "deployed"
    assert release.reviews.get().status == "in_review"


def test_each_check_is_signed_once_by_a_named_person(patch, make_user):
    release = patch()
    tester = make_user("quinn.qa", roles=["engineering"])
    signoff = patch_signoff(release=release, test_check="regression", acting_user=tester)
    assert (signoff.stage, signoff.signed_by) == ("qa", tester)
    with pytest.raises(ValidationError) as caught:
        patch_signoff(release=release, test_check="regression", acting_user=tester)
    assert "Regression testing was already signed off by quinn.qa" in caught.value.message_dict["test_check"][0]


def test_major_and_minor_releases_have_no_sign_offs(make_release, make_user):
    release = make_release()
    with pytest.raises(ValidationError, match="Only patch and hotfix releases"):
        patch_signoff(release=release, test_check="unit", acting_user=make_user("t"))


def test_rollout_stages_are_recorded_with_their_verification(patch, approvers, sign_off):
    with time_machine.travel(PLANNING_TIME, tick=False):
        release = sign_off(patch(patch_classification="critical", is_security_patch=True), stages=["development"])
        release_approve(release=release, role="security", acting_user=approvers["security"], approved=True)
        with pytest.raises(ValidationError, match="while the release is deployed"):
            rollout_stage_record(release=release, name="canary", verification="ok", acting_user=approvers["operations"])
        release_deploy(release=release, acting_user=approvers["operations"])
    with time_machine.travel(PLANNING_TIME + timedelta(minutes=30), tick=False):
        rollout_stage_record(release=release, name="canary", traffic_percent=10, verification="5xx unchanged",
                             acting_user=approvers["operations"])
        rollout_stage_record(release=release, name="full", traffic_percent=100, verification="p99 stable",
                             acting_user=approvers["operations"])
    stages = list(release.rollout_stages.values_list("position", "name", "traffic_percent", "verified_by"))
    assert stages == [(1, "canary", 10, approvers["operations"].pk), (2, "full", 100, approvers["operations"].pk)]
    with pytest.raises(ValidationError) as caught:
        rollout_stage_record(release=release, name="x", verification="", acting_user=approvers["operations"])
    assert "verification" in caught.value.message_dict
