"""Ticket SLA clocks: the source document's table, the pause while waiting on the customer, the
breach sweep (once per clock), a severity change."""

from datetime import UTC, datetime, timedelta

import pytest

from incidents.support.choices import SlaClock, TicketStatus
from incidents.support.models import Ticket
from incidents.support.services import (
    ticket_reply,
    ticket_requester_reply,
    ticket_resolve,
    ticket_set_severity,
    ticket_sla_sweep,
)
from marketplace_ops.models import Notification
from tests.support.factories import make_ticket

pytestmark = pytest.mark.django_db

WED = datetime(2026, 12, 2, 10, 0, tzinfo=UTC)  # a Wednesday, no holiday nearby


@pytest.mark.parametrize(
    "severity, response, resolution",
    [
        ("critical", timedelta(minutes=30), timedelta(hours=4)),
        ("high", timedelta(hours=2), timedelta(hours=8)),
        ("medium", timedelta(hours=4), timedelta(hours=24)),
    ],
)
def test_wall_clock_deadlines_follow_the_table(severity, response, resolution, time_machine):
    time_machine.move_to(WED, tick=False)
    ticket = make_ticket(severity=severity)
    assert ticket.response_due == WED + response
    assert ticket.resolution_due == WED + resolution


def test_low_severity_resolves_in_five_business_days_across_christmas_and_a_weekend(time_machine):
    opened = datetime(2026, 12, 23, 10, 0, tzinfo=UTC)  # Wednesday; Fri 25 Dec is a US holiday
    time_machine.move_to(opened, tick=False)
    ticket = make_ticket(severity="low")
    assert ticket.response_due == opened + timedelta(hours=8)
    # Wed 7 h + Thu 8 h + (Fri holiday, weekend) + Mon 8 + Tue 8 + Wed 8 = 39 h, 1 h on Thu 31.
    assert ticket.resolution_due == datetime(2026, 12, 31, 10, 0, tzinfo=UTC)


def test_waiting_on_customer_pauses_the_resolution_clock_and_resume_moves_the_deadline(staff, time_machine):
    time_machine.move_to(WED, tick=False)
    ticket = make_ticket(severity="medium")
    assert ticket.resolution_due == WED + timedelta(hours=24)

    time_machine.move_to(WED + timedelta(hours=1), tick=False)
    ticket_reply(ticket=ticket, body="Which key prefix do you use?", acting_user=staff["l1"], wait_on_customer=True)
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.WAITING_ON_CUSTOMER
    assert ticket.paused_at == WED + timedelta(hours=1)

    # Long after the original deadline, the sweep records no resolution breach while paused.
    time_machine.move_to(WED + timedelta(hours=30), tick=False)
    assert ticket_sla_sweep() == 0
    ticket.refresh_from_db()
    assert ticket.resolution_breached_at is None

    ticket_requester_reply(ticket=ticket, body="It starts with sbx_.")
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.IN_PROGRESS
    assert ticket.paused_at is None
    assert ticket.paused_total == timedelta(hours=29)
    assert ticket.resolution_due == WED + timedelta(hours=24 + 29)

    time_machine.move_to(WED + timedelta(hours=52), tick=False)
    assert ticket_sla_sweep() == 0
    time_machine.move_to(WED + timedelta(hours=53, minutes=1), tick=False)
    assert ticket_sla_sweep() == 1
    ticket.refresh_from_db()
    assert ticket.breached_clocks() == [SlaClock.RESOLUTION]


def test_pause_of_a_business_day_clock_counts_business_time_only(staff, time_machine):
    opened = datetime(2026, 12, 23, 10, 0, tzinfo=UTC)
    time_machine.move_to(opened, tick=False)
    ticket = make_ticket(severity="low")
    time_machine.move_to(datetime(2026, 12, 24, 12, 0, tzinfo=UTC), tick=False)
    ticket_reply(ticket=ticket, body="Can you send a request id?", acting_user=staff["l1"], wait_on_customer=True)
    time_machine.move_to(datetime(2026, 12, 28, 12, 0, tzinfo=UTC), tick=False)  # Monday, over Christmas
    ticket_requester_reply(ticket=ticket, body="req-42")
    ticket.refresh_from_db()
    # Thu 12–17 (5 h) + Mon 9–12 (3 h) of business time were paused.
    assert ticket.paused_total == timedelta(hours=8)
    # Thu 31 10:00 + 8 business hours: 7 h on Thu 31, Fri 1 Jan is a holiday → Mon 4 Jan 10:00.
    assert ticket.resolution_due == datetime(2027, 1, 4, 10, 0, tzinfo=UTC)


def test_response_breach_is_recorded_and_notified_once(staff, time_machine):
    time_machine.move_to(WED, tick=False)
    ticket = make_ticket(severity="critical")
    time_machine.move_to(WED + timedelta(minutes=31), tick=False)
    assert ticket_sla_sweep() == 1
    assert ticket_sla_sweep() == 0  # a second run does nothing
    ticket.refresh_from_db()
    assert ticket.response_breached_at == WED + timedelta(minutes=31)
    breach_mails = Notification.objects.filter(event="support.sla_breached")
    assert sorted(breach_mails.values_list("recipient_address", flat=True)) == ["lena@example.com"]
    assert ticket.messages.filter(body__startswith="SLA breached: the response clock").count() == 1


