from datetime import timedelta

import feedparser
import icalendar
import pytest
from django.utils import timezone

from tests.statuspage.conftest import outbox

pytestmark = pytest.mark.django_db


@pytest.fixture
def calendar(monkeypatch, components):
    """The releases app's maintenance contract, with items the test controls."""
    items = []

    def upcoming_maintenance(*, start, end, public_only=True):
        return [dict(i) for i in items if i["starts_at"] < end and i["ends_at"] > start]

    import releases.services

    monkeypatch.setattr(releases.services, "upcoming_maintenance", upcoming_maintenance)
    return items


def _item(components, *, start, hours=2, id=1, kind="release", updated=None):
    return {"kind": kind, "id": id, "title": f"SP Gateway 2.{id}.0: connection pool upgrade",
            "component_ids": [components["gateway"].pk], "starts_at": start, "ends_at": start + timedelta(hours=hours),
            "status": "approved", "updated_at": updated or timezone.now()}


def test_atom_feed_parses_with_incidents_and_updates(client, components, open_incident, post_update):
    incident = open_incident(title="Gateway errors", components=[components["gateway"]])
    post_update(incident, "Investigating elevated errors.")
    open_incident(title="Hidden billing", components=[components["secret"]])
    response = client.get("/status/feed.atom")
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.bozo_exception
    assert feed.version == "atom10"
    titles = [e.title for e in feed.entries]
    assert "Gateway errors" in titles and "Detected: Gateway errors" in titles
    assert all("Hidden billing" not in t for t in titles)
    update = next(e for e in feed.entries if e.title == "Detected: Gateway errors")
    assert update.summary == "Investigating elevated errors."
    assert update.link.endswith(f"/status/incidents/{incident.pk}/")
    assert len({e.id for e in feed.entries}) == len(feed.entries)


def test_ics_parses_and_uid_is_stable_when_times_change(client, components, calendar):
    start = timezone.now().replace(microsecond=0) + timedelta(days=3)
    calendar.append(_item(components, start=start, updated=timezone.now() - timedelta(hours=1)))
    first = icalendar.Calendar.from_ical(client.get("/status/maintenance.ics").content)
    [event] = first.walk("VEVENT")
    uid, seq = str(event["UID"]), int(event["SEQUENCE"])
    assert event.decoded("DTSTART") == start
    assert "connection pool upgrade" in str(event["SUMMARY"])

    calendar[0] = _item(components, start=start + timedelta(hours=4), updated=timezone.now())
    second = icalendar.Calendar.from_ical(client.get("/status/maintenance.ics").content)
    [moved] = second.walk("VEVENT")
    assert str(moved["UID"]) == uid
    assert int(moved["SEQUENCE"]) > seq
    assert moved.decoded("DTSTART") == start + timedelta(hours=4)


def test_status_page_lists_upcoming_and_active_maintenance(client, components, calendar):
    now = timezone.now()
    calendar.append(_item(components, start=now + timedelta(days=2), id=1))
    calendar.append(_item(components, start=now - timedelta(minutes=30), id=2))
    body = client.get("/status/").content.decode()
    assert "SP Gateway 2.1.0" in body and "Maintenance in progress" in body
    assert 'data-component="sp-gateway" data-status="under_maintenance"' in body


def test_maintenance_emails_scheduled_rescheduled_started_completed_once(components, calendar, confirmed_subscriber,
                                                                        started_sweep):
    import time_machine

    confirmed_subscriber("gw@example.com", components=[components["gateway"]])
    confirmed_subscriber("cat@example.com", components=[components["catalog"]])
    now = timezone.now()
    start = now + timedelta(hours=3)
    calendar.append(_item(components, start=start))
    started_sweep()
    started_sweep(now=now + timedelta(minutes=1))
    calendar[0] = _item(components, start=start + timedelta(hours=1))  # window moved
    started_sweep(now=now + timedelta(minutes=2))
    with time_machine.travel(start + timedelta(hours=1, minutes=5)):
        started_sweep(now=start + timedelta(hours=1, minutes=5))
        started_sweep(now=start + timedelta(hours=1, minutes=6))
    with time_machine.travel(start + timedelta(hours=3, minutes=1)):
        started_sweep(now=start + timedelta(hours=3, minutes=1))
    rows = [n for n in outbox() if n.event != "statuspage.confirm"]
    assert {n.recipient_address for n in rows} == {"gw@example.com"}
    assert [n.event for n in rows] == ["statuspage.maintenance_scheduled", "statuspage.maintenance_scheduled",
                                       "statuspage.maintenance_started", "statuspage.maintenance_completed"]
    assert "rescheduled" in rows[1].subject.lower()
