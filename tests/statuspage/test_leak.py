"""Leak test: no internal note, assignee or commander name, root cause, resolution, description
or post-incident review text of any incident (the demo's and ones made here) appears on any
public page, feed or subscriber email."""

import io

import pytest

from tests.statuspage.conftest import outbox

pytestmark = pytest.mark.django_db

SECRET_NOTE = "ZETA-internal-note: the primary db in eu-west is flapping"
SECRET_ROOT = "ROOTCAUSE-expired-tls-cert-on-lb-7"


@pytest.fixture
def seeded(db, make_user, components, open_incident, post_update, responder, confirmed_subscriber, started_sweep):
    from django.contrib.auth import get_user_model

    from incidents.demo import seed as seed_incidents
    from incidents.models import Incident
    from incidents.services import (
        incident_add_note,
        incident_assign,
        incident_communicate,
        incident_transition,
        postmortem_save,
    )
    from marketplace_ops.demo import seed_kernel

    seed_kernel(stdout=io.StringIO())
    seed_incidents(stdout=io.StringIO())
    confirmed_subscriber("watcher@example.com")

    boss = make_user("quentin.commander", roles=["incident-response"])
    boss.first_name, boss.last_name = "Quentin", "Obscurio"
    boss.save()
    inc = open_incident(title="Gateway 5xx spike", severity="critical",
                        components=[components["gateway"], components["secret"]],
                        description="DESCRIPTION-internal: customer X escalated")
    incident_assign(incident=inc, assignee=boss, acting_user=responder)
    incident_add_note(incident=inc, message=SECRET_NOTE, acting_user=responder)
    incident_communicate(incident=inc, channel="email", audience="internal", message="INTERNAL-EMAIL ops only",
                         acting_user=responder)
    post_update(inc, "We are investigating errors on the gateway.")
    Incident.objects.filter(pk=inc.pk).update(commander=boss, root_cause=SECRET_ROOT)
    for step in ("investigate", "identify", "start_resolving"):
        inc = incident_transition(incident=inc, transition=step, acting_user=responder)
    inc = incident_transition(incident=inc, transition="resolve", acting_user=responder,
                              resolution="RESOLUTION-internal: rotated cert by hand")
    postmortem_save(incident=inc, acting_user=responder, root_cause=SECRET_ROOT,
                    contributing_factors="FACTORS-internal alerting gap", impact="IMPACT-internal 3 enterprise keys",
                    lessons_learned="LESSONS-internal automate renewals", summary="SUMMARY-internal draft")
    started_sweep()
    # Every incident in the database now, demo ones included: mark an internal note on each.
    for incident in Incident.objects.all():
        incident_add_note(incident=incident, message=f"NOTE-{incident.pk}-internal", acting_user=responder)
    started_sweep()
    return list(get_user_model().objects.all())


def _secrets(users):
    from incidents.models import Communication, Incident, Postmortem, TimelineEntry

    secrets = set()
    for incident in Incident.objects.all():
        secrets.update([incident.root_cause, incident.resolution, incident.description])
        for user in (incident.assignee, incident.commander):
            if user:
                secrets.update([user.get_username(), user.get_full_name(), user.email])
    for entry in TimelineEntry.objects.filter(kind="note"):
        secrets.add(entry.message)
    for comm in Communication.objects.filter(is_public=False):
        secrets.add(comm.message)
    for review in Postmortem.objects.all():
        secrets.update([review.root_cause, review.contributing_factors, review.impact, review.lessons_learned,
                        review.summary])
    for user in users:  # nobody on staff is named on a public page
        if user.is_staff:
            secrets.update([user.get_username(), user.get_full_name()])
    secrets.add("SP Internal Billing")  # a non-public component
    return {s.strip() for s in secrets if s and len(s.strip()) >= 6}


def _public_texts(client):
    from incidents.models import Incident

    paths = ["/status/", "/status/history/", "/status/feed.atom", "/status/maintenance.ics"]
    paths += [f"/status/incidents/{pk}/" for pk in Incident.objects.values_list("pk", flat=True)]
    texts = {}
    for path in paths:
        response = client.get(path)
        assert response.status_code in (200, 404), path
        texts[path] = response.content.decode()
    for row in outbox():
        texts[f"email {row.pk} {row.event}"] = "\n".join([row.subject, row.body_text, row.body_html, str(row.headers)])
    return texts


def test_no_internal_detail_on_any_public_page_feed_or_email(client, seeded):
    secrets = _secrets(seeded)
    assert SECRET_NOTE in secrets and SECRET_ROOT in secrets and "Quentin Obscurio" in secrets
    texts = _public_texts(client)
    # the public parts are there (so the test would notice pages that show nothing)
    assert "Gateway 5xx spike" in texts["/status/history/"]
    assert "We are investigating errors on the gateway." in texts["/status/feed.atom"]
    assert any(k.endswith("statuspage.incident_updated") for k in texts)
    assert any(k.endswith("statuspage.incident_resolved") for k in texts)
    leaks = [(where, secret) for where, text in texts.items() for secret in secrets if secret in text]
    assert leaks == []
