"""Deploy, verify, complete and roll back releases; patch sign-offs and rollout stages."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django_fsm import TransitionNotAllowed

from marketplace_ops.history import save_with_history
from marketplace_ops.services.audit import audit_log
from releases import notifications
from releases.choices import CHECK_STAGE, ReleaseStatus, TestingCheck
from releases.gates import deploy_gate
from releases.models import PatchSignoff, Release, RolloutStage, VerificationItem
from releases.services.releases import lock


def _require_state(release: Release, state: str, action: str) -> None:
    if release.status != state:
        raise TransitionNotAllowed(
            f"Cannot {action}: the release is {release.get_status_display().lower()} "
            f"(it must be {ReleaseStatus(state).label.lower()})."
        )


def release_deploy(*, release: Release, acting_user) -> Release:
    """Deploy through the gate; an emergency deployment opens a post-implementation review."""
    with transaction.atomic():
        lock(release)
        _require_state(release, ReleaseStatus.APPROVED, "deploy")
        now = timezone.now()
        gate = deploy_gate(release, now)
        if not gate.ok:
            audit_log(event_type="release.deploy_refused", action="deploy", outcome="failure",
                      acting_user=acting_user, resource=release, details={"reason": gate.message})
            raise TransitionNotAllowed(gate.message)
        release.deploy(at=now)
        save_with_history(release, acting_user=acting_user, reason="deployed")
        for position, text in enumerate(release.verification_step_list(), start=1):
            VerificationItem.objects.create(release=release, position=position, description=text[:500])
        audit_log(event_type="release.deployed", action="deploy", acting_user=acting_user, resource=release,
                  details={"emergency": release.is_emergency})
        if release.is_emergency:
            from releases.services.changes import change_open_post_implementation_review

            change_open_post_implementation_review(release=release, acting_user=acting_user)
    return release


def verification_item_check(*, item: VerificationItem, acting_user, note: str = "") -> VerificationItem:
    with transaction.atomic():
        item = VerificationItem.objects.select_for_update().select_related("release").get(pk=item.pk)
        if item.release.status != ReleaseStatus.DEPLOYED:
            raise ValidationError("Verification steps are checked while the release is deployed.")
        if item.checked_at is None:
            item.checked_by = acting_user
            item.checked_at = timezone.now()
            item.note = note[:500]
            save_with_history(item, acting_user=acting_user, reason="verification step checked")
    return item


def release_complete(*, release: Release, acting_user, checked_item_ids=()) -> Release:
    """Check the given steps, then complete if every step is checked; announce the release."""
    with transaction.atomic():
        lock(release)
        _require_state(release, ReleaseStatus.DEPLOYED, "complete")
        items = {item.pk: item for item in release.verification_items.all()}
        unknown = [pk for pk in checked_item_ids if pk not in items]
        if unknown:
            raise ValidationError({"checked_items": f"Not verification steps of this release: {unknown}."})
        for pk in checked_item_ids:
            verification_item_check(item=items[pk], acting_user=acting_user)
        unchecked = list(release.verification_items.filter(checked_at__isnull=True))
        if unchecked:
            steps = "; ".join(str(item) for item in unchecked)
            raise TransitionNotAllowed(f"Cannot complete: {len(unchecked)} verification step(s) unchecked — {steps}.")
        now = timezone.now()
        release.complete(at=now)
        release.release_announced_at = now
        save_with_history(release, acting_user=acting_user, reason="completed")
        audit_log(event_type="release.completed", action="complete", acting_user=acting_user, resource=release)
        notifications.send_release_announcement(release=release, acting_user=acting_user)
    return release


def _incident(incident_id):
    if incident_id in (None, ""):
        return None
    try:
        incident_id = int(incident_id)
    except (TypeError, ValueError):
        raise ValidationError({"incident_id": "An incident id is a number."})
    try:
        from incidents.services import incident_reference
    except ImportError:
        raise ValidationError({"incident_id": "Incidents cannot be looked up right now (incidents app missing)."})
    reference = incident_reference(incident_id)
    if reference is None:
        raise ValidationError({"incident_id": f"Incident #{incident_id} does not exist."})
    return reference


def release_rollback(*, release: Release, acting_user, reason: str, incident_id=None,
                     restore_config: bool = False) -> Release:
    """Roll a deployed release back with a reason; optionally link an incident and restore the
    production configuration revision pinned on the release."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "A rollback needs a reason."})
    with transaction.atomic():
        lock(release)
        _require_state(release, ReleaseStatus.DEPLOYED, "roll back")
        incident = _incident(incident_id)
        change_set = None
        if restore_config:
            if release.config_revision is None:
                raise ValidationError({"restore_config": "This release pinned no configuration revision to restore."})
            from configuration.services import config_changeset_restore_revision

            try:
                change_set = config_changeset_restore_revision(
                    environment=settings.RELEASES_CONFIG_ENVIRONMENT, revision=release.config_revision,
                    acting_user=acting_user, reason=f"rollback of {release}: {reason}",
                )
            except Http404:  # the configuration app's UnknownEnvironment
                raise ValidationError({"restore_config": f"There is no configuration environment "
                                                         f"'{settings.RELEASES_CONFIG_ENVIRONMENT}' "
                                                         "(setting RELEASES_CONFIG_ENVIRONMENT)."})
        release.rollback(at=timezone.now(), reason=reason, acting_user=acting_user,
                         incident_id=incident["id"] if incident else None)
        save_with_history(release, acting_user=acting_user, reason=f"rolled back: {reason}")
        audit_log(event_type="release.rolled_back", action="rollback", acting_user=acting_user, resource=release,
                  details={"reason": reason, "incident_id": release.rollback_incident_id,
                           "restored_config_revision": release.config_revision if restore_config else None,
                           "change_set": getattr(change_set, "pk", None)})
        notifications.send_rolled_back(release=release, acting_user=acting_user, incident=incident)
    return release


