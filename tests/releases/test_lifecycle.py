"""Completion with the verification checklist, rollback with reason, incident and config restore."""

import types
from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django_fsm import TransitionNotAllowed

from marketplace_ops.models import Notification
from releases.models import Release
from releases.services import (
    release_complete,
    release_deploy,
    release_pin_config_revision,
    release_rollback,
    verification_item_check,
)
from tests.releases.conftest import PLANNING_TIME, SUNDAY_WINDOW


@pytest.fixture
def deployed(make_release, approve_all, approvers, system_actor):
    from releases.services import send_due_announcements

    with time_machine.travel(PLANNING_TIME, tick=False):
        release = approve_all(make_release(scheduled_start=SUNDAY_WINDOW, release_notes="## 1.0\n\n- **Token** exchange"))
    with time_machine.travel(release.announcement_due_at, tick=False):
        send_due_announcements(acting_user=system_actor)
    with time_machine.travel(SUNDAY_WINDOW + timedelta(hours=1), tick=False):
        release_deploy(release=release, acting_user=approvers["operations"])
    release.refresh_from_db()
    return release


def test_completion_refuses_unchecked_steps_and_names_them(deployed, approvers):
    first = deployed.verification_items.first()
    verification_item_check(item=first, acting_user=approvers["operations"])
    with pytest.raises(TransitionNotAllowed) as caught:
        release_complete(release=deployed, acting_user=approvers["operations"])
    assert "1 verification step(s) unchecked — 2. Error rate below 0.5 %" in str(caught.value)
    deployed.refresh_from_db()
    assert deployed.status == "deployed"


def test_completion_records_who_checked_and_announces_the_release(deployed, approvers):
    ids = list(deployed.verification_items.values_list("pk", flat=True))
    release_complete(release=deployed, acting_user=approvers["operations"], checked_item_ids=ids)
    deployed.refresh_from_db()
    assert deployed.status == "completed" and deployed.completed_at
    assert all(i.checked_by == approvers["operations"] and i.checked_at for i in deployed.verification_items.all())
    mail = Notification.objects.get(event="releases.released", recipient_address="partner@example.com")
    assert "<strong>Token</strong>" in mail.body_html and "**Token** exchange" in mail.body_text


def test_a_rollback_needs_a_reason(deployed, approvers):
    with pytest.raises(ValidationError) as caught:
        release_rollback(release=deployed, acting_user=approvers["operations"], reason="  ")
    assert caught.value.message_dict == {"reason": ["A rollback needs a reason."]}


def test_a_rollback_notifies_stakeholders_and_links_the_incident(deployed, approvers, component):
    from incidents.services import incident_open

    incident = incident_open(title="Gateway 5xx", description="Error rate 4 %", severity="high",
                             component_ids=[component.pk], acting_user=approvers["operations"])
    with pytest.raises(ValidationError) as caught:
        release_rollback(release=deployed, acting_user=approvers["operations"], reason="5xx",
                         incident_id=incident.pk + 1000)
    assert caught.value.message_dict == {"incident_id": [f"Incident #{incident.pk + 1000} does not exist."]}
    release_rollback(release=deployed, acting_user=approvers["operations"], reason="5xx spike",
                     incident_id=incident.pk)
    deployed.refresh_from_db()
    assert (deployed.status, deployed.rollback_reason) == ("rolled_back", "5xx spike")
    assert deployed.rollback_incident_id == incident.pk
    assert deployed.rolled_back_by == approvers["operations"]
    mail = Notification.objects.get(event="releases.rolled_back", recipient_address="partner@example.com")
    assert "5xx spike" in mail.body_text and "Gateway 5xx" in mail.body_text


def test_restoring_config_without_a_pinned_revision_is_a_field_error(deployed, approvers):
    with pytest.raises(ValidationError) as caught:
        release_rollback(release=deployed, acting_user=approvers["operations"], reason="bad", restore_config=True)
    assert "restore_config" in caught.value.message_dict
    deployed.refresh_from_db()
    assert deployed.status == "deployed"


