"""The functions other apps call: component_is_deploying and upcoming_maintenance."""

from datetime import timedelta

import time_machine

from marketplace_ops.models import Component
from releases.models import Release
from releases.services import change_create, component_is_deploying, upcoming_maintenance
from tests.releases.conftest import PLANNING_TIME, SUNDAY_WINDOW


def test_a_component_is_deploying_while_a_release_is_deployed(make_release, component):
    release = make_release()
    assert not component_is_deploying(component_id=component.pk, at=PLANNING_TIME)
    Release.objects.filter(pk=release.pk).update(status="deployed")
    assert component_is_deploying(component_id=component.pk, at=PLANNING_TIME)
    Release.objects.filter(pk=release.pk).update(status="completed")
    assert not component_is_deploying(component_id=component.pk, at=PLANNING_TIME)


def test_an_approved_release_counts_during_its_window_only(make_release, approve_all, component):
    with time_machine.travel(PLANNING_TIME, tick=False):
        approve_all(make_release(scheduled_start=SUNDAY_WINDOW))
    assert component_is_deploying(component_id=component.pk, at=SUNDAY_WINDOW + timedelta(hours=3))
    assert not component_is_deploying(component_id=component.pk, at=SUNDAY_WINDOW + timedelta(hours=5))
    other = Component.objects.create(name="Analytics", slug="analytics")
    assert not component_is_deploying(component_id=other.pk, at=SUNDAY_WINDOW + timedelta(hours=1))


def test_an_implementing_change_counts(component, make_user):
    from releases.models import ChangeRequest
    from releases.services import change_transition

    change = change_create(acting_user=make_user("o"), title="Resize", description="d", components=[component],
                           planned_start=SUNDAY_WINDOW, planned_end=SUNDAY_WINDOW + timedelta(hours=1))
    ChangeRequest.objects.filter(pk=change.pk).update(status="scheduled")
    change_transition(change=change, transition="start_implementation", acting_user=change.requested_by)
    assert component_is_deploying(component_id=component.pk, at=PLANNING_TIME)


def test_upcoming_maintenance_lists_approved_releases_and_changes_of_public_components(
    make_release, approve_all, component, make_user
):
    from releases.models import ChangeRequest

    hidden = Component.objects.create(name="Internal DB", slug="internal-db", is_public=False)
    with time_machine.travel(PLANNING_TIME, tick=False):
        release = approve_all(make_release(scheduled_start=SUNDAY_WINDOW))
        make_release(release_type="major", scheduled_start=SUNDAY_WINDOW)  # planned: not listed
    change = change_create(acting_user=make_user("o"), title="DB failover test", description="d",
                           components=[hidden, component], planned_start=SUNDAY_WINDOW + timedelta(hours=2),
                           planned_end=SUNDAY_WINDOW + timedelta(hours=3))
    ChangeRequest.objects.filter(pk=change.pk).update(status="scheduled")
    secret = change_create(acting_user=make_user("p"), title="Internal only", description="d", components=[hidden],
                           planned_start=SUNDAY_WINDOW, planned_end=SUNDAY_WINDOW + timedelta(hours=1))
    ChangeRequest.objects.filter(pk=secret.pk).update(status="scheduled")

    items = upcoming_maintenance(start=PLANNING_TIME, end=SUNDAY_WINDOW + timedelta(days=1))
    assert [(i["kind"], i["id"]) for i in items] == [("release", release.pk), ("change", change.pk)]
    assert items[0]["component_ids"] == [component.pk] and items[0]["status"] == "approved"
    assert items[1]["component_ids"] == [component.pk]
    assert set(items[0]) == {"kind", "id", "title", "component_ids", "starts_at", "ends_at", "status", "updated_at"}
    everything = upcoming_maintenance(start=PLANNING_TIME, end=SUNDAY_WINDOW + timedelta(days=1), public_only=False)
    assert len(everything) == 3
    assert upcoming_maintenance(start=SUNDAY_WINDOW + timedelta(days=2), end=SUNDAY_WINDOW + timedelta(days=3)) == []


def test_the_dashboard_widgets_list_what_awaits_the_user(make_release, approvers, make_user, rf, component):
    from marketplace_ops.registry import registry
    from releases.services import change_submit, release_approve

    release = make_release()
    release_approve(release=release, role="product", acting_user=approvers["product"], approved=True)
    widget = registry.dashboard_widgets["releases.awaiting_my_approval"]
    request = rf.get("/")
    request.user = approvers["security"]
    assert [(i["release"], i["roles"]) for i in widget.context(request)["items"]] == [(release, ["security"])]
    from django.template.loader import render_to_string

    assert f"/admin/releases/release/{release.pk}/change/" in render_to_string(widget.template, widget.context(request))
    request.user = approvers["product"]
    assert widget.context(request)["items"] == []

    member = make_user("cab-member", roles=["change-advisory-board"])
    change = change_create(acting_user=approvers["operations"], title="Resize", description="d",
                           components=[component])
    change_submit(change=change, acting_user=approvers["operations"])
    request.user = member
    cab_widget = registry.dashboard_widgets["releases.cab_votes_awaiting_me"]
    assert cab_widget.context(request)["items"] == [change]
    assert "Resize" in render_to_string(cab_widget.template, cab_widget.context(request))


def test_the_announcement_task_runs_the_sweep_as_the_system(make_release, approve_all):
    from releases.tasks import send_due_announcements

    with time_machine.travel(PLANNING_TIME, tick=False):
        release = approve_all(make_release(scheduled_start=SUNDAY_WINDOW))
    with time_machine.travel(release.announcement_due_at, tick=False):
        assert send_due_announcements.apply().get() == 1
    release.refresh_from_db()
    assert release.announcement_sent_at is not None
    assert release.history.first().history_user.username == "system"
