"""Demo data: a few confirmed subscribers (all components, and one per chosen component). Idempotent."""

from django.utils import timezone

from incidents.statuspage.choices import SubscriberStatus

DEMO = [
    ("status-watcher@example.com", None),
    ("gateway-team@partner.example.com", ["api-gateway"]),
    ("catalog-fan@partner.example.com", ["api-catalog", "api-portal"]),
]


def seed(*, stdout):
    from incidents.statuspage.models import Subscriber
    from marketplace_ops.actors import system_user
    from marketplace_ops.history import save_with_history
    from marketplace_ops.models import Component

    actor = system_user()
    made = 0
    for email, slugs in DEMO:
        subscriber, created = Subscriber.objects.get_or_create(email=email)
        if not created:
            continue
        components = list(Component.objects.filter(slug__in=slugs or [], is_public=True))
        subscriber.status = SubscriberStatus.CONFIRMED
        subscriber.confirmed_at = timezone.now()
        subscriber.all_components = not slugs or not components
        subscriber.pending_all_components = subscriber.all_components
        subscriber.pending_component_ids = [c.pk for c in components]
        save_with_history(subscriber, acting_user=actor, reason="Demo data")
        if not subscriber.all_components:
            subscriber.components.set(components)
        made += 1
    stdout.write(f"statuspage: {made} confirmed demo subscribers\n")
