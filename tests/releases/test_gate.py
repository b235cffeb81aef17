"""The deploy gate with time-machine: windows, notice period, freezes, emergency bypass."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django_fsm import TransitionNotAllowed

from marketplace_ops.models import Notification
from releases.models import ChangeRequest, FreezePeriod
from releases.services import release_deploy, send_due_announcements
from tests.releases.conftest import PLANNING_TIME, SUNDAY_WINDOW, WEDNESDAY_WINDOW


def at(moment):
    return time_machine.travel(moment, tick=False)


@pytest.fixture
def scheduled(make_release, approve_all, system_actor):
    """A release planned on 2026-12-01, approved, announced by the sweep when due."""

    def make(start, **kwargs):
        with at(PLANNING_TIME):
            release = approve_all(make_release(scheduled_start=start, **kwargs))
        assert release.announcement_sent_at is None and release.announcement_due_at is not None
        with at(release.announcement_due_at):
            assert send_due_announcements(acting_user=system_actor) == 1
        release.refresh_from_db()
        return release

    return make


def refusal(release) -> str:
    with pytest.raises(TransitionNotAllowed) as caught:
        release_deploy(release=release, acting_user=release.created_by)
    release.refresh_from_db()
    assert release.status == "approved"
    return str(caught.value)


def test_a_minor_release_deploys_inside_the_sunday_window(scheduled, approvers):
    release = scheduled(SUNDAY_WINDOW)
    assert release.announcement_sent_at == SUNDAY_WINDOW - timedelta(weeks=1, hours=1)
    with at(SUNDAY_WINDOW + timedelta(hours=1)):
        release_deploy(release=release, acting_user=approvers["operations"])
    release.refresh_from_db()
    assert release.status == "deployed"
    assert [i.description for i in release.verification_items.all()] == ["Smoke test", "Error rate below 0.5 %"]


def test_a_minor_release_deploys_inside_the_wednesday_window(scheduled, approvers):
    release = scheduled(WEDNESDAY_WINDOW)
    with at(WEDNESDAY_WINDOW + timedelta(minutes=30)):
        release_deploy(release=release, acting_user=approvers["operations"])
    release.refresh_from_db()
    assert release.status == "deployed"


def test_a_major_release_is_refused_in_the_wednesday_window_and_told_the_next_sunday(scheduled):
    release = scheduled(WEDNESDAY_WINDOW, release_type="major")
    with at(WEDNESDAY_WINDOW + timedelta(minutes=30)):
        message = refusal(release)
    assert "outside a primary maintenance window" in message
    assert "next Sunday window opens 2027-01-10 01:00 UTC" in message


def test_outside_any_window_the_refusal_names_the_next_window(scheduled):
    release = scheduled(SUNDAY_WINDOW)
    with at(SUNDAY_WINDOW + timedelta(hours=5)):  # 06:00, the window closed at 05:00
        message = refusal(release)
    assert "outside a primary/secondary maintenance window" in message
    assert "next Wednesday window opens 2027-01-13 01:00 UTC" in message


def test_a_late_announcement_does_not_satisfy_the_notice_period(make_release, approve_all):
    late = datetime(2027, 1, 8, 12, 0, tzinfo=UTC)  # two days before the Sunday start
    with at(late):
        release = approve_all(make_release(scheduled_start=SUNDAY_WINDOW))
    assert release.announcement_sent_at == late  # due already: sent at approval
    assert Notification.objects.filter(event="releases.maintenance_announcement",
                                       recipient_address="partner@example.com").count() == 1
    with at(SUNDAY_WINDOW + timedelta(hours=1)):
        message = refusal(release)
    assert "came less than 1 week before the scheduled start" in message
    assert "notice period satisfied from 2027-01-15 12:00 UTC" in message
    assert "Earliest deployment: 2027-01-17 01:00 UTC" in message


def test_no_announcement_means_no_deployment(make_release, approve_all):
    with at(PLANNING_TIME):
        release = approve_all(make_release(scheduled_start=SUNDAY_WINDOW))
    with at(SUNDAY_WINDOW + timedelta(hours=1)):
        assert "the maintenance announcement (1 week notice) has not been sent" in refusal(release)


def test_a_freeze_blocks_normal_releases_and_names_when_it_ends(scheduled, component):
    release = scheduled(SUNDAY_WINDOW)
    freeze = FreezePeriod.objects.create(name="Launch freeze", start=SUNDAY_WINDOW - timedelta(days=1),
                                         end=SUNDAY_WINDOW + timedelta(days=1), reason="Partner launch")
    freeze.components.add(component)
    with at(SUNDAY_WINDOW + timedelta(hours=1)):
        message = refusal(release)
    assert "freeze period 'Launch freeze' until 2027-01-11 01:00 UTC (Partner launch)" in message
    assert "Earliest deployment: 2027-01-13 01:00 UTC" in message


def test_a_freeze_on_another_component_does_not_block(scheduled, approvers):
    from marketplace_ops.models import Component

    release = scheduled(SUNDAY_WINDOW)
    other = Component.objects.create(name="Analytics", slug="analytics")
    freeze = FreezePeriod.objects.create(name="Analytics freeze", start=SUNDAY_WINDOW - timedelta(days=1),
                                         end=SUNDAY_WINDOW + timedelta(days=1), reason="Migration")
    freeze.components.add(other)
    with at(SUNDAY_WINDOW + timedelta(hours=1)):
        release_deploy(release=release, acting_user=approvers["operations"])


def test_a_hotfix_deploys_any_time_even_in_a_freeze_and_opens_a_review(make_release, deployed_version,
                                                                       approve_all, approvers, sign_off):
    deployed_version("2.3.1")
    FreezePeriod.objects.create(name="Everything", start=PLANNING_TIME, end=PLANNING_TIME + timedelta(days=3),
                                reason="Audit")
    tuesday_afternoon = PLANNING_TIME + timedelta(hours=2)
    with at(tuesday_afternoon):
        release = make_release(release_type="hotfix", version="2.3.1-hotfix.1", patch_classification="critical")
        release = approve_all(sign_off(release, stages=["development"]))
        assert release.required_roles == ["security", "operations"]
        release_deploy(release=release, acting_user=approvers["operations"])
    release.refresh_from_db()
    assert release.status == "deployed"
    review = ChangeRequest.objects.get(origin_release=release)
    assert review.status == "in_review" and review.change_type == "emergency"
    assert list(review.components.all()) == [release.component]
    assert Notification.objects.filter(event="releases.review_opened", recipient_user=release.created_by).exists()


def test_a_release_without_all_approvals_cannot_deploy(make_release, approve_all):
    with at(PLANNING_TIME):
        release = approve_all(make_release(scheduled_start=SUNDAY_WINDOW), roles=["product"])
    with at(SUNDAY_WINDOW + timedelta(hours=1)):
        with pytest.raises(TransitionNotAllowed, match="the release is planned"):
            release_deploy(release=release, acting_user=release.created_by)


def test_a_double_clicked_deploy_says_it_is_already_deployed(scheduled, approvers):
    release = scheduled(SUNDAY_WINDOW)
    stale_copy = type(release).objects.get(pk=release.pk)
    with at(SUNDAY_WINDOW + timedelta(hours=1)):
        release_deploy(release=release, acting_user=approvers["operations"])
        with pytest.raises(TransitionNotAllowed, match="Cannot deploy: the release is deployed"):
            release_deploy(release=stale_copy, acting_user=approvers["operations"])
    assert release.verification_items.count() == 2


def test_the_announcement_sweep_sends_only_what_is_due_and_only_once(make_release, approve_all, system_actor):
    with at(PLANNING_TIME):
        release = approve_all(make_release(scheduled_start=SUNDAY_WINDOW))
    with at(release.announcement_due_at - timedelta(minutes=1)):
        assert send_due_announcements(acting_user=system_actor) == 0
    with at(release.announcement_due_at + timedelta(minutes=1)):
        assert send_due_announcements(acting_user=system_actor) == 1
        assert send_due_announcements(acting_user=system_actor) == 0
    mails = Notification.objects.filter(event="releases.maintenance_announcement")
    assert mails.count() == 2  # the stakeholder list member and the release's author
    assert "2027-01-10 01:00 UTC" in mails.first().subject


def test_just_after_the_wednesday_window_closes_the_release_waits_for_sunday(scheduled):
    release = scheduled(WEDNESDAY_WINDOW)
    with at(WEDNESDAY_WINDOW + timedelta(hours=2, minutes=1)):  # 03:01, the window closed at 03:00
        message = refusal(release)
    assert "outside a primary/secondary maintenance window" in message
    assert "next Sunday window opens 2027-01-10 01:00 UTC" in message
