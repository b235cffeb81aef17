"""Creating and editing releases: version rules, defaults, revoke-on-edit, release notes."""


from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from marketplace_ops.history import save_with_history
from marketplace_ops.services.audit import audit_log
from releases import notifications, selectors, versioning
from releases.choices import ChangeType, ReleaseStatus, ReleaseType
from releases.gates import default_policy_slug
from releases.models import Release, ReleaseApproval, ReleaseChange
from releases.models.release import DEFAULT_SLOT

# Editing any of these after an approval revokes every approval of the release.
MATERIAL_FIELDS = {
    "component", "version", "release_type", "scheduled_start", "scheduled_end", "maintenance_window",
    "maintenance_policy", "deployment_plan", "rollback_plan", "verification_steps", "is_security_patch",
    "patch_classification",
}
SCHEDULE_FIELDS = {"scheduled_start", "scheduled_end", "maintenance_window"}
EDITABLE_STATES = (ReleaseStatus.PLANNED, ReleaseStatus.APPROVED)


def suggest_version(*, component_id: int, release_type: str, exclude_pk=None) -> str:
    versions = selectors.component_versions(component_id, exclude_pk=exclude_pk)
    return versioning.suggest(release_type, **versions)


def release_validate(release: Release, *, changed_fields=None) -> None:
    """Field errors for a release about to be saved; fills the version suggestion and defaults.
    `changed_fields` (None = a new release) decides whether a past start is an error."""
    errors = {}
    if not release.component_id:
        errors["component"] = "Choose the component this release ships."
    if release.release_type not in ReleaseType.values:
        errors["release_type"] = "Choose major, minor, patch or hotfix."
    if not errors:
        versions = selectors.component_versions(release.component_id, exclude_pk=release.pk)
        if not (release.version or "").strip():
            release.version = versioning.suggest(release.release_type, **versions)
            if not release.version:
                errors["version"] = (
                    f"A hotfix needs a released version to fix; nothing of {release.component} is released yet."
                )
        if "version" not in errors:
            try:
                release.version = versioning.validate(
                    release.version, release.release_type, component_name=str(release.component), **versions
                )
            except versioning.VersionError as exc:
                errors["version"] = str(exc)
    if release.patch_classification and release.release_type not in (ReleaseType.PATCH, ReleaseType.HOTFIX):
        errors["patch_classification"] = "Only patch and hotfix releases carry a patch classification."
    if release.is_security_patch and release.release_type not in (ReleaseType.PATCH, ReleaseType.HOTFIX):
        errors["is_security_patch"] = "Only patch and hotfix releases can be security patches."
    _validate_slot(release, errors, schedule_changed=changed_fields is None or "scheduled_start" in changed_fields)
    if errors:
        raise ValidationError(errors)


def _validate_slot(release: Release, errors: dict, *, schedule_changed: bool) -> None:
    from marketplace_ops.services.calendar import next_occurrence_of
    from releases.gates import fmt

    start = release.scheduled_start
    if start and schedule_changed and start < timezone.now():
        errors["scheduled_start"] = f"The scheduled start {fmt(start)} is in the past."
        return
    if start and release.maintenance_window_id and release.release_type in ReleaseType.values:
        window = release.maintenance_window
        occurrence = next_occurrence_of(window, start)
        if occurrence is None or not occurrence.contains(start):
            opening = f"; its next opening is {fmt(occurrence.start)}" if occurrence else ""
            errors["scheduled_start"] = f"{fmt(start)} is not inside the {window.name}{opening}."
        elif release.scheduled_end and release.scheduled_end > occurrence.end:
            errors["scheduled_end"] = f"The slot must end by {fmt(occurrence.end)}, when the {window.name} closes."
    if release.scheduled_end and not release.scheduled_start:
        errors["scheduled_start"] = "Set the scheduled start as well as the end."
    if release.scheduled_start and release.scheduled_end and release.scheduled_end <= release.scheduled_start:
        errors["scheduled_end"] = "The scheduled end must be after the start."


