from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine

from incidents.statuspage import uptime

NOW = datetime(2026, 11, 30, 23, 59, 59, 999999, tzinfo=UTC)  # the last instant of a day: 90 full days
TODAY = NOW.date()


def test_thirty_minute_major_outage_gives_the_day_and_the_90_day_percentage():
    day = date(2026, 11, 20)
    start = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
    rows = uptime.compute_days([(start, start + timedelta(minutes=30), "major_outage", 7, "Gateway down")],
                               days=90, today=TODAY, now=NOW)
    assert len(rows) == 90
    bar = next(r for r in rows if r.day == day)
    assert bar.worst == "major_outage"
    assert bar.impact_minutes == 30
    assert bar.incidents == [(7, "Gateway down")]
    assert bar.uptime_pct == pytest.approx(100 * (1 - 30 / 1440), abs=1e-3)  # 97.917 %
    others = [r for r in rows if r.day != day]
    assert all(r.worst == "operational" and r.impact_minutes == 0 for r in others)
    assert uptime.uptime_percentage(rows) == pytest.approx(100 * (1 - 30 / (90 * 1440)), abs=1e-4)  # 99.977 %
    assert uptime.format_pct(uptime.uptime_percentage(rows)) == "99.98%"


def test_overlaps_count_once_and_worse_impact_hides_milder():
    s = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
    rows = uptime.compute_days([
        (s, s + timedelta(minutes=60), "degraded_performance", 1, "slow"),
        (s + timedelta(minutes=10), s + timedelta(minutes=40), "major_outage", 2, "down"),
        (s + timedelta(minutes=20), s + timedelta(minutes=30), "major_outage", 3, "down too"),
    ], days=3, today=date(2026, 11, 20), now=NOW)
    bar = rows[-1]
    assert bar.minutes == pytest.approx({"degraded_performance": 30.0, "major_outage": 30.0})
    assert bar.worst == "major_outage"
    assert bar.downtime_minutes == pytest.approx(30.0)


def test_outage_across_midnight_splits_between_days_and_partial_weighs_30_percent():
    s = datetime(2026, 11, 19, 23, 0, tzinfo=UTC)
    rows = uptime.compute_days([(s, s + timedelta(hours=2), "partial_outage", 1, "x")],
                               days=2, today=date(2026, 11, 20), now=NOW)
    assert [r.impact_minutes for r in rows] == [60, 60]
    assert rows[0].downtime_minutes == pytest.approx(18.0)


def test_today_is_observed_only_up_to_now():
    now = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
    rows = uptime.compute_days([(now - timedelta(minutes=30), now + timedelta(hours=5), "major_outage", 1, "x")],
                               days=1, today=now.date(), now=now)
    assert rows[0].observed_minutes == 720
    assert rows[0].impact_minutes == 30


@pytest.mark.django_db
def test_status_page_bar_and_percentage_from_a_real_incident(client, components, open_incident, responder):
    from incidents.services import incident_transition

    gateway = components["gateway"]
    with time_machine.travel(datetime(2026, 11, 20, 10, 0, tzinfo=UTC), tick=False):
        incident = open_incident(title="Gateway down", severity="critical", components=[gateway])
    with time_machine.travel(datetime(2026, 11, 20, 10, 30, tzinfo=UTC), tick=False):
        from incidents.models import Incident

        # a critical incident needs a commander to leave investigating; then the normal lifecycle
        Incident.objects.filter(pk=incident.pk).update(commander=responder)
        for step in ("investigate", "identify", "start_resolving", "resolve"):
            incident = incident_transition(incident=incident, transition=step, acting_user=responder)
    assert incident.resolved_at == datetime(2026, 11, 20, 10, 30, tzinfo=UTC)
    with time_machine.travel(NOW, tick=False):
        from incidents.statuspage.selectors import status_overview

        state = next(s for s in status_overview()["components"] if s.component == gateway)
        body = client.get("/status/").content.decode()
        catalog = next(s for s in status_overview()["components"] if s.component == components["catalog"])
    bar = next(d for d in state.days if d.day == date(2026, 11, 20))
    assert (bar.worst, bar.impact_minutes) == ("major_outage", 30)
    assert state.uptime_text == "99.98%"
    assert 'data-day="2026-11-20" data-impact="major_outage" data-minutes="30"' in body
    assert "99.98% uptime" in body
    assert catalog.uptime_text == "100.00%"
