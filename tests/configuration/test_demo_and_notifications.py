import pytest
from django.test import RequestFactory

from configuration import services
from configuration.demo import seed
from configuration.models import ChangeSet, ConfigurationItem, Subscriber
from marketplace_ops.demo import seed_kernel
from marketplace_ops.models import Notification
from marketplace_ops.registry import registry

pytestmark = pytest.mark.django_db


def test_demo_seed_is_idempotent(system_actor):
    seed_kernel()
    seed()
    counts = (ConfigurationItem.objects.count(), ChangeSet.objects.count(), Subscriber.objects.count())
    seed()
    assert counts == (ConfigurationItem.objects.count(), ChangeSet.objects.count(), Subscriber.objects.count())
    envs = set(ConfigurationItem.objects.values_list("environment", flat=True))
    assert envs == {"development", "testing", "staging", "production"}
    assert ConfigurationItem.objects.filter(environment="production", sensitive=True).count() == 2
    pending = ChangeSet.objects.get(state="pending_approval")
    assert pending.environment == "production"
    from configuration.selectors import compare_environments

    diff = compare_environments("staging", "production")
    assert {r["key"] for r in diff["different"]} >= {"gateway.rate_limit.default", "gateway.upstream.url"}


def test_pending_change_set_emails_approvers_not_author(people, seed_item):
    item = seed_item("production", "gateway.rate_limit.default", 100)
    Notification.objects.all().delete()
    cs = services.config_item_set(environment="production", key=item.key, value=150, base_version=item.version,
                                  reason="partner growth", acting_user=people.author).change_set
    rows = Notification.objects.filter(event="configuration.changeset_pending")
    recipients = {n.recipient_user.username for n in rows}
    assert "erin" not in recipients and {"sam", "omar", "cara"} <= recipients
    assert f"#{cs.pk}" in rows[0].subject and "gateway.rate_limit.default" in rows[0].body_text


def test_widgets_list_what_awaits_me(people, seed_item):
    item = seed_item("production", "gateway.rate_limit.default", 100)
    cs = services.config_item_set(environment="production", key=item.key, value=150, base_version=item.version,
                                  reason="r", acting_user=people.author).change_set
    request = RequestFactory().get("/")
    widget = registry.dashboard_widgets["configuration.awaiting_my_approval"]
    request.user = people.approver
    assert list(widget.context(request)["change_sets"]) == [cs]
    request.user = people.author
    assert list(widget.context(request)["change_sets"]) == []
    request.user = people.viewer
    pending = registry.dashboard_widgets["configuration.pending_changes"]
    assert list(pending.context(request)["change_sets"]) == [cs]
