import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from configuration import services
from configuration.choices import ChangeSetState
from configuration.models import ConfigurationItem
from marketplace_ops.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_direct_edit_in_staging_applies_and_bumps_revision(people, seed_item):
    item = seed_item("staging", "gateway.rate_limit.default", 100)
    rev = services.config_current_revision("staging")
    result = services.config_item_set(environment="staging", key=item.key, value=200, base_version=item.version,
                                      reason="more traffic", acting_user=people.author)
    assert result.applied
    item.refresh_from_db()
    assert (item.value, item.version, item.updated_by) == (200, 2, people.author)
    assert services.config_current_revision("staging") == rev + 1
    row = item.history.latest()
    assert row.history_user == people.author and "more traffic" in row.history_change_reason


def test_stale_edit_names_who_and_when(people, seed_item):
    item = seed_item("staging", "gateway.rate_limit.default", 100)
    services.config_item_set(environment="staging", key=item.key, value=300, base_version=1, reason="r",
                             acting_user=people.operator)
    with pytest.raises(services.StaleVersionError) as exc:
        services.config_item_set(environment="staging", key=item.key, value=400, base_version=1, reason="r",
                                 acting_user=people.author)
    message = exc.value.conflicts[0]["message"]
    assert "changed to v2 by omar at" in message and "since you opened it" in message
    item.refresh_from_db()
    assert item.value == 300


def test_production_edit_creates_pending_change_set(people, seed_item):
    item = seed_item("production", "gateway.rate_limit.default", 100)
    result = services.config_item_set(environment="production", key=item.key, value=150, base_version=item.version,
                                      reason="more", acting_user=people.author)
    assert not result.applied and result.change_set.state == ChangeSetState.PENDING
    item.refresh_from_db()
    assert item.value == 100


def test_self_approval_refused(people, seed_item):
    item = seed_item("production", "gateway.rate_limit.default", 100)
    cs = services.config_item_set(environment="production", key=item.key, value=150, base_version=item.version,
                                  reason="more", acting_user=people.operator).change_set
    with pytest.raises(ValidationError, match="cannot approve your own"):
        services.config_changeset_approve(change_set=cs, acting_user=people.operator)
    cs.refresh_from_db()
    assert cs.state == ChangeSetState.PENDING and cs.approvals.count() == 0


def test_approver_without_permission_refused(people, seed_item):
    item = seed_item("production", "gateway.rate_limit.default", 100)
    cs = services.config_item_set(environment="production", key=item.key, value=150, base_version=item.version,
                                  reason="more", acting_user=people.author).change_set
    with pytest.raises(PermissionDenied):
        services.config_changeset_approve(change_set=cs, acting_user=people.viewer)


def test_edit_after_approval_revokes_it(people, seed_item):
    item = seed_item("production", "gateway.rate_limit.default", 100)
    cs = services.config_item_set(environment="production", key=item.key, value=150, base_version=item.version,
                                  reason="more", acting_user=people.author).change_set
    cs = services.config_changeset_approve(change_set=cs, acting_user=people.approver)
    assert cs.state == ChangeSetState.APPROVED
    cs = services.config_changeset_update_operations(
        change_set=cs, operations=[{"key": item.key, "value": 99999, "base_version": item.version}],
        acting_user=people.author, reason="sneaky bump")
    assert cs.state == ChangeSetState.PENDING
    with pytest.raises(ValidationError, match="pending approval"):
        services.config_changeset_apply(change_set=cs, acting_user=people.operator)
    item.refresh_from_db()
    assert item.value == 100
    edited = AuditEvent.objects.get(event_type="configuration.changeset_edited")
    assert edited.details["approvals_revoked"] == 1


def test_atomic_apply_with_one_conflict_changes_nothing(people, seed_item):
    a = seed_item("production", "gateway.rate_limit.default", 100)
    b = seed_item("production", "gateway.rate_limit.burst", 10)
    cs = services.config_changeset_create(
        environment="production", title="two", reason="both",
        operations=[{"key": a.key, "value": 111, "base_version": a.version},
                    {"key": b.key, "value": 11, "base_version": b.version}], acting_user=people.author)
    services.config_changeset_approve(change_set=cs, acting_user=people.approver)
    seed_item("production", b.key, 12)  # someone else moves b on
    rev = services.config_current_revision("production")
    with pytest.raises(services.StaleVersionError) as exc:
        services.config_changeset_apply(change_set=cs, acting_user=people.operator)
    assert [c["key"] for c in exc.value.conflicts] == [b.key]
    a.refresh_from_db()
    assert a.value == 100 and services.config_current_revision("production") == rev
    cs.refresh_from_db()
    assert cs.state == ChangeSetState.APPROVED


def test_apply_twice_is_refused(people, seed_item):
    a = seed_item("staging", "gateway.rate_limit.default", 100)
    result = services.config_item_set(environment="staging", key=a.key, value=5, base_version=a.version,
                                      reason="r", acting_user=people.author)
    with pytest.raises(ValidationError, match="already applied"):
        services.config_changeset_apply(change_set=result.change_set, acting_user=people.operator)
    a.refresh_from_db()
    assert a.version == 2


def test_rollback_creates_new_version(people, seed_item):
    item = seed_item("staging", "gateway.rate_limit.default", 100)
    seed_item("staging", item.key, 200)
    item.refresh_from_db()
    services.config_item_rollback(item=item, to_version=1, acting_user=people.author)
    item.refresh_from_db()
    assert (item.value, item.version) == (100, 3)
    assert item.history.latest().history_change_reason.startswith("rollback to v1")
    assert item.history.count() == 3


