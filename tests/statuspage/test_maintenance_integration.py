"""Scheduled maintenance end to end with the releases app's real services: an approved release
in the Sunday window is on the page and in the ICS feed, and its subscribers hear when it is
scheduled, starts and completes (after the release completes early)."""

from datetime import UTC, datetime, timedelta

import icalendar
import pytest
import time_machine

from tests.statuspage.conftest import outbox

pytestmark = pytest.mark.django_db

PLANNING = datetime(2026, 12, 30, 12, 0, tzinfo=UTC)  # more than a week of notice
WINDOW = datetime(2027, 1, 10, 1, 0, tzinfo=UTC)  # Sunday 01:00–05:00 UTC, a primary window


@pytest.fixture
def approved_release(make_user, components):
    from releases.services import release_approve, release_create
    from releases.services.announcements import release_send_announcement

    author = make_user("erin.author", roles=["engineering"])
    approvers = {r: make_user(f"{r}.approver", roles=[r]) for r in ("product", "engineering", "security", "operations")}
    with time_machine.travel(PLANNING, tick=False):
        release = release_create(
            acting_user=author, component=components["gateway"], release_type="minor", version="",
            title="Connection pool upgrade", rollback_plan="Redeploy the previous image.",
            verification_steps="Smoke test", scheduled_start=WINDOW,
            changes=[{"change_type": "feature", "description": "Bigger pool", "ticket_id": "GW-9"}])
        for role in release.required_roles:
            release_approve(release=release, role=role, acting_user=approvers[role], approved=True)
        release = release_send_announcement(release=release, acting_user=author)  # the notice period starts
    assert release.status == "approved"
    return release, author


def test_release_maintenance_on_page_feed_and_emails(client, components, approved_release, confirmed_subscriber, sweep):
    from releases.services import release_complete, release_deploy

    release, author = approved_release
    with time_machine.travel(PLANNING, tick=False):
        confirmed_subscriber("gw@example.com", components=[components["gateway"]])
        confirmed_subscriber("cat@example.com", components=[components["catalog"]])
        sweep()  # the status page is switched on: what is scheduled now is announced
        sweep(now=PLANNING + timedelta(minutes=1))
        body = client.get("/status/").content.decode()
        assert "Connection pool upgrade" in body and "No maintenance is scheduled" not in body
        cal = icalendar.Calendar.from_ical(client.get("/status/maintenance.ics").content)
        [event] = cal.walk("VEVENT")
        assert str(event["UID"]).startswith(f"release-{release.pk}@")
        assert event.decoded("DTSTART") == WINDOW

    during = WINDOW + timedelta(minutes=10)
    with time_machine.travel(during, tick=False):
        sweep(now=during)
        body = client.get("/status/").content.decode()
        assert 'data-component="sp-gateway" data-status="under_maintenance"' in body
        release_deploy(release=release, acting_user=author)
        release.refresh_from_db()
        item = release.verification_items.get()
        release_complete(release=release, acting_user=author, checked_item_ids=[item.pk])
        sweep(now=during + timedelta(minutes=1))  # completed early: it left the calendar
        sweep(now=during + timedelta(minutes=2))
    events = [(n.event, n.recipient_address) for n in outbox() if n.event != "statuspage.confirm"]
    assert events == [("statuspage.maintenance_scheduled", "gw@example.com"),
                      ("statuspage.maintenance_started", "gw@example.com"),
                      ("statuspage.maintenance_completed", "gw@example.com")]