def _fill_defaults(release: Release) -> None:
    from marketplace_ops.models import MaintenancePolicy

    if release.is_patch_like and not release.patch_classification:
        release.patch_classification = "normal"
    if not release.maintenance_policy_id:
        release.maintenance_policy = MaintenancePolicy.objects.filter(slug=default_policy_slug(release)).first()
    if release.scheduled_start and not release.scheduled_end:
        release.scheduled_end = release.scheduled_start + DEFAULT_SLOT
        if release.maintenance_window_id:
            from marketplace_ops.services.calendar import next_occurrence_of

            occurrence = next_occurrence_of(release.maintenance_window, release.scheduled_start)
            if occurrence is not None and occurrence.contains(release.scheduled_start):
                release.scheduled_end = occurrence.end
    release.required_roles = required_roles_for(release)


def required_roles_for(release: Release) -> list[str]:
    if release.is_critical_security_patch:
        return ["security"]  # "development testing plus security approval"
    configured = settings.RELEASES_REQUIRED_APPROVALS
    return list(configured.get(release.release_type) or configured.get("major"))


def _create_changes(release: Release, changes) -> None:
    for index, item in enumerate(changes or []):
        change = ReleaseChange(
            release=release,
            change_type=item.get("change_type") or ChangeType.OTHER,
            description=(item.get("description") or "").strip(),
            ticket_id=(item.get("ticket_id") or "").strip(),
        )
        if not change.description:
            raise ValidationError({f"changes[{index}].description": "Describe the change."})
        if change.change_type not in ChangeType.values:
            raise ValidationError({f"changes[{index}].change_type": f"Unknown change type '{change.change_type}'."})
        change.save()


def release_create(*, acting_user, component, release_type: str, title: str, version: str = "", changes=(),
                   **fields) -> Release:
    """Plan a release (with its changes) and ask every required role for approval."""
    release = Release(component=component, release_type=release_type, title=title, version=version,
                      created_by=acting_user, **fields)
    with transaction.atomic():
        release_save(release=release, acting_user=acting_user, changed_fields=set())
        _create_changes(release, changes)
        notifications.send_approval_requests(release=release, acting_user=acting_user)
    return release


def release_save(*, release: Release, acting_user, changed_fields) -> bool:
    """Validate and save a new or edited release. Returns True if approvals were revoked
    (the caller then asks for approvals again once related rows are saved)."""
    creating = release.pk is None
    if not creating:
        current = Release.objects.only("status").get(pk=release.pk)
        if current.status not in EDITABLE_STATES:
            raise ValidationError(f"A {current.get_status_display().lower()} release can no longer be edited.")
    release_validate(release, changed_fields=None if creating else set(changed_fields or ()))
    with transaction.atomic():
        _fill_defaults(release)
        changed = set(changed_fields or ())
        if changed & SCHEDULE_FIELDS and release.announcement_sent_at:
            release.announcement_sent_at = None  # customers were told of another slot
        save_with_history(release, acting_user=acting_user, reason="release planned" if creating else "release edited")
        if creating:
            audit_log(event_type="release.created", action="create", acting_user=acting_user, resource=release,
                      details={"version": release.version, "type": release.release_type})
            return False
        material = sorted(changed & MATERIAL_FIELDS)
        if material:
            return release_revoke_approvals(release=release, acting_user=acting_user,
                                            reason="edited " + ", ".join(material), notify=False)
    return False


def release_update(*, release: Release, acting_user, changes=None, **fields) -> Release:
    """Edit fields (and optionally replace the change list); material edits revoke approvals."""
    with transaction.atomic():
        release = Release.objects.select_for_update().get(pk=release.pk)
        changed = {name for name, value in fields.items() if getattr(release, name) != value}
        for name, value in fields.items():
            setattr(release, name, value)
        revoked = release_save(release=release, acting_user=acting_user, changed_fields=changed)
        if changes is not None:
            release.changes.all().delete()
            _create_changes(release, changes)
            revoked = release_changes_edited(release=release, acting_user=acting_user, notify=False) or revoked
        if revoked:
            notifications.send_approval_requests(release=release, acting_user=acting_user,
                                                 revoked_reason=_last_revoke_reason(release))
    return release


