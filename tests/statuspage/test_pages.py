from datetime import timedelta

import pytest
from django.utils import timezone

pytestmark = pytest.mark.django_db


def _many_incidents(components, n=300):
    """Hundreds of incidents over the last 90 days (bulk: the page's cost is what is measured)."""
    from incidents.models import Communication, Incident

    now = timezone.now()
    rows = []
    for i in range(n):
        detected = now - timedelta(hours=7 * i + 1)
        resolved = None if i % 50 == 0 else detected + timedelta(minutes=20 + i % 90)
        rows.append(Incident(title=f"Bulk incident {i}", severity=["critical", "high", "medium", "low"][i % 4],
                             status="investigating" if resolved is None else "resolved", detected_at=detected,
                             resolved_at=resolved))
    created = Incident.objects.bulk_create(rows)
    through = Incident.components.through
    gw, cat = components["gateway"], components["catalog"]
    through.objects.bulk_create([through(incident_id=inc.pk, component_id=(gw if k % 2 else cat).pk)
                                 for k, inc in enumerate(created)])
    Communication.objects.bulk_create([
        Communication(incident=inc, channel="status_page", audience="all_users", status="investigating",
                      subject="u", message=f"Public update {k}", is_public=True, sent_at=inc.detected_at)
        for k, inc in enumerate(created)])
    return created


@pytest.mark.parametrize("path", ["/status/", "/status/history/", "/status/feed.atom", "/status/maintenance.ics",
                                  "/status/history/?page=2"])
def test_public_pages_are_fast_with_hundreds_of_incidents(client, components, path, django_assert_max_num_queries):
    created = _many_incidents(components)
    with django_assert_max_num_queries(12):
        response = client.get(path)
    assert response.status_code == 200
    if path == "/status/":
        assert "Bulk incident 0" in response.content.decode()  # open ones are active
    with django_assert_max_num_queries(6):
        assert client.get(f"/status/incidents/{created[1].pk}/").status_code == 200


def test_cache_headers_and_etag(client, components, open_incident):
    open_incident(title="Slow catalog", components=[components["catalog"]])
    response = client.get("/status/")
    assert response.status_code == 200
    assert "max-age=30" in response["Cache-Control"] and "public" in response["Cache-Control"]
    etag = response["ETag"]
    assert etag.startswith('"')
    assert "Set-Cookie" not in response.headers  # a shared cache may store it
    again = client.get("/status/", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again["ETag"] == etag and not again.content
    open_incident(title="Gateway down", severity="critical", components=[components["gateway"]])
    changed = client.get("/status/", HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag


def test_banner_and_component_status_derive_from_worst_open_incident(client, components, open_incident):
    body = client.get("/status/").content.decode()
    assert "All systems operational" in body
    open_incident(title="Catalog slow", severity="medium", components=[components["catalog"]])
    open_incident(title="Gateway partial", severity="high", components=[components["gateway"]])
    body = client.get("/status/").content.decode()
    assert 'id="status-banner" data-status="partial_outage"' in body and ">Partial outage</div>" in body
    assert 'data-component="sp-catalog" data-status="degraded_performance"' in body
    assert 'data-component="sp-gateway" data-status="partial_outage"' in body


def test_non_public_incident_and_bad_ids_are_404_not_500(client, components, open_incident):
    hidden = open_incident(title="Billing reconciliation", components=[components["secret"]])
    assert client.get(f"/status/incidents/{hidden.pk}/").status_code == 404
    assert client.get("/status/incidents/999999/").status_code == 404
    assert client.get("/status/history/?page=abc").status_code == 200
    assert client.get("/status/history/?page=-5").status_code == 200
    assert "Billing reconciliation" not in client.get("/status/").content.decode()
    assert client.post("/status/").status_code == 405


def test_incident_page_shows_public_updates_in_order(client, components, open_incident, post_update):
    incident = open_incident(title="Gateway errors", components=[components["gateway"], components["secret"]])
    post_update(incident, "First: investigating.")
    post_update(incident, "Second: fix deployed.")
    body = client.get(f"/status/incidents/{incident.pk}/").content.decode()
    assert body.index("First: investigating.") < body.index("Second: fix deployed.")
    assert "SP Gateway" in body and "SP Internal Billing" not in body


def test_history_groups_by_month(client, components, open_incident):
    import time_machine

    with time_machine.travel(timezone.now() - timedelta(days=40)):
        open_incident(title="Last month thing", components=[components["gateway"]])
    open_incident(title="This month thing", components=[components["gateway"]])
    body = client.get("/status/history/").content.decode()
    now = timezone.now()
    assert now.strftime("%B %Y") in body
    assert body.index("This month thing") < body.index("Last month thing")


def test_incidents_that_affect_no_users_stay_internal(client, components, open_incident, confirmed_subscriber,
                                                     started_sweep):
    """A backup past its RPO is operations' business: no public page, feed, uptime bar or email."""
    from marketplace_ops.models import Notification

    confirmed_subscriber("watcher@example.com")
    internal = open_incident(title="Backups of SP Gateway are older than the RPO", severity="high",
                             components=[components["gateway"]], affected_users="none")
    public = open_incident(title="SP Catalog search is slow", severity="medium", components=[components["catalog"]])
    started_sweep()
    page = client.get("/status/").content.decode()
    assert public.title in page and internal.title not in page
    assert "All systems operational" not in page  # the public incident still counts
    feed = client.get("/status/feed.atom").content.decode()
    assert public.title in feed and internal.title not in feed
    assert client.get(f"/status/incidents/{internal.pk}/").status_code == 404
    mails = " ".join(Notification.objects.filter(event__startswith="statuspage.").values_list("body_text", flat=True))
    assert public.title in mails and internal.title not in mails
