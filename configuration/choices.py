from django.db import models


class Environment(models.TextChoices):
    """Ordered as the promotion path: development → testing → staging → production."""

    DEVELOPMENT = "development", "Development"
    TESTING = "testing", "Testing"
    STAGING = "staging", "Staging"
    PRODUCTION = "production", "Production"


ENVIRONMENT_ORDER = [e.value for e in Environment]

# Approvals needed before a change set may be applied (editable per environment in admin).
DEFAULT_REQUIRED_APPROVALS = {"development": 0, "testing": 0, "staging": 0, "production": 1}


class ChangeSetState(models.TextChoices):
    DRAFT = "draft", "Draft"
    PENDING = "pending_approval", "Pending approval"
    APPROVED = "approved", "Approved"
    APPLIED = "applied", "Applied"
    REJECTED = "rejected", "Rejected"


class ChangeSetKind(models.TextChoices):
    MANUAL = "manual", "Manual"
    EDIT = "edit", "Direct edit"
    PROMOTION = "promotion", "Promotion"
    ROLLBACK = "rollback", "Rollback"
    RESTORE = "restore", "Restore revision"
    IMPORT = "import", "Import"


class OperationKind(models.TextChoices):
    SET = "set", "Set"
    DELETE = "delete", "Delete"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    DELIVERED = "delivered", "Delivered"
    FAILED = "failed", "Failed"
