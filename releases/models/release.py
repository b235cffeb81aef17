"""Releases with their changes, approvals, verification checklist, patch sign-offs and rollout."""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from marketplace_ops.history import tracked_history
from releases.choices import (
    ChangeType,
    Decision,
    PatchClassification,
    ReleaseStatus,
    ReleaseType,
    RiskLevel,
    TestingCheck,
    TestingStage,
)

DEFAULT_SLOT = timedelta(hours=2)


def _all_approvals_present(release) -> bool:
    return not release.missing_roles()


def _gate_open(release) -> bool:
    from releases.gates import deploy_gate

    return deploy_gate(release).ok


def _verification_done(release) -> bool:
    return not release.verification_items.filter(checked_at__isnull=True).exists()


class Release(ConcurrentTransitionMixin, models.Model):
    """A version of one component on its way to production."""

    component = models.ForeignKey("marketplace_ops.Component", on_delete=models.PROTECT, related_name="releases")
    version = models.CharField(max_length=64, help_text="SemVer 2.0; leave empty to use the suggested next version.")
    release_type = models.CharField(max_length=10, choices=ReleaseType.choices, db_index=True)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    release_notes = models.TextField(blank=True, help_text="Markdown; rendered sanitized.")
    status = FSMField(default=ReleaseStatus.PLANNED, choices=ReleaseStatus.choices, protected=True, db_index=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    scheduled_start = models.DateTimeField(null=True, blank=True, db_index=True)
    scheduled_end = models.DateTimeField(null=True, blank=True, help_text="Defaults to the window's end or +2 h.")
    maintenance_window = models.ForeignKey(
        "marketplace_ops.MaintenanceWindow", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    maintenance_policy = models.ForeignKey(
        "marketplace_ops.MaintenancePolicy",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Defaults from the release type (major → major update, minor/patch → minor update, "
        "security patch → security patch, hotfix → emergency fix).",
    )
    is_security_patch = models.BooleanField(default=False, help_text="Patch/hotfix fixing a vulnerability.")
    patch_classification = models.CharField(
        max_length=10, choices=PatchClassification.choices, blank=True, help_text="Patch and hotfix releases only."
    )
    risk_level = models.CharField(max_length=10, choices=RiskLevel.choices, default=RiskLevel.MEDIUM)
    deployment_plan = models.TextField(blank=True)
    rollback_plan = models.TextField(blank=True, help_text="Required before approval.")
    verification_steps = models.TextField(blank=True, help_text="One step per line, in order.")
    required_roles = models.JSONField(default=list, blank=True, editable=False)
    approval_round = models.PositiveIntegerField(default=1, editable=False)
    changes_requested = models.BooleanField(default=False, editable=False)
    config_revision = models.PositiveIntegerField(null=True, blank=True, editable=False)

    announcement_due_at = models.DateTimeField(null=True, blank=True, editable=False)
    announcement_sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    release_announced_at = models.DateTimeField(null=True, blank=True, editable=False)

    rollback_reason = models.TextField(blank=True, editable=False)
    rollback_incident_id = models.PositiveIntegerField(null=True, blank=True, editable=False)
    rolled_back_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", editable=False
    )

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    approved_at = models.DateTimeField(null=True, blank=True, editable=False)
    deployed_at = models.DateTimeField(null=True, blank=True, editable=False)
    completed_at = models.DateTimeField(null=True, blank=True, editable=False)
    rolled_back_at = models.DateTimeField(null=True, blank=True, editable=False)

    history = tracked_history(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["component", "version"], name="uniq_release_version")]
        indexes = [
            models.Index(fields=["component", "status"], name="release_component_status_idx"),
            models.Index(fields=["status", "announcement_due_at"], name="release_announce_due_idx"),
            models.Index(fields=["scheduled_start", "scheduled_end"], name="release_slot_idx"),
        ]
        permissions = [
            ("approve_release", "Can approve releases (for a role the user holds)"),
            ("deploy_release", "Can deploy releases"),
            ("complete_release", "Can complete releases"),
            ("rollback_release", "Can roll back releases"),
            ("signoff_patch", "Can sign off patch testing stages"),
        ]

    def __str__(self):
        return f"{self.component} {self.version}" if self.component_id else self.version

    @property
    def is_patch_like(self) -> bool:
        return self.release_type in (ReleaseType.PATCH, ReleaseType.HOTFIX)

    @property
    def is_critical_security_patch(self) -> bool:
        return (
            self.is_patch_like
            and self.is_security_patch
            and self.patch_classification == PatchClassification.CRITICAL
        )

    @property
    def is_emergency(self) -> bool:
        """Hotfixes and critical security patches may deploy at any time (policy: immediate)."""
        return self.release_type == ReleaseType.HOTFIX or self.is_critical_security_patch

    def active_approvals(self):
        return [a for a in self.approvals.all() if a.revoked_at is None and a.round == self.approval_round]

    def missing_roles(self) -> list[str]:
        approved = {a.role for a in self.active_approvals() if a.decision == Decision.APPROVED}
        return [role for role in self.required_roles if role not in approved]

    def approval_progress(self) -> str:
        return f"{len(self.required_roles) - len(self.missing_roles())}/{len(self.required_roles)}"

    def verification_step_list(self) -> list[str]:
        return [line.strip() for line in (self.verification_steps or "").splitlines() if line.strip()]

    def slot(self):
        return self.scheduled_start, self.scheduled_end

    # Transitions: pure state changes; side effects live in releases.services.

    @transition(field=status, source=ReleaseStatus.PLANNED, target=ReleaseStatus.APPROVED,
                conditions=[_all_approvals_present], custom={"admin": False})
    def approve(self, *, at):
        self.approved_at = at
        self.changes_requested = False

    @transition(field=status, source=[ReleaseStatus.PLANNED, ReleaseStatus.APPROVED], target=ReleaseStatus.PLANNED,
                custom={"admin": False})
    def reopen(self):
        self.approved_at = None

    @transition(field=status, source=ReleaseStatus.APPROVED, target=ReleaseStatus.DEPLOYED,
                conditions=[_all_approvals_present, _gate_open], permission="releases.deploy_release",
                custom={"label": "Deploy"})
    def deploy(self, *, at):
        self.deployed_at = at

    @transition(field=status, source=ReleaseStatus.DEPLOYED, target=ReleaseStatus.COMPLETED,
                conditions=[_verification_done], permission="releases.complete_release",
                custom={"label": "Complete", "form": "releases.forms.CompleteReleaseForm"})
    def complete(self, *, at):
        self.completed_at = at

    @transition(field=status, source=ReleaseStatus.DEPLOYED, target=ReleaseStatus.ROLLED_BACK,
                permission="releases.rollback_release",
                custom={"label": "Roll back", "form": "releases.forms.RollbackReleaseForm"})
    def rollback(self, *, at, reason, acting_user, incident_id=None):
        self.rolled_back_at = at
        self.rollback_reason = reason
        self.rolled_back_by = acting_user
        self.rollback_incident_id = incident_id


class ReleaseChange(models.Model):
    """One line of a release's change list; release notes are generated from these."""

    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="changes")
    change_type = models.CharField(max_length=12, choices=ChangeType.choices)
    description = models.CharField(max_length=500)
    ticket_id = models.CharField(max_length=50, blank=True, db_index=True)

    history = tracked_history()

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return f"{self.get_change_type_display()}: {self.description}"


