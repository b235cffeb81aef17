"""Each channel × audience reaches exactly the intended recipients."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from incidents.models import Communication, Incident
from incidents.selectors import public_incidents, public_updates
from incidents.services import incident_communicate, incident_open
from incidents.signals import public_update_posted
from marketplace_ops.models import Component, DistributionList, DistributionListMember, Notification

pytestmark = pytest.mark.django_db
T0 = datetime(2026, 3, 4, 10, 0, tzinfo=UTC)


def dlist(slug, emails, components=(), events=()):
    item = DistributionList.objects.create(name=slug, slug=slug, event_types=list(events))
    item.components.set(components)
    for email in emails:
        DistributionListMember.objects.create(distribution_list=item, email=email)
    return item


@pytest.fixture
def world(staff, time_machine):
    time_machine.move_to(T0, tick=False)
    gateway = Component.objects.get_or_create(slug="api-gateway", defaults={"name": "API Gateway"})[0]
    analytics = Component.objects.get_or_create(slug="analytics", defaults={"name": "Analytics"})[0]
    DistributionList.objects.all().delete()
    dlist("gw", ["g1@partner.example", "g2@partner.example"], [gateway])
    dlist("data", ["a1@partner.example"], [analytics])
    dlist("everyone", ["c1@acme.example"])
    dlist("releases-only", ["x@acme.example"], events=["releases.announced"])
    incident = incident_open(title="Gateway errors", description="", severity="high", component_ids=[gateway.pk],
                             acting_user=None)
    Notification.objects.all().delete()
    mail.outbox.clear()
    return {"incident": incident, "gateway": gateway, **staff}


def sent(channel="email"):
    return sorted(Notification.objects.filter(event="incidents.communication", channel=channel)
                  .values_list("recipient_address", flat=True))


def communicate(world, channel, audience, **kw):
    return incident_communicate(incident=world["incident"], channel=channel, audience=audience,
                                acting_user=world["ivy"], **kw)


def test_email_to_affected_users_reaches_subscribers_of_the_components(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        communication = communicate(world, "email", "affected_users", template="investigating")
    assert sent() == ["c1@acme.example", "g1@partner.example", "g2@partner.example"]
    assert sorted(m.to[0] for m in mail.outbox) == sent()
    assert "API Gateway" in mail.outbox[0].body and communication.recipient_count == 3
    assert communication.subject == "Investigating: Gateway errors"


def test_email_to_all_users_reaches_every_subscribed_list(world):
    communicate(world, "email", "all_users", message="We are on it.")
    assert sent() == ["a1@partner.example", "c1@acme.example", "g1@partner.example", "g2@partner.example"]


def test_email_internal_reaches_staff_groups_only(world):
    communicate(world, "email", "internal", message="War room in #inc")
    assert sent() == ["ian@example.com", "ivy@example.com", "omar@example.com"]


def test_sms_internal_reaches_staff_with_phones(world):
    communicate(world, "sms", "internal", message="Gateway down, join the bridge")
    assert sent("sms") == ["+14155550100", "+14155550111"] and sent() == []


def test_in_app_reaches_staff_inboxes_only(world):
    communicate(world, "in_app", "internal", message="Status meeting at 11")
    rows = Notification.objects.filter(event="incidents.communication")
    assert sorted(r.recipient_user.username for r in rows) == ["ian", "ivy", "omar"]
    assert {r.channel for r in rows} == {"in_app"} and {r.status for r in rows} == {"sent"}


def test_status_page_is_a_public_update_that_resets_the_update_clock(world):
    received = []
    public_update_posted.connect(lambda sender, communication, incident, **kw: received.append(communication.pk), weak=False)
    incident = world["incident"]
    assert incident.update_due_at == T0 + timedelta(hours=4)
    with __import__("time_machine").travel(T0 + timedelta(hours=1), tick=False):
        communication = communicate(world, "status_page", "all_users", template="identified")
    assert communication.is_public and communication.channel == "status_page"
    assert not Notification.objects.filter(event="incidents.communication").exists()
    assert Incident.objects.get(pk=incident.pk).update_due_at == T0 + timedelta(hours=5)
    assert [c.pk for c in public_updates(incident)] == [communication.pk]
    listed = public_incidents(now=T0 + timedelta(hours=1))
    assert [i.pk for i in listed] == [incident.pk] and listed[0].public_updates == [communication]
    internal = communicate(world, "email", "internal", message="internal only")
    assert not internal.is_public and [c.pk for c in public_updates(incident)] == [communication.pk]


@pytest.mark.parametrize("channel,audience,field", [
    ("sms", "affected_users", "audience"),
    ("in_app", "all_users", "audience"),
    ("status_page", "internal", "audience"),
    ("carrier_pigeon", "internal", "channel"),
])
def test_impossible_combinations_are_refused_and_nothing_is_sent(world, channel, audience, field):
    with pytest.raises(ValidationError) as exc:
        communicate(world, channel, audience, message="hello")
    assert field in exc.value.message_dict
    assert not Communication.objects.exists() and not Notification.objects.exists()


def test_a_message_or_template_is_required(world):
    with pytest.raises(ValidationError) as exc:
        communicate(world, "email", "internal")
    assert "message" in exc.value.message_dict


def test_affected_users_need_components(world):
    bare = incident_open(title="Unknown", description="", severity="low", acting_user=None)
    with pytest.raises(ValidationError) as exc:
        incident_communicate(incident=bare, channel="email", audience="affected_users", message="x", acting_user=world["ivy"])
    assert "components" in exc.value.message_dict["audience"][0]
