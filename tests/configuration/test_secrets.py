"""The plaintext of a secret appears nowhere a user or token without reveal can see."""

import json
import logging

import pytest
from django.core.management import call_command
from django.forms.models import model_to_dict
from django.urls import reverse

from configuration import services
from configuration.demo import DEMO_SECRETS
from configuration.models import ChangeSet, ChangeSetOperation, ConfigurationItem, Subscriber
from marketplace_ops.models import AuditEvent, Notification

pytestmark = pytest.mark.django_db

CANARY = DEMO_SECRETS["gateway.upstream.api_key"] + "-production"
CANARY_2 = DEMO_SECRETS["gateway.upstream.api_key"] + "-rotated"
STAGING = DEMO_SECRETS["gateway.upstream.api_key"] + "-staging"


def _all_history_text():
    rows = []
    for model in (ConfigurationItem, ChangeSetOperation, ChangeSet, Subscriber):
        rows += [json.dumps(model_to_dict(r), default=str) for r in model.history.all()]
    rows += [json.dumps(model_to_dict(r), default=str) for r in ConfigurationItem.objects.all()]
    rows += [json.dumps(model_to_dict(r), default=str) for r in ChangeSetOperation.objects.all()]
    return "\n".join(rows)


@pytest.fixture
def secret_world(people, seed_item, django_capture_on_commit_callbacks, caplog):
    caplog.set_level(logging.DEBUG)
    with django_capture_on_commit_callbacks(execute=True):
        seed_item("production", "gateway.rate_limit.default", 100)
        item = seed_item("production", "gateway.upstream.api_key", CANARY, sensitive=True)
        seed_item("staging", "gateway.upstream.api_key", STAGING, sensitive=True)
        # a secret edit through the approval path (emails to approvers and the author)
        cs = services.config_item_set(environment="production", key=item.key, value=CANARY_2,
                                      base_version=item.version, reason="rotate upstream key",
                                      acting_user=people.author).change_set
        services.config_changeset_approve(change_set=cs, acting_user=people.approver)
        services.config_changeset_apply(change_set=cs, acting_user=people.operator)
        item.refresh_from_db()
        services.config_item_rollback(item=item, to_version=1, acting_user=people.author, reason="back")
        services.config_changeset_promote(source="staging", target="production", keys=[item.key],
                                          acting_user=people.author, reason="promote")
    return item


def _pages(client, item):
    urls = [
        reverse("admin:configuration_configurationitem_changelist"),
        reverse("admin:configuration_configurationitem_changelist") + "?q=api_key",
        reverse("admin:configuration_configurationitem_change", args=[item.pk]),
        reverse("admin:configuration_item_versions", args=[item.pk]),
        reverse("admin:configuration_item_diff", args=[item.pk]) + "?a=1&b=2",
        reverse("admin:configuration_compare") + "?left=staging&right=production",
        reverse("admin:configuration_changeset_changelist"),
        *[reverse("admin:configuration_changeset_change", args=[pk]) for pk in ChangeSet.objects.values_list("pk", flat=True)],
        reverse("admin:configuration_configurationitem_history", args=[item.pk]),
    ]
    out = []
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        out.append(response.content.decode())
    return "\n".join(out)


def test_secret_never_leaks_without_reveal(client, people, secret_world, api_token, caplog, capsys):
    item = secret_world
    client.force_login(people.operator)  # may edit and apply, may not reveal
    haystacks = {"admin pages": _pages(client, item)}
    # a re-rendered form with an error must not echo the secret typed into it
    response = client.post(reverse("admin:configuration_configurationitem_change", args=[item.pk]), {
        "sensitive": "on", "secret_value": CANARY + "-typed", "reason": "", "base_version": item.version,
        "description": ""})
    assert response.status_code == 200 and "This field is required" in response.content.decode()
    haystacks["re-rendered form"] = response.content.decode()
    haystacks["history rows"] = _all_history_text()
    haystacks["audit events"] = "\n".join(json.dumps(e.details) + e.resource_name for e in AuditEvent.objects.all())
    haystacks["emails"] = "\n".join(n.subject + n.body_text + n.body_html for n in Notification.objects.all())
    call_command("config_export", "--environment", "production")
    haystacks["export"] = capsys.readouterr().out
    token = api_token("config:read:production")
    haystacks["api"] = "\n".join(
        client.get(url, HTTP_AUTHORIZATION=f"Bearer {token}").content.decode()
        for url in ("/api/v1/config/production/", f"/api/v1/config/production/{item.key}/"))
    haystacks["snapshot"] = json.dumps(services.config_backup_snapshot())
    haystacks["logs"] = caplog.text
    assert Notification.objects.exists() and AuditEvent.objects.exists()
    for where, text in haystacks.items():
        for secret in (CANARY, CANARY_2, STAGING, CANARY + "-typed"):
            assert secret not in text, f"secret found in {where}"


def test_reveal_shows_secret_and_is_audited(client, people, secret_world):
    item = secret_world
    client.force_login(people.operator)
    assert client.post(reverse("admin:configuration_item_reveal", args=[item.pk])).status_code == 403
    client.force_login(people.approver)  # security holds the reveal permission
    response = client.post(reverse("admin:configuration_item_reveal", args=[item.pk]))
    assert response.status_code == 200 and CANARY_2 in response.content.decode()
    event = AuditEvent.objects.filter(event_type="configuration.reveal", outcome="success").latest("sequence")
    assert event.actor_label == "sam" and event.details["key"] == item.key
    assert AuditEvent.objects.filter(event_type="configuration.reveal", outcome="failure").count() == 1


def test_unsetting_sensitive_needs_reveal_and_is_audited(people, seed_item):
    item = seed_item("staging", "gateway.upstream.api_key", "flag-off-secret", sensitive=True)
    with pytest.raises(Exception, match="needs the reveal permission"):
        services.config_item_set(environment="staging", key=item.key, value="now-public", base_version=item.version,
                                 reason="r", sensitive=False, acting_user=people.operator)
    services.config_item_set(environment="staging", key=item.key, value="now-public", base_version=item.version,
                             reason="r", sensitive=False, acting_user=people.approver)
    item.refresh_from_db()
    assert not item.sensitive and item.value == "now-public"
    assert AuditEvent.objects.filter(event_type="configuration.sensitive_unset").count() == 1
