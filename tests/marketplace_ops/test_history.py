import pytest
from django.test import override_settings
from django.urls import reverse

from marketplace_ops.actors import acting_as, system_user
from marketplace_ops.choices import ComponentStatus
from marketplace_ops.models import Component
from marketplace_ops.tasks import set_component_status

pytestmark = pytest.mark.django_db


@pytest.fixture
def component():
    with acting_as(system_user(), reason="fixture", via="command"):
        return Component.objects.create(name="API Gateway", slug="api-gateway")




def test_admin_edit_records_real_user_and_ip(client, make_user, component):
    user = make_user("olga", superuser=True)
    client.force_login(user)
    response = client.post(
        reverse("admin:marketplace_ops_component_change", args=[component.pk]),
        {"name": component.name, "slug": component.slug, "description": "edited", "is_public": "on",
         "status": ComponentStatus.DEGRADED, "display_order": 10},
        REMOTE_ADDR="198.51.100.7",
    )
    assert response.status_code == 302, response.content[:500]
    records = list(component.history.order_by("-history_id")[:2])
    assert records[0].history_user == user
    assert records[0].ip_address == "198.51.100.7"
    assert {r.status for r in records} >= {ComponentStatus.DEGRADED}


@override_settings(TRUSTED_PROXIES=["10.0.0.0/8"])
def test_forwarded_for_is_honoured_only_from_trusted_proxies(client, make_user, component):
    user = make_user("olga", superuser=True)
    client.force_login(user)
    url = reverse("admin:marketplace_ops_component_change", args=[component.pk])
    data = {"name": component.name, "slug": component.slug, "is_public": "on", "status": "operational", "display_order": 1}
    client.post(url, {**data, "description": "via proxy"}, REMOTE_ADDR="10.1.2.3", HTTP_X_FORWARDED_FOR="192.0.2.44, 10.9.9.9")
    assert component.history.latest("history_id").ip_address == "192.0.2.44"
    client.post(url, {**data, "description": "spoofed"}, REMOTE_ADDR="198.51.100.8", HTTP_X_FORWARDED_FOR="192.0.2.55")
    assert component.history.latest("history_id").ip_address == "198.51.100.8"


def test_celery_task_edit_records_system_actor_and_reason(component):
    set_component_status.delay(component.pk, ComponentStatus.MAJOR_OUTAGE, "gateway 5xx above threshold")
    record = component.history.latest("history_id")
    assert record.status == ComponentStatus.MAJOR_OUTAGE
    assert record.history_user.username == "system"
    assert record.history_change_reason == "gateway 5xx above threshold"


def test_history_outside_requests_is_never_anonymous(component):
    component.description = "changed from a shell"
    component.save()
    record = component.history.latest("history_id")
    assert record.history_user is not None and record.history_user.username == "system"


def test_admin_change_form_asks_why_and_history_keeps_the_reason(client, make_user, component):
    user = make_user("olga", superuser=True)
    client.force_login(user)
    url = reverse("admin:marketplace_ops_component_change", args=[component.pk])
    assert b"Reason for this change" in client.get(url).content
    response = client.post(
        url,
        {"name": component.name, "slug": component.slug, "description": "new text", "is_public": "on",
         "status": component.status, "display_order": 5, "change_reason": "clarified the description for customers"},
    )
    assert response.status_code == 302
    record = component.history.latest("history_id")
    assert record.history_change_reason == "clarified the description for customers"
    assert record.history_user == user
