import pytest

from incidents.demo import CRITICAL_KEY, RESOLVED_KEY, seed
from incidents.models import Incident, Rotation
from incidents.services import on_call_at
from marketplace_ops.demo import seed_kernel

pytestmark = pytest.mark.django_db


def test_demo_has_a_breached_critical_with_escalation_history_and_is_idempotent(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    seed_kernel()
    seed()
    seed()
    critical = Incident.objects.get(external_key=CRITICAL_KEY)
    assert critical.severity == "critical" and critical.is_open and critical.acknowledged_at is None
    assert set(critical.breaches.values_list("clock", flat=True)) == {"response", "update"}
    assert critical.escalations.filter(trigger="unacknowledged").count() == 3
    resolved = Incident.objects.get(external_key=RESOLVED_KEY)
    assert resolved.status == "closed" and resolved.postmortem.is_final and resolved.action_items.count() == 2
    assert Incident.objects.count() == 2
    from django.utils import timezone

    assert on_call_at(Rotation.objects.get(), timezone.now()) is not None
