"""Configuration backups: full + incrementals through the configuration app's services."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from backups import services
from backups.models import BackupRun

pytestmark = pytest.mark.django_db


@pytest.fixture
def set_item(make_user):
    from configuration import services as config
    from configuration.models import ConfigurationItem

    user = make_user("config-op", roles=["operations"])

    def set_(key, value):
        item = ConfigurationItem.objects.filter(environment="staging", key=key).first()
        change_set = config.config_changeset_create(
            environment="staging", title="test", reason="test", acting_user=user,
            operations=[{"key": key, "value": value, "base_version": item.version if item else 0}],
        )
        config.config_changeset_apply(change_set=change_set, acting_user=user)

    return set_


def live_hash():
    from configuration import services as config

    return config.config_state_hash(config.config_backup_snapshot())


def test_full_and_three_incrementals_restore_the_second_moment(policy, set_item, make_user):
    full_policy = policy("config-full", target="configuration", backup_type="full")
    incr_policy = policy("config-change", target="configuration", backup_type="incremental",
                         schedule="* * * * *", only_when_changed=True)
    start = timezone.now()
    hashes = []
    with time_machine.travel(start, tick=False) as clock:
        set_item("gateway.rate_limit", 100)
        clock.shift(timedelta(minutes=1))
        full = services.backup_run_start(policy=full_policy, acting_user=None)
        runs = [full]
        for value in (200, 300, 400):
            clock.shift(timedelta(minutes=1))
            set_item("gateway.rate_limit", value)
            set_item(f"portal.flag_{value}", True)
            hashes.append(live_hash())
            clock.shift(timedelta(minutes=1))
            runs.append(services.backup_run_start(policy=incr_policy, acting_user=None))
        clock.shift(timedelta(minutes=1))
        set_item("gateway.rate_limit", 999)

    assert [r.backup_type for r in runs] == ["full", "incremental", "incremental", "incremental"]
    assert [r.parent_id for r in runs] == [None, runs[0].pk, runs[1].pk, runs[2].pk]
    assert all(r.status == "verified" for r in runs), [r.verification_error for r in runs]
    assert [r.metadata["changes"] for r in runs[1:]] == [2, 2, 2]
    second = runs[2]
    assert second.metadata["state_hash"] == hashes[1]

    restore = services.backup_restore(run=second, acting_user=make_user("root", superuser=True), in_place=True,
                                      confirm="configuration")
    assert restore.status == "succeeded", restore.error
    from configuration.models import ConfigurationItem

    assert live_hash() == hashes[1]
    assert ConfigurationItem.objects.get(environment="staging", key="gateway.rate_limit").value == 300
    assert not ConfigurationItem.objects.filter(key="portal.flag_400").exists()
    assert BackupRun.objects.filter(trigger="safety", policy__target="configuration").count() == 1


def test_differential_builds_on_the_last_full_and_nothing_changed_skips(policy, set_item):
    full_policy = policy("config-full", target="configuration", backup_type="full")
    diff_policy = policy("config-diff", target="configuration", backup_type="differential")
    incr_policy = policy("config-change", target="configuration", backup_type="incremental",
                         schedule="* * * * *", only_when_changed=True)
    set_item("gateway.alpha", 1)
    full = services.backup_run_start(policy=full_policy, acting_user=None)
    set_item("gateway.alpha", 2)
    first = services.backup_run_start(policy=incr_policy, acting_user=None)
    assert services.policy_run_scheduled(policy=incr_policy) is None  # nothing changed since
    set_item("gateway.alpha", 3)
    diff = services.backup_run_start(policy=diff_policy, acting_user=None)
    assert diff.parent_id == full.pk and first.parent_id == full.pk
    assert diff.status == "verified" and diff.metadata["changes"] == 2


def test_tampered_chain_member_fails_verification(policy, set_item):
    from backups.storage import get_storage
    from tests.backups.conftest import flip_byte

    full_policy = policy("config-full", target="configuration", backup_type="full", compression="none")
    incr_policy = policy("config-change", target="configuration", backup_type="incremental", compression="none")
    set_item("gateway.alpha", 1)
    full = services.backup_run_start(policy=full_policy, acting_user=None)
    set_item("gateway.alpha", 2)
    incr = services.backup_run_start(policy=incr_policy, acting_user=None)
    from pathlib import Path

    flip_byte(Path(get_storage().path(full.storage_name)))
    services.backup_verify(run=incr, acting_user=None)
    incr.refresh_from_db()
    assert incr.status == "verification_failed" and f"run-{full.pk}" not in incr.verification_error
    assert "SHA-256" in incr.verification_error
