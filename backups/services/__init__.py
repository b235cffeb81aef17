"""The only writers of the backups app (see runs.py and watch.py)."""

from backups.services.runs import (
    RestoreRefused,
    backup_restore,
    backup_run_start,
    backup_verify,
    in_place_name,
    policy_save,
)
from backups.services.watch import (
    DEFAULT_OBJECTIVES,
    backup_prune,
    incident_key,
    objectives_check,
    objectives_seed_defaults,
    policies_claim_due,
    policy_run_scheduled,
    report_record,
    restore_drill,
    retention_decisions,
    runs_fail_interrupted,
)

__all__ = [
    "DEFAULT_OBJECTIVES", "RestoreRefused", "backup_prune", "backup_restore", "backup_run_start", "backup_verify",
    "in_place_name", "incident_key", "objectives_check", "objectives_seed_defaults", "policies_claim_due",
    "policy_run_scheduled", "policy_save", "report_record", "restore_drill", "retention_decisions",
    "runs_fail_interrupted",
]
