"""The Atom feed of incidents and updates, and the ICS calendar of scheduled maintenance."""

from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed

from incidents.statuspage import selectors


def _abs(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def atom_feed(*, now=None) -> str:
    now = now or timezone.now()
    entries = selectors.feed_entries(limit=settings.STATUSPAGE_FEED_ENTRIES)
    host = urlsplit(settings.SITE_URL).hostname or "localhost"
    feed = Atom1Feed(
        title="Marketplace status", link=_abs(reverse("statuspage:index")),
        description="Incidents and their public updates", language="en",
        feed_url=_abs(reverse("statuspage:feed-atom")), feed_guid=f"tag:{host},2026:status",
        feed_copyright="", ttl=None,
    )
    for entry in entries:
        incident = entry["incident"]
        feed.add_item(
            title=entry["title"], link=_abs(reverse("statuspage:incident", args=[incident.pk])),
            description=entry["summary"], unique_id=f"tag:{host},2026:status/{entry['id']}",
            unique_id_is_permalink=False, pubdate=entry["published"], updateddate=entry["updated"],
            categories=[entry["kind"]],
        )
    return feed.writeString("utf-8")


def maintenance_calendar(*, now=None) -> bytes:
    """Scheduled maintenance on public components from a week ago to the horizon. UIDs are
    stable per release/change; SEQUENCE and DTSTAMP follow its last update, so a calendar
    client replaces the event when its window moves."""
    from icalendar import Calendar, Event

    now = now or timezone.now()
    host = urlsplit(settings.SITE_URL).hostname or "localhost"
    items = selectors.maintenance_between(
        now - timedelta(days=7), now + timedelta(days=settings.STATUSPAGE_MAINTENANCE_HORIZON_DAYS))
    names = {c.pk: c.name for c in selectors.public_components()}
    cal = Calendar()
    cal.add("prodid", "-//Marketplace Ops//Status page maintenance//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", "Marketplace scheduled maintenance")
    for item in items:
        event = Event()
        comps = [names[i] for i in item["component_ids"] if i in names]
        updated = item.get("updated_at") or now
        event.add("uid", f"{item['kind']}-{item['id']}@{host}")
        event.add("summary", f"Maintenance: {item['title']}")
        event.add("description", f"Scheduled maintenance affecting {', '.join(comps)}.")
        event.add("dtstart", item["starts_at"])
        event.add("dtend", item["ends_at"])
        event.add("dtstamp", updated)
        event.add("last-modified", updated)
        event.add("sequence", int(updated.timestamp()))
        event.add("url", _abs(reverse("statuspage:index")))
        event.add("categories", comps or ["Maintenance"])
        event.add("status", "CONFIRMED")
        event.add("transp", "OPAQUE")
        cal.add_component(event)
    return cal.to_ical()
