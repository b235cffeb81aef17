import smtplib
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from marketplace_ops.choices import NotificationStatus
from marketplace_ops.models import Component, DistributionList, DistributionListMember, Notification
from marketplace_ops.services import notifications
from marketplace_ops.services.notifications import notify, subscribed_lists, sweep_pending
from marketplace_ops.tasks import deliver_notifications

pytestmark = pytest.mark.django_db
EVENT = "marketplace_ops.test_email"


def test_rows_are_written_in_the_callers_transaction_and_sent_after_commit(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            rows = notify(event=EVENT, recipients=["a@example.com", "b@example.com"], context={})
            assert len(mail.outbox) == 0  # nothing leaves before commit
    assert len(rows) == 2
    assert sorted(m.to[0] for m in mail.outbox) == ["a@example.com", "b@example.com"]
    assert set(Notification.objects.values_list("status", flat=True)) == {NotificationStatus.SENT}
    message = mail.outbox[0]
    assert message.subject == "Marketplace Ops test email"
    assert message.alternatives and "outbox" in message.alternatives[0][0]


def test_rollback_leaves_no_row_and_sends_nothing(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError):
            with transaction.atomic():
                notify(event=EVENT, recipients=["a@example.com"], context={})
                raise RuntimeError("the change failed")
    assert Notification.objects.count() == 0 and mail.outbox == []


def test_unknown_event_is_refused():
    with pytest.raises(notifications.UnknownEventType):
        notify(event="nobody.knows", recipients=["a@example.com"], context={})


def test_recipients_are_deduplicated_across_users_lists_and_addresses(make_user):
    alice = make_user("alice", email="alice@example.com")
    dlist = DistributionList.objects.create(name="Stakeholders", slug="stakeholders")
    DistributionListMember.objects.create(distribution_list=dlist, email="ALICE@example.com")
    DistributionListMember.objects.create(distribution_list=dlist, email="bob@example.com")
    rows = notify(event=EVENT, recipients=[alice, dlist, "bob@example.com"], context={})
    assert sorted(r.recipient_address.lower() for r in rows) == ["alice@example.com", "bob@example.com"]
    assert rows[0].recipient_user == alice  # the user entry came first and is kept, so it shows in her inbox


def test_subscriptions_per_event_type_and_component():
    gateway = Component.objects.create(name="Gateway", slug="gw")
    portal = Component.objects.create(name="Portal", slug="portal")
    everything = DistributionList.objects.create(name="All", slug="all")
    gateway_only = DistributionList.objects.create(name="GW", slug="gw-list", event_types=["marketplace_ops.announcement"])
    gateway_only.components.add(gateway)
    other_event = DistributionList.objects.create(name="Other", slug="other", event_types=["x.y"])
    assert set(subscribed_lists(event="marketplace_ops.announcement", components=[gateway])) == {everything, gateway_only}
    assert set(subscribed_lists(event="marketplace_ops.announcement", components=[portal])) == {everything}
    assert other_event not in subscribed_lists(event="marketplace_ops.announcement", components=[gateway])


class FlakySMTP:
    """An email backend that refuses the first `failures` messages."""

    failures = 0
    sent = []

    def __init__(self, *args, **kwargs):
        pass

    def open(self):
        return True

    def close(self):
        pass

    def send_messages(self, messages):
        if FlakySMTP.failures > 0:
            FlakySMTP.failures -= 1
            raise smtplib.SMTPServerDisconnected("connection unexpectedly closed")
        FlakySMTP.sent.extend(messages)
        return len(messages)


@pytest.fixture
def flaky_smtp(settings):
    settings.EMAIL_BACKEND = "tests.marketplace_ops.test_notifications.FlakySMTP"
    FlakySMTP.failures = 0
    FlakySMTP.sent = []
    return FlakySMTP


def test_smtp_refusal_is_retried_with_backoff_and_visible(flaky_smtp):
    flaky_smtp.failures = 1
    row = notify(event=EVENT, recipients=["a@example.com"], context={})[0]
    sent, retry = notifications.deliver([row.pk])
    row.refresh_from_db()
    assert (sent, retry) == ([], [row.pk])
    assert row.status == NotificationStatus.PENDING and row.attempts == 1
    assert "SMTPServerDisconnected" in row.last_error
    assert row.next_attempt_at > timezone.now() + timedelta(seconds=25)
    sent, retry = notifications.deliver([row.pk])
    row.refresh_from_db()
    assert sent == [row.pk] and row.status == NotificationStatus.SENT and row.attempts == 2 and row.last_error == ""
    assert len(flaky_smtp.sent) == 1


def test_backoff_grows_exponentially_and_is_capped():
    assert [notifications.backoff(n).total_seconds() for n in (1, 2, 3, 4)] == [30, 60, 120, 240]
    assert notifications.backoff(20) == timedelta(hours=1)


def test_after_max_attempts_the_row_is_failed_and_can_be_retried_from_admin(
    flaky_smtp, client, make_user, django_capture_on_commit_callbacks
):
    flaky_smtp.failures = 100
    row = notify(event=EVENT, recipients=["a@example.com"], context={})[0]
    for _ in range(notifications.MAX_ATTEMPTS):
        notifications.deliver([row.pk])
    row.refresh_from_db()
    assert row.status == NotificationStatus.FAILED and row.attempts == notifications.MAX_ATTEMPTS
    admin_user = make_user("root", superuser=True)
    client.force_login(admin_user)
    page = client.get(reverse("admin:marketplace_ops_notification_changelist") + "?status__exact=failed")
    assert b"SMTPServerDisconnected" in page.content
    flaky_smtp.failures = 0
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("admin:marketplace_ops_notification_changelist"),
            {"action": "retry_failed", "_selected_action": [row.pk]},
        )
    row.refresh_from_db()
    assert row.status == NotificationStatus.SENT and len(flaky_smtp.sent) == 1


