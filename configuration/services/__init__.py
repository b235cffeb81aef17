"""The only writers of the configuration app. Public API (others call these):

- config_current_revision(environment) -> int
- config_changeset_restore_revision(*, environment, revision, acting_user, reason) -> ChangeSet
- config_backup_snapshot(), config_backup_changes_since(*, since, until),
  config_state_apply_changes(snapshot, changes), config_state_hash(state),
  config_backup_restore(*, state, acting_user, reason)
"""

from configuration.services.backup import (
    config_backup_changes_since,
    config_backup_restore,
    config_backup_snapshot,
    config_state_apply_changes,
    config_state_hash,
)
from configuration.services.changesets import (
    config_changeset_apply,
    config_changeset_approve,
    config_changeset_create,
    config_changeset_reject,
    config_changeset_submit,
    config_changeset_update_operations,
)
from configuration.services.common import (
    OperationSpec,
    StaleVersionError,
    UnknownEnvironment,
    check_environment,
    config_current_revision,
    environment_row,
)
from configuration.services.items import (
    WriteResult,
    can_reveal,
    config_changeset_promote,
    config_changeset_restore_revision,
    config_item_delete,
    config_item_reveal,
    config_item_rollback,
    config_item_set,
    config_item_version,
    config_state_at_revision,
    config_subscriber_save,
)

__all__ = [
    "OperationSpec", "StaleVersionError", "UnknownEnvironment", "WriteResult", "can_reveal", "check_environment",
    "config_backup_changes_since", "config_backup_restore", "config_backup_snapshot", "config_changeset_apply",
    "config_changeset_approve", "config_changeset_create", "config_changeset_promote", "config_changeset_reject",
    "config_changeset_restore_revision", "config_changeset_submit", "config_changeset_update_operations",
    "config_current_revision", "config_item_delete", "config_item_reveal", "config_item_rollback", "config_item_set",
    "config_item_version", "config_state_apply_changes", "config_state_at_revision", "config_state_hash",
    "config_subscriber_save", "environment_row",
]
