"""The admin a person clicks through: list, add with inline changes, edits, buttons, forms, calendar."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.urls import reverse

from releases.models import Release
from releases.services import release_approve, release_deploy, release_send_announcement
from tests.releases.admin_forms import form_data
from tests.releases.conftest import PLANNING_TIME, SUNDAY_WINDOW


@pytest.fixture
def staff(make_user):
    return make_user("olive.ops", roles=["operations", "engineering"], superuser=True)


@pytest.fixture
def admin_client(client, staff):
    client.force_login(staff)
    return client


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def add_release(admin_client, component, **fields):
    page = admin_client.get(reverse("admin:releases_release_add"))
    data = form_data(page.content.decode())
    data.update({"component": component.pk, "release_type": "minor", "title": "Quota headers",
                 "rollback_plan": "Redeploy", "verification_steps": "Smoke test", "risk_level": "medium",
                 "changes-0-change_type": "feature", "changes-0-description": "Quota headers",
                 "changes-0-ticket_id": "GW-9"})
    data.update(fields)
    return admin_client.post(reverse("admin:releases_release_add"), data)


def test_adding_a_release_with_changes_suggests_the_version_and_asks_approvers(admin_client, component, approvers,
                                                                                deployed_version):
    from marketplace_ops.models import Notification

    deployed_version("2.3.1")
    response = add_release(admin_client, component, version="")
    assert response.status_code == 302, response.content.decode()[:3000]
    release = Release.objects.get(title="Quota headers")
    assert release.version == "2.4.0" and release.created_by.username == "olive.ops"
    assert list(release.changes.values_list("ticket_id", flat=True)) == ["GW-9"]
    mail = Notification.objects.get(event="releases.approval_requested", recipient_user=approvers["product"])
    assert "Quota headers" in mail.body_text and "GW-9" in mail.body_text


def test_a_wrong_version_is_a_field_error_and_nothing_is_saved(admin_client, component, deployed_version):
    deployed_version("2.3.1")
    response = add_release(admin_client, component, version="2.5.0")
    assert response.status_code == 200
    assert "minor release after 2.3.1 must be 2.4.0" in response.content.decode()
    assert not Release.objects.filter(title="Quota headers").exists()


def change_page_data(admin_client, release) -> dict:
    page = admin_client.get(reverse("admin:releases_release_change", args=[release.pk]))
    assert page.status_code == 200
    return form_data(page.content.decode())


def test_editing_the_version_after_an_approval_revokes_and_warns(admin_client, make_release, approvers):
    release = make_release(version="1.1.0")
    release_approve(release=release, role="product", acting_user=approvers["product"], approved=True)
    data = change_page_data(admin_client, release)
    data["version"] = "2.0.0"
    data["release_type"] = "major"
    response = admin_client.post(reverse("admin:releases_release_change", args=[release.pk]), data, follow=True)
    assert any("Approvals were revoked" in m for m in messages_of(response))
    release.refresh_from_db()
    assert release.version == "2.0.0" and release.approval_round == 2 and release.approval_progress() == "0/4"


def test_a_stale_form_is_refused(admin_client, make_release, author):
    from releases.services import release_update

    release = make_release()
    data = change_page_data(admin_client, release)
    with time_machine.travel(PLANNING_TIME + timedelta(days=400)):
        release_update(release=release, acting_user=author, title="Changed meanwhile")
    data["title"] = "My edit"
    response = admin_client.post(reverse("admin:releases_release_change", args=[release.pk]), data)
    assert response.status_code == 200 and "changed by someone else" in response.content.decode()
    release.refresh_from_db()
    assert release.title == "Changed meanwhile"


def test_the_changelist_shows_progress_and_gate_without_a_query_per_row(admin_client, make_release, approvers,
                                                                        django_assert_max_num_queries):
    first = make_release(scheduled_start=SUNDAY_WINDOW)
    release_approve(release=first, role="product", acting_user=approvers["product"], approved=True)
    url = reverse("admin:releases_release_changelist")
    admin_client.get(url)
    with django_assert_max_num_queries(25) as few:
        admin_client.get(url)
    for n in range(6):
        make_release(version=f"0.{n + 2}.0", title=f"r{n}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = admin_client.get(url)
    html = response.content.decode()
    assert "1/4" in html and "awaiting engineering, security, operations" in html
    assert admin_client.get(url + "?q=GW-1").status_code == 200


def test_the_deploy_button_refusal_says_why(admin_client, make_release, approve_all):
    with time_machine.travel(PLANNING_TIME, tick=False):
        release = approve_all(make_release(scheduled_start=SUNDAY_WINDOW))
        data = change_page_data(admin_client, release)
        data["_fsm_transition_to"] = "deploy"
        response = admin_client.post(reverse("admin:releases_release_change", args=[release.pk]), data, follow=True)
    text = " ".join(messages_of(response))
    assert "Cannot deploy: outside a primary/secondary maintenance window" in text
    assert "the announced start 2027-01-10 01:00 UTC has not come yet" in text
    assert "the maintenance announcement (1 week notice) has not been sent" in text
    assert "next Sunday window opens 2027-01-10 01:00 UTC" in text
    assert Release.objects.get(pk=release.pk).status == "approved"


@pytest.fixture
def deployed(make_release, approve_all, system_actor, approvers):
    with time_machine.travel(PLANNING_TIME, tick=False):
        release = approve_all(make_release(scheduled_start=SUNDAY_WINDOW))
        release_send_announcement(release=release, acting_user=system_actor)
    with time_machine.travel(SUNDAY_WINDOW + timedelta(hours=1), tick=False):
        release_deploy(release=release, acting_user=approvers["operations"])
    release.refresh_from_db()
    return release


def test_rollback_from_the_admin_needs_a_reason(admin_client, deployed):
    url = reverse("admin:releases_release_transition", args=[deployed.pk, "rollback"])
    page = admin_client.get(url)
    assert page.status_code == 200 and "No configuration revision was pinned" in page.content.decode()
    response = admin_client.post(url, {"reason": ""})
    assert response.status_code == 200 and "This field is required" in response.content.decode()
    response = admin_client.post(url, {"reason": "Error rate up"}, follow=True)
    deployed.refresh_from_db()
    assert deployed.status == "rolled_back" and deployed.rollback_reason == "Error rate up"


def test_completing_from_the_admin_checks_the_listed_steps(admin_client, deployed):
    url = reverse("admin:releases_release_transition", args=[deployed.pk, "complete"])
    items = list(deployed.verification_items.all())
    response = admin_client.post(url, {f"item_{items[0].pk}": "on"})
    assert response.status_code == 200 and "unchecked" in response.content.decode()
    admin_client.post(url, {f"item_{i.pk}": "on" for i in items})
    deployed.refresh_from_db()
    assert deployed.status == "completed"


def test_approving_in_the_admin_uses_the_same_rules(client, make_release, approvers):
    release = make_release()
    client.force_login(approvers["security"])
    url = reverse("admin:releases_release_decide", args=[release.pk])
    page = client.get(url)
    assert page.status_code == 200
    response = client.post(url, {"role": "product", "decision": "approve", "comment": ""})
    assert response.status_code == 200  # security user offered only the security role
    response = client.post(url, {"role": "security", "decision": "approve", "comment": "ok"})
    assert response.status_code == 302
    assert release.approvals.get().approver == approvers["security"]


def test_the_change_calendar_highlights_conflicts_and_feeds_ics(admin_client, make_release, component, author):
    from releases.services import change_create

    make_release(scheduled_start=SUNDAY_WINDOW)
    change_create(acting_user=author, title="Pool resize", description="d", components=[component],
                  planned_start=SUNDAY_WINDOW, planned_end=SUNDAY_WINDOW + timedelta(hours=1))
    page = admin_client.get(reverse("admin:releases_calendar") + "?view=month&date=2027-01-01")
    html = page.content.decode()
    assert page.status_code == 200 and "January 2027" in html
    assert "Primary maintenance window" in html and "Secondary maintenance window" in html
    assert html.count("conflict\"") >= 2 and "Pool resize" in html
    week = admin_client.get(reverse("admin:releases_calendar") + "?view=week&date=2027-01-10")
    assert "Week of 2027-01-04" in week.content.decode()
    assert reverse("admin:releases_calendar") in admin_client.get(reverse("admin:releases_release_changelist")).content.decode()

    response = admin_client.post(reverse("admin:releases_calendar"), {"rotate_feed_token": "1"}, follow=True)
    feed_url = re.search(r"(http://testserver/releases/calendar\.ics\?token=[\w-]+)", " ".join(messages_of(response)))
    assert feed_url
    with time_machine.travel(PLANNING_TIME + timedelta(days=30)):
        ics = admin_client.get(feed_url.group(1).replace("http://testserver", ""))
    body = ics.content.decode()
    assert ics["Content-Type"].startswith("text/calendar")
    assert "⚠ CONFLICT API Gateway" in body and "Pool resize" in body and "Primary maintenance window" in body
    assert admin_client.get("/releases/calendar.ics?token=wrong").status_code == 403


def test_the_form_suggests_the_next_version(admin_client, component, deployed_version):
    deployed_version("2.3.1")
    url = reverse("admin:releases_release_suggest_version")
    assert admin_client.get(url, {"component": component.pk, "release_type": "minor"}).json()["version"] == "2.4.0"
    assert admin_client.get(url, {"component": component.pk, "release_type": "hotfix"}).json()["version"] == \
        "2.3.1-hotfix.1"
    assert admin_client.get(url, {"component": "x", "release_type": "minor"}).status_code == 400
    page = admin_client.get(reverse("admin:releases_release_add"))
    assert "releases/suggest_version.js" in page.content.decode()


def test_lifecycle_buttons_on_a_deployed_release_page_lead_to_their_forms(admin_client, deployed):
    data = change_page_data(admin_client, deployed)
    assert 'name="version"' not in admin_client.get(
        reverse("admin:releases_release_change", args=[deployed.pk])).content.decode()  # read-only now
    data["_fsm_transition_to"] = "complete"
    response = admin_client.post(reverse("admin:releases_release_change", args=[deployed.pk]), data)
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:releases_release_transition", args=[deployed.pk, "complete"])
    assert deployed.history.count() == type(deployed).objects.get(pk=deployed.pk).history.count()
