import io

import pytest

pytestmark = pytest.mark.django_db


def test_beat_entry_expires_and_names_a_real_task():
    from celery import current_app

    from incidents.statuspage.schedule import BEAT_SCHEDULE

    entry = BEAT_SCHEDULE["statuspage-announce-public-events"]
    assert entry["options"]["expires"] < entry["schedule"].total_seconds()
    import incidents.statuspage.tasks  # noqa: F401

    assert entry["task"] in current_app.tasks


def test_task_runs_the_sweep_as_the_system_actor(components, confirmed_subscriber, open_incident, sweep):
    from incidents.statuspage.models import Announcement
    from incidents.statuspage.tasks import announce_public_events

    sweep()
    confirmed_subscriber("t@example.com")
    open_incident(title="Gateway errors", components=[components["gateway"]])
    assert announce_public_events.apply().get() == 1
    assert announce_public_events.apply().get() == 0
    assert Announcement.objects.get().recipient_count == 1


def test_demo_seeder_is_idempotent(components):
    from incidents.statuspage.demo import seed
    from incidents.statuspage.models import Subscriber
    from marketplace_ops.demo import seed_kernel

    seed_kernel(stdout=io.StringIO())
    seed(stdout=io.StringIO())
    first = list(Subscriber.objects.values_list("email", "status", "all_components"))
    seed(stdout=io.StringIO())
    assert list(Subscriber.objects.values_list("email", "status", "all_components")) == first
    assert len(first) == 3 and all(status == "confirmed" for _, status, _ in first)
    gateway_team = Subscriber.objects.get(email="gateway-team@partner.example.com")
    assert [c.slug for c in gateway_team.components.all()] == ["api-gateway"]
