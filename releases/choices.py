"""States, types and classifications of releases, change requests and patches."""

from django.db import models


class ReleaseType(models.TextChoices):
    MAJOR = "major", "Major"
    MINOR = "minor", "Minor"
    PATCH = "patch", "Patch"
    HOTFIX = "hotfix", "Hotfix"


class ReleaseStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    APPROVED = "approved", "Approved"
    DEPLOYED = "deployed", "Deployed"
    COMPLETED = "completed", "Completed"
    ROLLED_BACK = "rolled_back", "Rolled back"


# Versions in these states count as "already deployed" for the version rules.
DEPLOYED_STATES = (ReleaseStatus.DEPLOYED, ReleaseStatus.COMPLETED, ReleaseStatus.ROLLED_BACK)
# Versions in these states are "released" (a hotfix may only fix one of these).
RELEASED_STATES = (ReleaseStatus.DEPLOYED, ReleaseStatus.COMPLETED)
OPEN_RELEASE_STATES = (ReleaseStatus.PLANNED, ReleaseStatus.APPROVED, ReleaseStatus.DEPLOYED)


class ChangeType(models.TextChoices):
    FEATURE = "feature", "Feature"
    ENHANCEMENT = "enhancement", "Enhancement"
    BUGFIX = "bugfix", "Bug fix"
    SECURITY = "security", "Security"
    PERFORMANCE = "performance", "Performance"
    OTHER = "other", "Other"


class Decision(models.TextChoices):
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"


class RiskLevel(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"
    CRITICAL = "critical", "Critical"


class PatchClassification(models.TextChoices):
    CRITICAL = "critical", "Critical"
    HIGH = "high", "High priority"
    NORMAL = "normal", "Normal"


class TestingStage(models.TextChoices):
    DEVELOPMENT = "development", "Development testing"
    QA = "qa", "QA testing"
    UAT = "uat", "User acceptance testing"


class TestingCheck(models.TextChoices):
    UNIT = "unit", "Unit testing"
    INTEGRATION = "integration", "Integration testing"
    FUNCTIONAL = "functional", "Functional testing"
    REGRESSION = "regression", "Regression testing"
    PERFORMANCE = "performance", "Performance testing"
    SECURITY = "security", "Security testing"
    ACCEPTANCE = "acceptance", "User acceptance testing"
    STAKEHOLDER = "stakeholder_validation", "Stakeholder validation"
    BUSINESS_PROCESS = "business_process", "Business process verification"


STAGE_CHECKS = {
    TestingStage.DEVELOPMENT: (TestingCheck.UNIT, TestingCheck.INTEGRATION, TestingCheck.FUNCTIONAL),
    TestingStage.QA: (TestingCheck.REGRESSION, TestingCheck.PERFORMANCE, TestingCheck.SECURITY),
    TestingStage.UAT: (TestingCheck.ACCEPTANCE, TestingCheck.STAKEHOLDER, TestingCheck.BUSINESS_PROCESS),
}
CHECK_STAGE = {check: stage for stage, checks in STAGE_CHECKS.items() for check in checks}


class ChangeRequestType(models.TextChoices):
    STANDARD = "standard", "Standard (pre-approved)"
    NORMAL = "normal", "Normal (CAB)"
    EMERGENCY = "emergency", "Emergency (ECAB)"


class ChangeStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    IN_EVALUATION = "in_evaluation", "In evaluation"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"
    SCHEDULED = "scheduled", "Scheduled"
    IMPLEMENTING = "implementing", "Implementing"
    IMPLEMENTED = "implemented", "Implemented"
    IN_REVIEW = "in_review", "In review"
    CLOSED = "closed", "Closed"


# Change states whose planned slot still matters for conflicts and the calendar.
ACTIVE_CHANGE_STATES = (
    ChangeStatus.DRAFT,
    ChangeStatus.SUBMITTED,
    ChangeStatus.IN_EVALUATION,
    ChangeStatus.APPROVED,
    ChangeStatus.SCHEDULED,
    ChangeStatus.IMPLEMENTING,
)


def risk_level(likelihood: int | None, impact: int | None) -> str:
    """Likelihood 1–5 × impact 1–5: 1–4 low, 5–9 medium, 10–16 high, 20–25 critical."""
    if not likelihood or not impact:
        return ""
    score = likelihood * impact
    if score >= 20:
        return RiskLevel.CRITICAL
    if score >= 10:
        return RiskLevel.HIGH
    if score >= 5:
        return RiskLevel.MEDIUM
    return RiskLevel.LOW
