from datetime import timedelta

import pytest
from django.utils import timezone


@pytest.fixture(autouse=True)
def _fast(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                                   "LOCATION": "statuspage-tests"}}
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def components(db):
    from marketplace_ops.models import Component

    def get(slug, name, public=True, order=10):
        comp, _ = Component.objects.update_or_create(
            slug=slug, defaults={"name": name, "is_public": public, "display_order": order})
        return comp

    return {
        "gateway": get("sp-gateway", "SP Gateway", order=1),
        "catalog": get("sp-catalog", "SP Catalog", order=2),
        "secret": get("sp-internal-billing", "SP Internal Billing", public=False, order=3),
    }


@pytest.fixture
def responder(make_user):
    return make_user("rita.responder", roles=["incident-response"], email="rita@example.com")


@pytest.fixture
def open_incident(responder):
    from incidents.services import incident_open

    def make(title="Gateway errors", severity="medium", components=(), **kw):
        return incident_open(title=title, description=kw.pop("description", "internal description"),
                             severity=severity, component_ids=[c.pk for c in components], acting_user=responder, **kw)

    return make


@pytest.fixture
def post_update(responder):
    from incidents.services import incident_communicate

    def post(incident, message, *, channel="status_page", audience="all_users"):
        return incident_communicate(incident=incident, channel=channel, audience=audience, message=message,
                                    acting_user=responder)

    return post


@pytest.fixture
def confirmed_subscriber(db):
    from incidents.statuspage.models import Subscriber
    from incidents.statuspage.services import confirm_token, subscriber_confirm, subscriber_subscribe

    def make(email, components=None):
        sub = subscriber_subscribe(email=email, all_components=components is None,
                                   component_ids=[c.pk for c in components or []])
        subscriber_confirm(token=confirm_token(sub))
        return Subscriber.objects.get(pk=sub.pk)

    return make


@pytest.fixture
def sweep():
    from incidents.statuspage.services import announcements_sweep

    def run(now=None):
        return announcements_sweep(now=now or timezone.now())

    return run


@pytest.fixture
def started_sweep(sweep):
    """The status page was switched on a minute ago (cursor exists before the events)."""
    sweep(now=timezone.now() - timedelta(minutes=1))
    return sweep


def outbox(event_prefix="statuspage."):
    from marketplace_ops.models import Notification

    return list(Notification.objects.filter(event__startswith=event_prefix).order_by("id"))