def lock(release: Release) -> Release:
    """Lock the release row and refresh this instance in place (callers keep their object)."""
    Release.objects.select_for_update().filter(pk=release.pk).values_list("pk", flat=True).first()
    release.refresh_from_db()
    return release


def _last_revoke_reason(release) -> str:
    last = release.approvals.filter(revoked_at__isnull=False).order_by("-revoked_at").first()
    return last.revoked_reason if last else ""


def release_changes_edited(*, release: Release, acting_user, notify: bool = True) -> bool:
    return release_revoke_approvals(release=release, acting_user=acting_user, reason="edited the change list",
                                    notify=notify)


def release_revoke_approvals(*, release: Release, acting_user, reason: str, notify: bool = True) -> bool:
    """Revoke every decision of the current round; the release is planned again and a new round
    starts (old email links stop working). Returns False if there was nothing to revoke."""
    with transaction.atomic():
        lock(release)
        active = list(release.approvals.filter(revoked_at__isnull=True))
        if not active:
            return False
        now = timezone.now()
        for approval in active:
            approval.revoked_at = now
            approval.revoked_reason = reason[:300]
            save_with_history(approval, acting_user=acting_user, reason=f"approval revoked: {reason}")
        release.approval_round += 1
        release.changes_requested = False
        if release.status == ReleaseStatus.APPROVED:
            release.reopen()
            release.announcement_due_at = None
        save_with_history(release, acting_user=acting_user, reason=f"approvals revoked: {reason}")
        audit_log(event_type="release.approvals_revoked", action="update", acting_user=acting_user,
                  resource=release, details={"reason": reason, "revoked": [a.role for a in active]})
        if notify:
            notifications.send_approval_requests(release=release, acting_user=acting_user, revoked_reason=reason)
    return True


def generate_release_notes(release: Release) -> str:
    """Markdown grouped by change type, with ticket ids."""
    changes = list(release.changes.all())
    lines = [f"## {release.component} {release.version}", ""]
    if release.title:
        lines += [release.title, ""]
    for change_type in ChangeType:
        group = [c for c in changes if c.change_type == change_type]
        if not group:
            continue
        lines.append(f"### {change_type.label}")
        for change in group:
            ticket = f" ({change.ticket_id})" if change.ticket_id else ""
            lines.append(f"- {change.description}{ticket}")
        lines.append("")
    return "\n".join(lines).strip() + "\n"


def release_generate_notes(*, release: Release, acting_user) -> Release:
    """Replace the release notes with generated ones; the author may edit them afterwards."""
    with transaction.atomic():
        release = Release.objects.select_for_update().get(pk=release.pk)
        release.release_notes = generate_release_notes(release)
        save_with_history(release, acting_user=acting_user, reason="release notes generated")
    return release


def release_pin_config_revision(*, release: Release, revision: int, acting_user) -> Release:
    """Record the production configuration revision this release was deployed with."""
    if not isinstance(revision, int) or isinstance(revision, bool) or revision < 1:
        raise ValidationError({"config_revision": "A configuration revision is a positive whole number."})
    with transaction.atomic():
        release = Release.objects.select_for_update().get(pk=release.pk)
        if release.status in (ReleaseStatus.COMPLETED, ReleaseStatus.ROLLED_BACK):
            raise ValidationError({"config_revision": f"The release is already {release.get_status_display().lower()}."})
        previous = release.config_revision
        release.config_revision = revision
        save_with_history(release, acting_user=acting_user, reason=f"pinned configuration revision {revision}")
        audit_log(event_type="release.config_pinned", action="update", acting_user=acting_user, resource=release,
                  details={"from": previous, "to": revision})
    return release


def active_decision(release: Release, role: str) -> ReleaseApproval | None:
    return release.approvals.filter(role=role, revoked_at__isnull=True).first()





def release_request_approvals(*, release: Release, acting_user, revoked_reason: str = "") -> None:
    """Email every member of each role still to approve their personal signed link."""
    release.refresh_from_db()
    notifications.send_approval_requests(release=release, acting_user=acting_user,
                                         revoked_reason=revoked_reason or (_last_revoke_reason(release)
                                                                           if release.approval_round > 1 else ""))
