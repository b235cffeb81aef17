"""Public services of the releases app (other apps import these names)."""

from releases.services.announcements import release_send_announcement, send_due_announcements
from releases.services.approvals import release_approve
from releases.services.calendar import (
    calendar_feed_token_rotate,
    component_is_deploying,
    upcoming_maintenance,
)
from releases.services.changes import (
    cab_vote,
    change_close_with_review,
    change_create,
    change_submit,
    change_transition,
    freeze_period_save,
)
from releases.services.lifecycle import (
    patch_signoff,
    release_complete,
    release_deploy,
    release_rollback,
    rollout_stage_record,
    verification_item_check,
)
from releases.services.releases import (
    release_changes_edited,
    release_create,
    release_generate_notes,
    release_pin_config_revision,
    release_request_approvals,
    release_revoke_approvals,
    release_save,
    release_update,
    release_validate,
    suggest_version,
)

__all__ = [
    "cab_vote",
    "calendar_feed_token_rotate",
    "change_close_with_review",
    "change_create",
    "change_submit",
    "change_transition",
    "component_is_deploying",
    "freeze_period_save",
    "patch_signoff",
    "release_approve",
    "release_changes_edited",
    "release_complete",
    "release_create",
    "release_deploy",
    "release_generate_notes",
    "release_pin_config_revision",
    "release_request_approvals",
    "release_revoke_approvals",
    "release_rollback",
    "release_save",
    "release_send_announcement",
    "release_update",
    "release_validate",
    "rollout_stage_record",
    "send_due_announcements",
    "suggest_version",
    "upcoming_maintenance",
    "verification_item_check",
]
