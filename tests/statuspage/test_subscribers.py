import re

import pytest
from django.core import mail

from incidents.statuspage.choices import SubscriberStatus
from incidents.statuspage.models import Announcement, Subscriber
from tests.statuspage.conftest import outbox

pytestmark = pytest.mark.django_db


def _deliver_all():
    from marketplace_ops.services.notifications import deliver

    ids = [n.pk for n in outbox()]
    deliver(ids)


def _link(body, name):
    return re.search(rf"https?://testserver(/status/{name}/[^/\s]+/)", body).group(1)


def test_subscribe_needs_confirmation_before_any_mail(client, components, open_incident, started_sweep,
                                                      django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/status/subscribe/", {"email": "Ada@Example.com", "scope": "all"})
    assert response.status_code == 200
    assert "confirmation link" in response.content.decode()
    sub = Subscriber.objects.get()
    assert (sub.email, sub.status) == ("ada@example.com", SubscriberStatus.PENDING)
    [confirmation] = outbox()
    assert confirmation.event == "statuspage.confirm"
    open_incident(title="Gateway errors", components=[components["gateway"]])
    started_sweep()
    assert [n.event for n in outbox()] == ["statuspage.confirm"]  # unconfirmed: nothing

    confirm_path = _link(confirmation.body_text, "subscribe/confirm")
    assert client.get(confirm_path).status_code == 200  # a page with a button: scanners do not confirm
    assert Subscriber.objects.get().status == SubscriberStatus.PENDING
    response = client.post(confirm_path)
    assert response.status_code == 200 and "Subscription confirmed" in response.content.decode()
    assert Subscriber.objects.get().status == SubscriberStatus.CONFIRMED

    open_incident(title="Catalog slow", components=[components["catalog"]])
    started_sweep()
    assert [n.event for n in outbox()][-1] == "statuspage.incident_opened"
    assert "Catalog slow" in outbox()[-1].subject


def test_same_address_twice_is_one_subscriber_and_keeps_selection_until_confirmed(client, components, confirmed_subscriber):
    sub = confirmed_subscriber("bo@example.com", components=[components["gateway"]])
    client.post("/status/subscribe/", {"email": "BO@example.com", "scope": "some",
                                       "components": [str(components["catalog"].pk)]})
    assert Subscriber.objects.count() == 1
    sub.refresh_from_db()
    assert sub.status == SubscriberStatus.CONFIRMED
    assert list(sub.components.all()) == [components["gateway"]]  # not changed by an unconfirmed request
    confirmation = outbox()[-1]
    client.post(_link(confirmation.body_text, "subscribe/confirm"))
    sub.refresh_from_db()
    assert list(sub.components.all()) == [components["catalog"]]


def test_one_click_unsubscribe_from_every_email(client, components, confirmed_subscriber, open_incident, started_sweep,
                                                post_update, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    confirmed_subscriber("cy@example.com")
    incident = open_incident(title="Gateway errors", components=[components["gateway"]])
    post_update(incident, "Investigating.")
    started_sweep()
    rows = [n for n in outbox() if n.event != "statuspage.confirm"]
    assert [n.event for n in rows] == ["statuspage.incident_opened", "statuspage.incident_updated"]
    for row in rows:
        url = row.headers["List-Unsubscribe"].strip("<>")
        assert row.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert url in row.body_text and url in row.body_html
    mail.outbox.clear()
    _deliver_all()
    assert any("List-Unsubscribe" in m.extra_headers for m in mail.outbox)

    # RFC 8058: the mail client POSTs "List-Unsubscribe=One-Click" to the header's URL, no CSRF token.
    path = rows[0].headers["List-Unsubscribe"].strip("<>").replace("http://testserver", "")
    csrf_client = client.__class__(enforce_csrf_checks=True)
    response = csrf_client.post(path, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert Subscriber.objects.get().status == SubscriberStatus.UNSUBSCRIBED
    assert csrf_client.post(path).status_code == 200  # idempotent

    post_update(incident, "Still investigating.")
    before = len(outbox())
    started_sweep()
    assert len(outbox()) == before


def test_per_component_filtering(components, confirmed_subscriber, open_incident, started_sweep, post_update):
    confirmed_subscriber("gw@example.com", components=[components["gateway"]])
    confirmed_subscriber("cat@example.com", components=[components["catalog"]])
    confirmed_subscriber("all@example.com")
    gw = open_incident(title="Gateway errors", components=[components["gateway"]])
    post_update(gw, "Fix deployed, monitoring.")
    open_incident(title="Billing only", components=[components["secret"]])  # not public: nobody
    started_sweep()
    got = {(n.event, n.recipient_address) for n in outbox() if n.event != "statuspage.confirm"}
    assert got == {
        ("statuspage.incident_opened", "gw@example.com"), ("statuspage.incident_opened", "all@example.com"),
        ("statuspage.incident_updated", "gw@example.com"), ("statuspage.incident_updated", "all@example.com"),
    }


def test_no_email_for_internal_edits_or_component_reordering(components, confirmed_subscriber, open_incident,
                                                             started_sweep, post_update, responder):
    from incidents.services import (
        incident_add_note,
        incident_assign,
        incident_change_severity,
        incident_communicate,
    )
    from marketplace_ops.history import save_with_history

    confirmed_subscriber("dee@example.com")
    incident = open_incident(title="Gateway errors", components=[components["gateway"]])
    started_sweep()
    assert len([n for n in outbox() if n.event != "statuspage.confirm"]) == 1
    before = len(outbox())
    incident_add_note(incident=incident, message="internal: db failover?", acting_user=responder)
    incident_assign(incident=incident, assignee=responder, acting_user=responder)
    incident_change_severity(incident=incident, severity="high", acting_user=responder, reason="worse")
    incident_communicate(incident=incident, channel="in_app", audience="internal", message="staff only",
                         acting_user=responder)
    gateway = components["gateway"]
    gateway.display_order = 99
    save_with_history(gateway, acting_user=responder, reason="re-order")
    started_sweep()
    started_sweep()
    assert len(outbox()) == before


def test_each_event_is_announced_exactly_once(components, confirmed_subscriber, open_incident, started_sweep, post_update):
    confirmed_subscriber("eve@example.com")
    incident = open_incident(title="Gateway errors", components=[components["gateway"]])
    post_update(incident, "Investigating.")
    assert started_sweep() == 2
    assert started_sweep() == 0
    assert Announcement.objects.count() == 2
    assert len([n for n in outbox() if n.event != "statuspage.confirm"]) == 2


def test_events_before_the_status_page_was_switched_on_are_not_announced(components, confirmed_subscriber,
                                                                        open_incident, sweep):
    confirmed_subscriber("fay@example.com")
    open_incident(title="Old incident", components=[components["gateway"]])
    from datetime import timedelta

    from django.utils import timezone

    sweep(now=timezone.now() + timedelta(seconds=1))  # first sweep ever: sets the cursor
    assert [n.event for n in outbox()] == ["statuspage.confirm"]


def test_bad_input_gives_clear_errors(client, components):
    response = client.post("/status/subscribe/", {"email": "not-an-email", "scope": "all"})
    assert response.status_code == 400 and "Enter a valid email address" in response.content.decode()
    response = client.post("/status/subscribe/", {"email": "x@example.com", "scope": "some"})
    assert response.status_code == 400 and "Choose at least one component" in response.content.decode()
    response = client.post("/status/subscribe/", {"email": "x@example.com", "scope": "some",
                                                  "components": [str(components["secret"].pk)]})
    assert response.status_code == 400
    assert client.get("/status/subscribe/confirm/garbage/").status_code == 200  # the button page
    response = client.post("/status/subscribe/confirm/garbage/")
    assert response.status_code == 400 and "not valid" in response.content.decode()
    assert client.post("/status/unsubscribe/garbage/").status_code == 400
    assert not Subscriber.objects.exists()


def test_subscribe_form_is_rate_limited(client, components, settings):
    settings.STATUSPAGE_SUBSCRIBE_RATE_LIMIT = 2
    responses = [client.post("/status/subscribe/", {"email": f"r{i}@example.com", "scope": "all"}) for i in range(3)]
    assert [r.status_code for r in responses] == [200, 200, 429]
    assert "Too many subscription requests" in responses[-1].content.decode()
    assert 'value="r2@example.com"' in responses[-1].content.decode()  # what was typed is kept
    assert Subscriber.objects.count() == 2


def test_old_links_die_after_unsubscribe_and_resubscribe(client, components, confirmed_subscriber):
    from incidents.statuspage.services import confirm_token, unsubscribe_token

    sub = confirmed_subscriber("gil@example.com")
    old_unsub, old_confirm = unsubscribe_token(sub), confirm_token(sub)
    client.post(f"/status/unsubscribe/{old_unsub}/")
    response = client.post(f"/status/subscribe/confirm/{old_confirm}/")
    assert response.status_code == 400
    assert Subscriber.objects.get().status == SubscriberStatus.UNSUBSCRIBED
