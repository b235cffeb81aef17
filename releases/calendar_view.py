"""The change calendar (admin page, month and week) and its ICS feed: windows, freezes,
scheduled releases and changes, conflicts highlighted."""

from datetime import UTC, datetime, timedelta

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from icalendar import Calendar, Event

from marketplace_ops.services.calendar import windows_between
from releases import selectors
from releases.models import FreezePeriod
from releases.services.calendar import calendar_feed_token_rotate

MAX_SPAN = timedelta(days=120)


def collect(start: datetime, end: datetime) -> list[dict]:
    """Every calendar entry overlapping [start, end) as plain dicts, ordered by start."""
    entries = [{"kind": "window", "title": o.window.name, "start": o.start, "end": o.end, "conflict": False,
                "uid": f"window-{o.window.pk}-{o.start:%Y%m%d%H%M}", "url": ""}
               for o in windows_between(start, end)]
    for freeze in FreezePeriod.objects.filter(start__lt=end, end__gt=start).prefetch_related("components"):
        scope = ", ".join(c.name for c in freeze.components.all()) or "all components"
        entries.append({"kind": "freeze", "title": f"Freeze: {freeze.name} ({scope})", "start": freeze.start,
                        "end": freeze.end, "conflict": False, "uid": f"freeze-{freeze.pk}",
                        "url": reverse("admin:releases_freezeperiod_change", args=[freeze.pk])})
    releases, changes = selectors.calendar_items(start, end)
    for release in releases:
        entries.append({"kind": "release", "title": f"{release} — {release.title} ({release.get_status_display()})",
                        "start": release.scheduled_start, "end": release.scheduled_end,
                        "conflict": release.has_conflict, "uid": f"release-{release.pk}",
                        "url": reverse("admin:releases_release_change", args=[release.pk])})
    for change in changes:
        names = ", ".join(c.name for c in change.components.all())
        entries.append({"kind": "change", "title": f"{change} ({names}; {change.get_status_display()})",
                        "start": change.planned_start, "end": change.planned_end, "conflict": change.has_conflict,
                        "uid": f"change-{change.pk}",
                        "url": reverse("admin:releases_changerequest_change", args=[change.pk])})
    return sorted(entries, key=lambda e: (e["start"], e["kind"]))


def build_ics(start: datetime, end: datetime) -> bytes:
    cal = Calendar()
    cal.add("prodid", "-//Marketplace Ops//Change calendar//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", "Marketplace Ops change calendar")
    stamp = datetime.now(UTC)
    for entry in collect(start, end):
        event = Event()
        event.add("uid", f"{entry['uid']}@marketplace-ops")
        event.add("summary", ("⚠ CONFLICT " if entry["conflict"] else "") + entry["title"])
        event.add("dtstart", entry["start"])
        event.add("dtend", entry["end"] if entry["end"] > entry["start"] else entry["start"] + timedelta(minutes=1))
        event.add("dtstamp", stamp)
        event.add("categories", [entry["kind"]])
        cal.add_component(event)
    return cal.to_ical()


def _range(request):
    view = "week" if request.GET.get("view") == "week" else "month"
    try:
        anchor = datetime.strptime(request.GET.get("date", ""), "%Y-%m-%d").replace(tzinfo=UTC)
    except ValueError:
        anchor = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    if view == "week":
        start = anchor - timedelta(days=anchor.weekday())
        return view, start, start + timedelta(days=7), start - timedelta(days=7), start + timedelta(days=7)
    start = anchor.replace(day=1)
    end = (start + timedelta(days=32)).replace(day=1)
    return view, start, end, (start - timedelta(days=1)).replace(day=1), end


def calendar_page(model_admin, request):
    if request.method == "POST" and request.POST.get("rotate_feed_token"):
        raw = calendar_feed_token_rotate(user=request.user, acting_user=request.user)
        url = request.build_absolute_uri(reverse("releases:calendar-feed")) + f"?token={raw}"
        messages.success(request, f"Your new ICS feed address (shown once; the old one stops working): {url}")
        return redirect("admin:releases_calendar")
    view, start, end, previous, following = _range(request)
    entries = collect(start, min(end, start + MAX_SPAN))
    days = []
    day = start
    while day < end:
        next_day = day + timedelta(days=1)
        days.append({"date": day, "entries": [e for e in entries if e["start"] < next_day and e["end"] > day]})
        day = next_day
    weeks = [days[i:i + 7] for i in range(0, len(days), 7)] if view == "week" else None
    if view == "month":
        lead = [None] * start.weekday()
        cells = lead + days
        cells += [None] * (-len(cells) % 7)
        weeks = [cells[i:i + 7] for i in range(0, len(cells), 7)]
    context = model_admin.admin_site.each_context(request) | {
        "opts": model_admin.opts, "title": "Change calendar", "view": view, "start": start, "end": end,
        "weeks": weeks, "previous": previous, "following": following, "conflicts": [e for e in entries if e["conflict"]],
        "weekday_names": ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"],
    }
    return render(request, "admin/releases/calendar.html", context)
