"""Change requests and freeze periods in the admin: CAB vote page, review form, freeze save."""

from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from marketplace_ops.models import AuditEvent
from releases.models import ChangeRequest, FreezePeriod
from releases.services import cab_vote, change_create, change_submit, change_transition
from tests.releases.admin_forms import form_data
from tests.releases.conftest import SUNDAY_WINDOW


@pytest.fixture
def submitted(component, make_user):
    requester = make_user("olga", roles=["operations"])
    change = change_create(acting_user=requester, title="Resize pool", description="6 → 10 nodes",
                           components=[component], planned_start=SUNDAY_WINDOW,
                           planned_end=SUNDAY_WINDOW + timedelta(hours=1), likelihood=4, impact=5)
    change_submit(change=change, acting_user=requester)
    return change


def test_a_cab_member_votes_from_the_admin(client, submitted, make_user):
    member = make_user("cara", roles=["change-advisory-board"])
    client.force_login(member)
    page = client.get(reverse("admin:releases_changerequest_change", args=[submitted.pk]))
    assert page.status_code == 200 and "high (4×5=20)" not in page.content.decode()
    assert "critical (4×5=20)" in page.content.decode()
    url = reverse("admin:releases_changerequest_vote", args=[submitted.pk])
    response = client.post(url, {"decision": "reject", "comment": ""})
    assert response.status_code == 200 and "Say why you reject" in response.content.decode()
    response = client.post(url, {"decision": "approve", "comment": "ok"})
    assert response.status_code == 302
    assert submitted.votes.get().voter == member
    assert AuditEvent.objects.filter(event_type="change.cab_vote", actor_label="cara").exists()


def test_a_non_member_cannot_open_the_vote_page(client, submitted, make_user):
    client.force_login(make_user("nobody", roles=["engineering"]))
    response = client.get(reverse("admin:releases_changerequest_vote", args=[submitted.pk]), follow=True)
    assert "Only CAB members vote" in " ".join(str(m) for m in get_messages(response.wsgi_request))


def test_closing_an_emergency_change_requires_the_review_form(client, component, make_user):
    boss = make_user("boss", roles=["operations"], superuser=True)
    cab = [make_user(f"c{i}", roles=["change-advisory-board"]) for i in range(2)]
    change = change_create(acting_user=boss, title="Block abusive ASN", description="d", components=[component],
                           change_type="emergency", planned_start=SUNDAY_WINDOW,
                           planned_end=SUNDAY_WINDOW + timedelta(hours=1))
    change_submit(change=change, acting_user=boss)
    for member in cab:
        cab_vote(change=change, acting_user=member, approve=True)
    for step in ("schedule", "start_implementation", "finish_implementation"):
        change_transition(change=change, transition=step, acting_user=boss)
    client.force_login(boss)
    url = reverse("admin:releases_changerequest_transition", args=[change.pk, "close"])
    response = client.post(url, {"review_testing": "", "review_lessons_learned": ""})
    assert response.status_code == 200 and "This field is required" in response.content.decode()
    client.post(url, {"review_testing": "Blocked traffic verified", "review_lessons_learned": "Keep the runbook"})
    change.refresh_from_db()
    assert change.status == "closed" and change.review_testing == "Blocked traffic verified"


def test_a_submit_button_on_a_draft_sends_it_to_the_cab(client, component, make_user):
    boss = make_user("boss", roles=["operations"], superuser=True)
    change = change_create(acting_user=boss, title="Rotate keys", description="d", components=[component])
    client.force_login(boss)
    page = client.get(reverse("admin:releases_changerequest_change", args=[change.pk]))
    data = form_data(page.content.decode())
    data["_fsm_transition_to"] = "submit"
    client.post(reverse("admin:releases_changerequest_change", args=[change.pk]), data)
    assert ChangeRequest.objects.get(pk=change.pk).status == "submitted"


def test_freeze_periods_are_saved_through_the_service(client, component, make_user):
    boss = make_user("boss", roles=["operations"], superuser=True)
    client.force_login(boss)
    page = client.get(reverse("admin:releases_freezeperiod_add"))
    data = form_data(page.content.decode())
    data.update({"name": "Launch", "start_0": "2027-01-09", "start_1": "00:00:00", "end_0": "2027-01-08",
                 "end_1": "00:00:00", "reason": "Partner launch", "components": [str(component.pk)]})
    response = client.post(reverse("admin:releases_freezeperiod_add"), data)
    assert response.status_code == 200 and "must end after it starts" in response.content.decode()
    data["end_0"] = "2027-01-11"
    assert client.post(reverse("admin:releases_freezeperiod_add"), data).status_code == 302
    freeze = FreezePeriod.objects.get()
    assert freeze.created_by == boss and list(freeze.components.all()) == [component]
    assert freeze.history.first().history_user == boss


def test_an_auditor_cannot_close_a_change_through_the_transition_page(client, submitted, make_user):
    auditor = make_user("ada", roles=["auditor"])
    client.force_login(auditor)
    url = reverse("admin:releases_changerequest_transition", args=[submitted.pk, "start_evaluation"])
    response = client.post(url, follow=True)
    assert ChangeRequest.objects.get(pk=submitted.pk).status == "submitted"
    assert any("may not" in str(m) for m in get_messages(response.wsgi_request))