def patch_signoff(*, release: Release, test_check: str, acting_user, signed_by=None, notes: str = "") -> PatchSignoff:
    """A named person signs one testing check of a patch or hotfix."""
    if test_check not in TestingCheck.values:
        raise ValidationError({"test_check": f"Unknown testing check '{test_check}'."})
    with transaction.atomic():
        lock(release)
        if not release.is_patch_like:
            raise ValidationError("Only patch and hotfix releases carry testing sign-offs.")
        if release.status not in (ReleaseStatus.PLANNED, ReleaseStatus.APPROVED):
            raise ValidationError("Testing is signed off before deployment.")
        existing = release.signoffs.filter(test_check=test_check).select_related("signed_by").first()
        if existing:
            raise ValidationError({"test_check": f"{existing.get_test_check_display()} was already signed off by "
                                                 f"{existing.signed_by}."})
        signoff = PatchSignoff(release=release, stage=CHECK_STAGE[TestingCheck(test_check)], test_check=test_check,
                               signed_by=signed_by or acting_user, signed_at=timezone.now(), notes=notes)
        save_with_history(signoff, acting_user=acting_user, reason=f"signed off {test_check}")
        audit_log(event_type="release.patch_signoff", action="approve", acting_user=acting_user, resource=release,
                  details={"check": test_check, "signed_by": signoff.signed_by.get_username()})
    return signoff


def rollout_stage_record(*, release: Release, name: str, verification: str, acting_user,
                         traffic_percent: int | None = None) -> RolloutStage:
    """Record a rollout stage (canary, then full) of a deployed release with its verification."""
    if not (name or "").strip():
        raise ValidationError({"name": "Name the rollout stage (e.g. canary)."})
    if not (verification or "").strip():
        raise ValidationError({"verification": "Say how this stage was verified."})
    if traffic_percent is not None and not 0 < traffic_percent <= 100:
        raise ValidationError({"traffic_percent": "Traffic is a percentage between 1 and 100."})
    with transaction.atomic():
        lock(release)
        if release.status != ReleaseStatus.DEPLOYED:
            raise ValidationError("Rollout stages are recorded while the release is deployed.")
        position = release.rollout_stages.count() + 1
        stage = RolloutStage(release=release, position=position, name=name.strip(), verification=verification.strip(),
                             traffic_percent=traffic_percent, verified_by=acting_user, verified_at=timezone.now())
        save_with_history(stage, acting_user=acting_user, reason=f"rollout stage {name}")
    return stage