def test_promote_from_staging(people, seed_item):
    seed_item("staging", "gateway.rate_limit.default", 700)
    prod = seed_item("production", "gateway.rate_limit.default", 100)
    seed_item("staging", "gateway.upstream.api_key", "s3cr3t-value", sensitive=True)
    cs = services.config_changeset_promote(source="staging", target="production",
                                           keys=["gateway.rate_limit.default", "gateway.upstream.api_key"],
                                           acting_user=people.author, reason="promote")
    ops = {o.key: o for o in cs.operations.all()}
    assert ops["gateway.rate_limit.default"].base_version == prod.version
    assert ops["gateway.upstream.api_key"].value is None and ops["gateway.upstream.api_key"].sensitive
    services.config_changeset_approve(change_set=cs, acting_user=people.approver)
    services.config_changeset_apply(change_set=cs, acting_user=people.operator)
    secret = ConfigurationItem.objects.get(environment="production", key="gateway.upstream.api_key")
    assert services.config_item_reveal(item=secret, acting_user=people.approver) == "s3cr3t-value"


def test_https_required_in_production_only(people):
    with pytest.raises(ValidationError) as exc:
        services.config_item_set(environment="production", key="gateway.upstream.url", value="http://x.example",
                                 base_version=0, reason="r", acting_user=people.author)
    assert "must use https in production" in str(exc.value)
    result = services.config_item_set(environment="testing", key="gateway.upstream.url", value="http://x.example",
                                      base_version=0, reason="r", acting_user=people.author)
    assert result.applied


def test_restore_revision_builds_change_set(people, seed_item):
    seed_item("production", "gateway.rate_limit.default", 100)
    pinned = services.config_current_revision("production")
    seed_item("production", "gateway.rate_limit.default", 300)
    seed_item("production", "gateway.rate_limit.burst", 50)
    cs = services.config_changeset_restore_revision(environment="production", revision=pinned,
                                                    acting_user=people.author, reason="release rollback")
    assert cs.state == ChangeSetState.PENDING
    ops = {o.key: (o.op, o.value) for o in cs.operations.all()}
    assert ops == {"gateway.rate_limit.default": ("set", 100), "gateway.rate_limit.burst": ("delete", None)}
    services.config_changeset_approve(change_set=cs, acting_user=people.approver)
    services.config_changeset_apply(change_set=cs, acting_user=people.operator)
    assert set(ConfigurationItem.objects.filter(environment="production").values_list("key", "value")) == {
        ("gateway.rate_limit.default", 100)}


def test_reject_needs_reason_and_tells_author(people, seed_item):
    from marketplace_ops.models import Notification

    item = seed_item("production", "gateway.rate_limit.default", 100)
    cs = services.config_item_set(environment="production", key=item.key, value=150, base_version=item.version,
                                  reason="more", acting_user=people.author).change_set
    with pytest.raises(ValidationError, match="Say why"):
        services.config_changeset_reject(change_set=cs, acting_user=people.approver, reason=" ")
    with pytest.raises(PermissionDenied):
        services.config_changeset_reject(change_set=cs, acting_user=people.viewer, reason="no")
    cs = services.config_changeset_reject(change_set=cs, acting_user=people.approver, reason="too high")
    assert cs.state == ChangeSetState.REJECTED
    note = Notification.objects.get(event="configuration.changeset_rejected")
    assert note.recipient_user == people.author and "too high" in note.body_text
    with pytest.raises(ValidationError, match="is rejected, not pending approval"):
        services.config_changeset_approve(change_set=cs, acting_user=people.cab)


def test_promotion_is_validated_for_the_target_environment(people, seed_item):
    seed_item("staging", "gateway.upstream.url", "http://upstream.staging.example")
    with pytest.raises(ValidationError, match="must use https in production"):
        services.config_changeset_promote(source="staging", target="production", keys=["gateway.upstream.url"],
                                          acting_user=people.author, reason="promote")
    assert not ConfigurationItem.objects.filter(environment="production").exists()


def test_unknown_environment_in_services(people):
    with pytest.raises(services.UnknownEnvironment):
        services.config_current_revision("moon")


def test_two_required_approvals_need_two_other_people(people, seed_item):
    from configuration.models import ConfigEnvironment

    item = seed_item("production", "gateway.rate_limit.default", 100)
    ConfigEnvironment.objects.filter(name="production").update(required_approvals=2)
    cs = services.config_item_set(environment="production", key=item.key, value=150, base_version=item.version,
                                  reason="r", acting_user=people.author).change_set
    cs = services.config_changeset_approve(change_set=cs, acting_user=people.approver)
    assert cs.state == ChangeSetState.PENDING
    with pytest.raises(ValidationError, match="already approved"):
        services.config_changeset_approve(change_set=cs, acting_user=people.approver)
    cs = services.config_changeset_approve(change_set=cs, acting_user=people.cab)
    assert cs.state == ChangeSetState.APPROVED
    with pytest.raises(PermissionDenied):
        services.config_changeset_apply(change_set=cs, acting_user=people.cab)  # CAB approves, does not apply
    cs = services.config_changeset_apply(change_set=cs, acting_user=people.operator)
    event = AuditEvent.objects.filter(event_type="configuration.changeset_applied").latest("sequence")
    assert event.details["revision"] == cs.applied_revision and event.details["keys"] == [item.key]