def test_a_row_marked_sent_is_never_sent_again():
    row = notify(event=EVENT, recipients=["a@example.com"], context={})[0]
    deliver_notifications.apply(args=[[row.pk]])
    deliver_notifications.apply(args=[[row.pk]])
    notifications.deliver([row.pk])
    assert len(mail.outbox) == 1


def test_broker_down_at_commit_keeps_rows_and_the_sweep_delivers_exactly_once(monkeypatch, django_capture_on_commit_callbacks):
    def broker_down(*args, **kwargs):
        raise ConnectionRefusedError("redis is down")

    monkeypatch.setattr(deliver_notifications, "delay", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        rows = notify(event=EVENT, recipients=[f"u{i}@example.com" for i in range(20)], context={})
    assert Notification.objects.filter(status=NotificationStatus.PENDING).count() == 20
    assert mail.outbox == []
    monkeypatch.undo()
    assert sweep_pending() == 20
    assert len(mail.outbox) == 20
    assert sweep_pending() == 0
    assert sorted(m.to[0] for m in mail.outbox) == sorted(r.recipient_address for r in rows)


def test_sweep_skips_fresh_rows_and_frees_stale_claims():
    row = notify(event=EVENT, recipients=["a@example.com"], context={})[0]
    Notification.objects.filter(pk=row.pk).update(status=NotificationStatus.PENDING)
    assert sweep_pending() == 0  # left to the on-commit enqueue
    Notification.objects.filter(pk=row.pk).update(status=NotificationStatus.SENDING, claimed_at=timezone.now())
    with time_machine.travel(timezone.now() + timedelta(minutes=20)):
        assert sweep_pending() == 1
    row.refresh_from_db()
    assert row.status == NotificationStatus.SENT


def test_in_app_inbox_lists_only_my_items_and_marks_read(client, make_user):
    me, other = make_user("me"), make_user("other")
    notify(event=EVENT, recipients=[me], context={}, channel="in_app", link="/admin/")
    notify(event=EVENT, recipients=[other], context={}, channel="in_app")
    assert mail.outbox == []  # in-app only
    client.force_login(me)
    url = reverse("admin:marketplace_ops_inboxnotification_changelist")
    page = client.get(url)
    assert b"1 unread" in page.content
    mine = Notification.objects.get(recipient_user=me)
    theirs = Notification.objects.get(recipient_user=other)
    assert client.get(reverse("admin:marketplace_ops_inboxnotification_change", args=[theirs.pk])).status_code in (302, 403, 404)
    client.post(url, {"action": "mark_read", "_selected_action": [mine.pk, theirs.pk]})
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.read_at is not None and theirs.read_at is None
    assert b"0 unread" in client.get(reverse("admin:index")).content


def test_send_test_email_command_goes_through_the_outbox(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_test_email", "ops@example.com")
    row = Notification.objects.get()
    assert row.status == NotificationStatus.SENT and row.created_by.username == "system"
    assert mail.outbox[0].to == ["ops@example.com"]
    assert mail.outbox[0].extra_headers["X-Marketplace-Ops-Notification"] == str(row.pk)


@pytest.fixture
def refusing_smtp_server(settings):
    """A real TCP server on 127.0.0.1 that answers every SMTP connection with 554."""
    import socket
    import threading

    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    server.settimeout(0.2)
    stop = threading.Event()

    def serve():
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except OSError:
                continue
            with conn:
                conn.sendall(b"554 5.3.2 service refused for maintenance\r\n")

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = server.getsockname()
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    yield
    stop.set()
    thread.join(2)
    server.close()


def test_real_smtp_server_refusing_keeps_every_row_for_retry(refusing_smtp_server):
    rows = notify(event=EVENT, recipients=["a@example.com", "b@example.com"], context={})
    sent, retry = notifications.deliver([r.pk for r in rows])
    assert sent == [] and sorted(retry) == sorted(r.pk for r in rows)
    for row in Notification.objects.all():
        assert row.status == NotificationStatus.PENDING and row.attempts == 1
        assert "554" in row.last_error
