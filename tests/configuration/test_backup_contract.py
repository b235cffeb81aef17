import json
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from configuration import services
from configuration.models import ConfigurationItem

pytestmark = pytest.mark.django_db

PLAINTEXT = "backup-secret-do-not-leak-9931"


def test_snapshot_plus_changes_rebuilds_live_state(people, seed_item):
    with time_machine.travel("2026-12-01 10:00Z", tick=True):
        seed_item("staging", "gateway.rate_limit.default", 100)
        seed_item("production", "gateway.upstream.api_key", PLAINTEXT, sensitive=True)
    with time_machine.travel("2026-12-01 11:00Z", tick=True):
        snapshot = services.config_backup_snapshot()
    assert PLAINTEXT not in json.dumps(snapshot)
    secret = next(i for i in snapshot["items"] if i["key"] == "gateway.upstream.api_key")
    assert secret["sensitive"] and secret["value"] == ConfigurationItem.objects.get(key=secret["key"]).ciphertext
    assert snapshot["revisions"]["production"] == 1
    with time_machine.travel("2026-12-01 12:00Z", tick=True):
        seed_item("staging", "gateway.rate_limit.default", 150)
        seed_item("staging", "gateway.rate_limit.burst", 20)
        item = ConfigurationItem.objects.get(environment="staging", key="gateway.rate_limit.burst")
        services.config_item_delete(item=item, base_version=item.version, reason="gone", acting_user=people.author)
        seed_item("production", "gateway.upstream.api_key", PLAINTEXT + "-2", sensitive=True)
    until = timezone.now() + timedelta(days=30)
    changes = services.config_backup_changes_since(since=timezone.datetime.fromisoformat(snapshot["taken_at"]),
                                                   until=until)
    assert [c["change_type"] for c in changes] == ["~", "+", "-", "~"]
    assert all(PLAINTEXT not in json.dumps(c) for c in changes)
    rebuilt = services.config_state_apply_changes(snapshot, changes)
    live = services.config_backup_snapshot()
    assert services.config_state_hash(rebuilt) == services.config_state_hash(live)
    assert services.config_state_hash(snapshot) != services.config_state_hash(live)
    assert rebuilt["revisions"]["staging"] == live["revisions"]["staging"]


def test_restore_puts_back_a_state_with_history_and_audit(people, seed_item):
    seed_item("staging", "gateway.rate_limit.default", 100)
    seed_item("staging", "gateway.upstream.api_key", PLAINTEXT, sensitive=True)
    snapshot = services.config_backup_snapshot()
    seed_item("staging", "gateway.rate_limit.default", 999)
    seed_item("staging", "gateway.rate_limit.burst", 5)
    rev = services.config_current_revision("staging")
    result = services.config_backup_restore(state=snapshot, acting_user=people.operator, reason="incident 42")
    assert services.config_state_hash(services.config_backup_snapshot()) == services.config_state_hash(snapshot)
    assert result["changed"] == {"staging": ["gateway.rate_limit.burst", "gateway.rate_limit.default"]}
    assert services.config_current_revision("staging") == rev + 1
    row = ConfigurationItem.history.filter(key="gateway.rate_limit.default").latest()
    assert row.history_change_reason == "restore: incident 42" and row.history_user == people.operator
    secret = ConfigurationItem.objects.get(key="gateway.upstream.api_key")
    assert services.config_item_reveal(item=secret, acting_user=people.approver) == PLAINTEXT


def test_restore_refuses_bad_state_and_changes_nothing(people, seed_item):
    seed_item("staging", "gateway.rate_limit.default", 100)
    bad = {"items": [{"key": "gateway.x.y", "environment": "staging", "value": "not-a-token", "sensitive": True,
                      "version": 1, "description": ""}]}
    with pytest.raises(Exception, match="cannot be decrypted"):
        services.config_backup_restore(state=bad, acting_user=people.operator, reason="x")
    assert ConfigurationItem.objects.get(key="gateway.rate_limit.default").value == 100


def test_state_hash_is_order_independent():
    items = [{"key": "a.b", "environment": "staging", "value": 1, "sensitive": False, "version": 1, "description": ""},
             {"key": "a.c", "environment": "staging", "value": 2, "sensitive": False, "version": 1, "description": ""}]
    assert services.config_state_hash({"items": items}) == services.config_state_hash({"items": items[::-1]})
    changed = [dict(items[0], value=3), items[1]]
    assert services.config_state_hash({"items": items}) != services.config_state_hash({"items": changed})
