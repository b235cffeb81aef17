from django.db import models


class BackupTarget(models.TextChoices):
    DATABASE = "database", "This application's database"
    CONFIGURATION = "configuration", "Configuration data"
    MEDIA = "media", "Media files"


class BackupType(models.TextChoices):
    FULL = "full", "Full"
    INCREMENTAL = "incremental", "Incremental"
    DIFFERENTIAL = "differential", "Differential"


class RunStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"
    VERIFIED = "verified", "Verified"
    VERIFICATION_FAILED = "verification_failed", "Verification failed"
    EXPIRED = "expired", "Expired"


GOOD_STATUSES = (RunStatus.SUCCEEDED, RunStatus.VERIFIED)
STORED_STATUSES = (RunStatus.SUCCEEDED, RunStatus.VERIFIED, RunStatus.VERIFICATION_FAILED)


class Compression(models.TextChoices):
    NONE = "none", "None"
    GZIP = "gzip", "gzip"


class Trigger(models.TextChoices):
    SCHEDULE = "schedule", "Schedule"
    MANUAL = "manual", "Manual"
    SAFETY = "safety", "Safety backup before an in-place restore"
    DEMO = "demo", "Demo seeding"


class ReportOutcome(models.TextChoices):
    SUCCESS = "success", "Success"
    FAILURE = "failure", "Failure"


class RestoreKind(models.TextChoices):
    VERIFICATION = "verification", "Verification (test restore)"
    DRILL = "drill", "Scheduled restore drill"
    SCRATCH = "scratch", "Restore to scratch"
    IN_PLACE = "in_place", "Restore in place"


class RestoreStatus(models.TextChoices):
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"


class ObjectiveState(models.TextChoices):
    GREEN = "green", "Green"
    AMBER = "amber", "Amber"
    RED = "red", "Red"
