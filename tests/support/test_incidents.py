"""A ticket can open an incident (source "ticket") or join an open one; links are plain ids."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from incidents.support.services import ticket_join_incident, ticket_open_incident
from marketplace_ops.models import Component
from tests.support.factories import make_ticket

pytestmark = pytest.mark.django_db


def test_ticket_opens_an_incident_and_is_linked(staff):
    from incidents.models import Incident

    gateway = Component.objects.create(name="Gateway I", slug="gateway-i")
    ticket = make_ticket(severity="high", subject="Gateway returns 503 for everyone")
    incident = ticket_open_incident(ticket=ticket, acting_user=staff["l1"], component_ids=[gateway.pk])
    ticket.refresh_from_db()
    assert ticket.incident_id == incident.pk
    stored = Incident.objects.get(pk=incident.pk)
    assert stored.source == "ticket" and stored.severity == "high"
    assert stored.title == "Gateway returns 503 for everyone"
    assert list(stored.components.values_list("pk", flat=True)) == [gateway.pk]
    with pytest.raises(ValidationError):
        ticket_open_incident(ticket=ticket, acting_user=staff["l1"])
    assert Incident.objects.count() == 1


def test_second_ticket_joins_the_incident_and_the_timeline_says_so(staff):
    from incidents.models import Incident

    first = make_ticket(severity="critical", subject="Portal down")
    incident = ticket_open_incident(ticket=first, acting_user=staff["l1"])
    second = make_ticket(severity="critical", subject="Cannot sign in to the portal", requester_email="b@x.example")
    ticket_join_incident(ticket=second, incident_id=incident.pk, acting_user=staff["l1"])
    second.refresh_from_db()
    assert second.incident_id == incident.pk
    timeline = Incident.objects.get(pk=incident.pk).timeline.values_list("message", flat=True)
    assert any(second.reference in m for m in timeline)


def test_joining_a_missing_incident_is_a_field_error(staff):
    ticket = make_ticket()
    with pytest.raises(ValidationError) as err:
        ticket_join_incident(ticket=ticket, incident_id=999999, acting_user=staff["l1"])
    assert "incident_id" in err.value.message_dict
    ticket.refresh_from_db()
    assert ticket.incident_id is None


def test_people_outside_support_cannot_link_incidents(staff):
    ticket = make_ticket()
    with pytest.raises(PermissionDenied):
        ticket_open_incident(ticket=ticket, acting_user=staff["other"])