class ReleaseApproval(models.Model):
    """A role's decision on one approval round of a release. Revoked rows stay for the record."""

    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="approvals")
    role = models.CharField(max_length=50)
    approver = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decision = models.CharField(max_length=10, choices=Decision.choices)
    comment = models.TextField(blank=True)
    round = models.PositiveIntegerField()
    conflict_acknowledged = models.BooleanField(default=False)
    decided_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_reason = models.CharField(max_length=300, blank=True)

    history = tracked_history()

    class Meta:
        ordering = ["decided_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["release", "role"], condition=models.Q(revoked_at__isnull=True), name="uniq_active_role_decision"
            ),
            models.UniqueConstraint(
                fields=["release", "approver"],
                condition=models.Q(revoked_at__isnull=True, decision="approved"),
                name="uniq_active_approver",
            ),
        ]
        indexes = [models.Index(fields=["release", "round"], name="approval_release_round_idx")]

    def __str__(self):
        return f"{self.role}: {self.get_decision_display()} by {self.approver}"


class VerificationItem(models.Model):
    """A post-deployment verification step; completion needs every item checked."""

    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="verification_items")
    position = models.PositiveIntegerField()
    description = models.CharField(max_length=500)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    checked_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField(max_length=500, blank=True)

    history = tracked_history()

    class Meta:
        ordering = ["position"]
        constraints = [models.UniqueConstraint(fields=["release", "position"], name="uniq_verification_position")]

    def __str__(self):
        return f"{self.position}. {self.description}"


class PatchSignoff(models.Model):
    """A named person's sign-off of one testing check of a patch or hotfix."""

    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="signoffs")
    stage = models.CharField(max_length=12, choices=TestingStage.choices)
    test_check = models.CharField(max_length=30, choices=TestingCheck.choices)
    signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    signed_at = models.DateTimeField()
    notes = models.TextField(blank=True)

    history = tracked_history()

    class Meta:
        ordering = ["stage", "test_check"]
        constraints = [models.UniqueConstraint(fields=["release", "test_check"], name="uniq_patch_signoff_check")]

    def __str__(self):
        return f"{self.get_test_check_display()} signed by {self.signed_by}"


class RolloutStage(models.Model):
    """A staged rollout step (canary, then full) with its verification."""

    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="rollout_stages")
    position = models.PositiveIntegerField()
    name = models.CharField(max_length=100)
    traffic_percent = models.PositiveSmallIntegerField(null=True, blank=True)
    verification = models.TextField()
    verified_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    verified_at = models.DateTimeField()

    history = tracked_history()

    class Meta:
        ordering = ["position"]
        constraints = [models.UniqueConstraint(fields=["release", "position"], name="uniq_rollout_position")]

    def __str__(self):
        return self.name