def test_rollback_restores_the_pinned_configuration_revision(deployed, approvers, monkeypatch):
    """Calls the configuration app's service (its real name must exist) with the pinned revision."""
    calls = []
    monkeypatch.setattr("configuration.services.config_changeset_restore_revision",
                        lambda **kwargs: calls.append(kwargs) or types.SimpleNamespace(pk=7))
    release_pin_config_revision(release=deployed, revision=12, acting_user=approvers["operations"])
    release_rollback(release=deployed, acting_user=approvers["operations"], reason="config drift", restore_config=True)
    assert calls == [{"environment": "production", "revision": 12, "acting_user": approvers["operations"],
                      "reason": f"rollback of {deployed}: config drift"}]
    assert Release.objects.get(pk=deployed.pk).status == "rolled_back"


def test_pinning_needs_a_positive_revision(deployed, approvers):
    with pytest.raises(ValidationError):
        release_pin_config_revision(release=deployed, revision=0, acting_user=approvers["operations"])
    release_pin_config_revision(release=deployed, revision=3, acting_user=approvers["operations"])
    assert Release.objects.get(pk=deployed.pk).config_revision == 3


def test_only_deployed_releases_complete_or_roll_back(make_release, approvers):
    release = make_release()
    with pytest.raises(TransitionNotAllowed, match="it must be deployed"):
        release_complete(release=release, acting_user=approvers["operations"])
    with pytest.raises(TransitionNotAllowed, match="it must be deployed"):
        release_rollback(release=release, acting_user=approvers["operations"], reason="x")


def test_a_restore_the_configuration_app_refuses_leaves_the_release_deployed(deployed, approvers):
    """The real configuration service: revision 12 does not exist in production yet."""
    release_pin_config_revision(release=deployed, revision=12, acting_user=approvers["operations"])
    with pytest.raises(ValidationError) as caught:
        release_rollback(release=deployed, acting_user=approvers["operations"], reason="drift", restore_config=True)
    assert "there is no revision 12" in " ".join(caught.value.messages)
    deployed.refresh_from_db()
    assert deployed.status == "deployed" and deployed.rollback_reason == ""


def test_a_misconfigured_restore_environment_is_a_field_error(deployed, approvers, settings):
    settings.RELEASES_CONFIG_ENVIRONMENT = "prod-typo"
    release_pin_config_revision(release=deployed, revision=1, acting_user=approvers["operations"])
    with pytest.raises(ValidationError) as caught:
        release_rollback(release=deployed, acting_user=approvers["operations"], reason="drift", restore_config=True)
    assert "prod-typo" in caught.value.message_dict["restore_config"][0]


def test_rollback_restores_the_pinned_revision_through_the_real_configuration_app(deployed, approvers, settings):
    """End to end: pin revision N, change the value, roll back, apply the offered change set → value of N."""
    from configuration.models import ChangeSet, ConfigurationItem
    from configuration.services import config_changeset_apply, config_current_revision, config_item_set

    settings.RELEASES_CONFIG_ENVIRONMENT = "staging"
    operator = approvers["operations"]
    config_item_set(environment="staging", key="gateway.rate_limit.default", value=100, base_version=0,
                    reason="initial limit", acting_user=operator)
    pinned = config_current_revision("staging")
    release_pin_config_revision(release=deployed, revision=pinned, acting_user=operator)
    config_item_set(environment="staging", key="gateway.rate_limit.default", value=500, base_version=1,
                    reason="raised with the release", acting_user=operator)
    assert config_current_revision("staging") == pinned + 1

    release_rollback(release=deployed, acting_user=operator, reason="limit too generous", restore_config=True)

    change_set = ChangeSet.objects.filter(environment="staging").order_by("-pk").first()
    assert change_set is not None and "limit too generous" in change_set.reason
    config_changeset_apply(change_set=change_set, acting_user=operator)
    item = ConfigurationItem.objects.get(environment="staging", key="gateway.rate_limit.default")
    assert item.value == 100 and item.version == 3
    assert Release.objects.get(pk=deployed.pk).status == "rolled_back"
