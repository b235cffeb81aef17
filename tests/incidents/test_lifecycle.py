"""Lifecycle, acknowledgement, commander and review rules, contracts other apps call."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django_fsm import TransitionNotAllowed

from incidents.models import Incident, TimelineEntry
from incidents.services import (
    action_item_add,
    action_items_remind,
    incident_add_note,
    incident_assign,
    incident_open,
    incident_reference,
    incident_resolve_by_key,
    incident_transition,
    postmortem_save,
)
from marketplace_ops.models import AuditEvent, Notification

pytestmark = pytest.mark.django_db
T0 = datetime(2026, 3, 4, 10, 0, tzinfo=UTC)
REVIEW = {"root_cause": "Expired TLS certificate", "contributing_factors": "No expiry alert",
          "impact": "All API calls failed for 40 minutes", "lessons_learned": "Automate renewals"}


def walk(incident, user, *names):
    for name in names:
        incident = incident_transition(incident=incident, transition=name, acting_user=user)
    return incident


def test_full_lifecycle_writes_timeline_entries_with_time_status_and_person(staff, time_machine):
    ivy = staff["ivy"]
    time_machine.move_to(T0, tick=False)
    incident = incident_open(title="Catalog slow", description="", severity="medium", acting_user=None)
    time_machine.move_to(T0 + timedelta(minutes=10), tick=False)
    incident = walk(incident, ivy, "investigate", "identify", "start_resolving")
    incident = incident_transition(incident=incident, transition="resolve", acting_user=ivy, resolution="Index rebuilt")
    incident = walk(incident, ivy, "close")
    assert incident.status == "closed" and incident.resolution == "Index rebuilt"
    assert incident.acknowledged_at == T0 + timedelta(minutes=10)
    assert incident.resolved_at == incident.closed_at == T0 + timedelta(minutes=10)
    entries = list(TimelineEntry.objects.filter(incident=incident, kind="status").order_by("id"))
    assert [e.status for e in entries] == ["detected", "investigating", "identified", "resolving", "resolved", "closed"]
    assert all(e.created_by == ivy for e in entries[1:])
    assert incident.history.first().history_user == ivy
    assert AuditEvent.objects.filter(event_type="incident.close").exists()


def test_invalid_transition_is_refused_with_a_clear_message(staff):
    incident = incident_open(title="x", description="", severity="low", acting_user=None)
    with pytest.raises(TransitionNotAllowed, match="while it is detected"):
        incident_transition(incident=incident, transition="resolve", acting_user=staff["ivy"])
    with pytest.raises(ValidationError):
        incident_transition(incident=incident, transition="explode", acting_user=staff["ivy"])
    assert Incident.objects.get(pk=incident.pk).status == "detected"


def test_critical_needs_a_commander_before_leaving_investigating(staff):
    incident = incident_open(title="Down", description="", severity="critical", acting_user=None)
    walk(incident, staff["ivy"], "investigate")
    with pytest.raises(ValidationError, match="incident commander"):
        incident_transition(incident=incident, transition="identify", acting_user=staff["ivy"])
    incident_assign(incident=incident, acting_user=staff["omar"], commander=staff["ivy"])
    assert walk(incident, staff["ivy"], "identify").status == "identified"


def test_closing_a_critical_incident_needs_a_finished_review(staff):
    ivy = staff["ivy"]
    incident = incident_open(title="Down", description="", severity="critical", acting_user=None)
    incident_assign(incident=incident, acting_user=ivy, commander=ivy)
    incident = walk(incident, ivy, "investigate", "identify", "start_resolving", "resolve")
    with pytest.raises(ValidationError, match="post-incident review"):
        walk(incident, ivy, "close")
    with pytest.raises(ValidationError) as exc:
        postmortem_save(incident=incident, acting_user=ivy, finish=True, root_cause="TLS")
    assert "lessons_learned" in exc.value.message_dict
    postmortem_save(incident=incident, acting_user=ivy, finish=True, **REVIEW)
    assert walk(incident, ivy, "close").status == "closed"
    assert Incident.objects.get(pk=incident.pk).root_cause == "Expired TLS certificate"


def test_reopen_returns_to_investigating(staff):
    ivy = staff["ivy"]
    incident = incident_open(title="x", description="", severity="low", acting_user=None)
    incident = walk(incident, ivy, "investigate", "identify", "start_resolving", "resolve", "reopen")
    assert incident.status == "investigating" and incident.resolved_at is None


def test_first_human_note_acknowledges(staff, time_machine):
    time_machine.move_to(T0, tick=False)
    incident = incident_open(title="x", description="", severity="high", acting_user=None)
    incident_add_note(incident=incident, message="Looking at the gateway logs", acting_user=None)
    assert Incident.objects.get(pk=incident.pk).acknowledged_at is None  # the system is not a responder
    time_machine.move_to(T0 + timedelta(minutes=3), tick=False)
    incident_add_note(incident=incident, message="On it", acting_user=staff["ian"])
    assert Incident.objects.get(pk=incident.pk).acknowledged_at == T0 + timedelta(minutes=3)
    with pytest.raises(ValidationError):
        incident_add_note(incident=incident, message="  ", acting_user=staff["ian"])


def test_open_with_external_key_is_idempotent_and_resolve_by_key(staff, system_actor):
    first = incident_open(title="RPO breached for user-db", description="", severity="high",
                          acting_user=None, external_key="backups:rpo:user-db")
    again = incident_open(title="RPO breached for user-db", description="", severity="high",
                          acting_user=None, external_key="backups:rpo:user-db")
    assert first.pk == again.pk and Incident.objects.count() == 1
    resolved = incident_resolve_by_key(external_key="backups:rpo:user-db", resolution="Backup succeeded", acting_user=None)
    assert resolved.pk == first.pk and resolved.status == "resolved" and resolved.resolution == "Backup succeeded"
    assert incident_resolve_by_key(external_key="backups:rpo:user-db", resolution="again", acting_user=None) is None
    third = incident_open(title="RPO breached again", description="", severity="high", acting_user=None,
                          external_key="backups:rpo:user-db")
    assert third.pk != first.pk


def test_open_refuses_bad_input(staff):
    with pytest.raises(ValidationError) as exc:
        incident_open(title=" ", description="", severity="urgent", component_ids=[999999], acting_user=None)
    assert set(exc.value.message_dict) == {"title", "severity", "component_ids"}
    assert not Incident.objects.exists()


def test_incident_reference(staff):
    incident = incident_open(title="Portal login fails", description="", severity="high", acting_user=None)
    ref = incident_reference(incident.pk)
    assert ref == {"id": incident.pk, "title": "Portal login fails", "status": "detected", "severity": "high",
                   "url": f"http://testserver/admin/incidents/incident/{incident.pk}/change/"}
    assert incident_reference(987654) is None and incident_reference("nope") is None


def test_overdue_action_items_remind_their_owner_once_a_day(staff):
    incident = incident_open(title="x", description="", severity="low", acting_user=None)
    action_item_add(incident=incident, description="Add alert", owner=staff["erin"], due_date=date(2026, 3, 1),
                    acting_user=staff["ivy"])
    action_item_add(incident=incident, description="Later", owner=staff["erin"], due_date=date(2026, 4, 1),
                    acting_user=staff["ivy"])
    Notification.objects.all().delete()
    assert action_items_remind(today=date(2026, 3, 4)) == 1
    assert action_items_remind(today=date(2026, 3, 4)) == 0
    assert action_items_remind(today=date(2026, 3, 5)) == 1
    rows = Notification.objects.filter(event="incidents.action_item_overdue")
    assert [r.recipient_address for r in rows] == ["erin@example.com", "erin@example.com"]
    assert "Add alert" in rows[0].subject