def test_answered_ticket_does_not_breach_its_response_clock(staff, time_machine):
    time_machine.move_to(WED, tick=False)
    ticket = make_ticket(severity="critical")
    time_machine.move_to(WED + timedelta(minutes=10), tick=False)
    ticket_reply(ticket=ticket, body="Looking at it now.", acting_user=staff["l1"])
    time_machine.move_to(WED + timedelta(minutes=45), tick=False)
    assert ticket_sla_sweep() == 0
    ticket.refresh_from_db()
    assert ticket.first_response_at == WED + timedelta(minutes=10)
    assert ticket.next_update_due == WED + timedelta(minutes=70)  # critical: hourly updates


def test_resolved_ticket_never_breaches(staff, time_machine):
    time_machine.move_to(WED, tick=False)
    ticket = make_ticket(severity="high")
    ticket_reply(ticket=ticket, body="Fixed on our side.", acting_user=staff["l1"])
    ticket_resolve(ticket=ticket, resolution="Key cache flushed.", acting_user=staff["l1"])
    time_machine.move_to(WED + timedelta(days=3), tick=False)
    assert ticket_sla_sweep() == 0


def test_severity_change_recomputes_the_clocks_from_opening(staff, time_machine):
    time_machine.move_to(WED, tick=False)
    ticket = make_ticket(severity="low")
    time_machine.move_to(WED + timedelta(minutes=20), tick=False)
    ticket = ticket_set_severity(ticket=ticket, severity="critical", acting_user=staff["l1"])
    assert ticket.response_due == WED + timedelta(minutes=30)
    assert ticket.resolution_due == WED + timedelta(hours=4)
    assert ticket.messages.filter(body__contains="Severity changed from low to critical").exists()
    assert Ticket.history.filter(id=ticket.pk, history_change_reason__contains="low → critical").exists()


def test_overdue_update_reminds_the_assignee_once_per_due_time(staff, time_machine):
    time_machine.move_to(WED, tick=False)
    ticket = make_ticket(severity="critical")
    ticket_reply(ticket=ticket, body="Investigating.", acting_user=staff["l1"])
    from incidents.support.services import ticket_assign

    ticket_assign(ticket=ticket, assignee=staff["l1"], acting_user=staff["l1"])
    time_machine.move_to(WED + timedelta(minutes=59), tick=False)
    assert ticket_sla_sweep() == 0
    time_machine.move_to(WED + timedelta(minutes=61), tick=False)
    assert ticket_sla_sweep() == 1
    assert ticket_sla_sweep() == 0
    reminders = Notification.objects.filter(event="support.update_due")
    assert list(reminders.values_list("recipient_address", flat=True)) == ["lena@example.com"]
    time_machine.move_to(WED + timedelta(minutes=62), tick=False)
    ticket_reply(ticket=ticket, body="Still on it; next update within the hour.", acting_user=staff["l1"])
    time_machine.move_to(WED + timedelta(minutes=123), tick=False)
    assert ticket_sla_sweep() == 1
    assert reminders.count() == 2


def test_a_late_first_reply_or_late_resolution_still_records_the_breach(staff, time_machine):
    time_machine.move_to(WED, tick=False)
    ticket = make_ticket(severity="critical")
    time_machine.move_to(WED + timedelta(minutes=45), tick=False)  # before any sweep ran
    ticket_reply(ticket=ticket, body="Sorry for the wait.", acting_user=staff["l1"])
    ticket.refresh_from_db()
    assert ticket.response_breached_at == WED + timedelta(minutes=45)
    time_machine.move_to(WED + timedelta(hours=5), tick=False)
    ticket = ticket_resolve(ticket=ticket, resolution="Fixed.", acting_user=staff["l1"])
    assert ticket.breached_clocks() == [SlaClock.RESPONSE, SlaClock.RESOLUTION]
    assert ticket_sla_sweep() == 0


def test_a_timely_reply_records_no_breach(staff, time_machine):
    time_machine.move_to(WED, tick=False)
    ticket = make_ticket(severity="high")
    time_machine.move_to(WED + timedelta(minutes=90), tick=False)
    ticket_reply(ticket=ticket, body="On it.", acting_user=staff["l1"])
    ticket = ticket_resolve(ticket=ticket, resolution="Done.", acting_user=staff["l1"])
    assert ticket.breached_clocks() == []


def test_resolved_tickets_close_automatically_unless_reopened(staff, time_machine, settings):
    settings.SUPPORT_AUTO_CLOSE_DAYS = 7
    time_machine.move_to(WED, tick=False)
    quiet = make_ticket(severity="low", subject="Quiet")
    reopened = make_ticket(severity="low", subject="Reopened", requester_email="b@x.example")
    for t in (quiet, reopened):
        ticket_reply(ticket=t, body="Done.", acting_user=staff["l1"])
        ticket_resolve(ticket=t, resolution="Done.", acting_user=staff["l1"])
    time_machine.move_to(WED + timedelta(days=3), tick=False)
    ticket_requester_reply(ticket=reopened, body="Not fixed.")
    time_machine.move_to(WED + timedelta(days=6, hours=23), tick=False)
    ticket_sla_sweep()
    quiet.refresh_from_db()
    assert quiet.status == TicketStatus.RESOLVED
    time_machine.move_to(WED + timedelta(days=7, minutes=1), tick=False)
    ticket_sla_sweep()
    quiet.refresh_from_db()
    reopened.refresh_from_db()
    assert quiet.status == TicketStatus.CLOSED and quiet.closed_at == WED + timedelta(days=7, minutes=1)
    assert reopened.status == TicketStatus.IN_PROGRESS
