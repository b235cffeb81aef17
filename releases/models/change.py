"""Change requests with CAB votes, pre-approved templates, freeze periods and calendar feed tokens."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from marketplace_ops.history import tracked_history
from releases.choices import ChangeRequestType, ChangeStatus, Decision, risk_level

SCORE = [MinValueValidator(1), MaxValueValidator(5)]


class ChangeTemplate(models.Model):
    """A pre-approved standard change: changes made from it skip the CAB."""

    name = models.CharField(max_length=150, unique=True)
    description = models.TextField(blank=True)
    implementation_plan = models.TextField()
    mitigation = models.TextField(blank=True)
    is_active = models.BooleanField(default=True)

    history = tracked_history()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


def _review_recorded(change) -> bool:
    return bool(change.review_testing.strip() and change.review_lessons_learned.strip())


def _review_optional(change) -> bool:
    return change.change_type != ChangeRequestType.EMERGENCY


class ChangeRequest(ConcurrentTransitionMixin, models.Model):
    title = models.CharField(max_length=200)
    description = models.TextField()
    justification = models.TextField(blank=True)
    change_type = models.CharField(
        max_length=10, choices=ChangeRequestType.choices, default=ChangeRequestType.NORMAL, db_index=True
    )
    template = models.ForeignKey(
        ChangeTemplate, null=True, blank=True, on_delete=models.PROTECT, related_name="changes",
        help_text="Required for standard changes.",
    )
    status = FSMField(default=ChangeStatus.DRAFT, choices=ChangeStatus.choices, protected=True, db_index=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    components = models.ManyToManyField("marketplace_ops.Component", related_name="change_requests")
    impact_assessment = models.TextField(blank=True)
    likelihood = models.PositiveSmallIntegerField(validators=SCORE, default=2, help_text="1 (rare) – 5 (almost certain)")
    impact = models.PositiveSmallIntegerField(validators=SCORE, default=2, help_text="1 (negligible) – 5 (severe)")
    resource_requirements = models.TextField(blank=True)
    schedule_impact = models.TextField(blank=True)
    mitigation = models.TextField(blank=True)
    implementation_plan = models.TextField(blank=True)
    planned_start = models.DateTimeField(null=True, blank=True, db_index=True)
    planned_end = models.DateTimeField(null=True, blank=True)
    releases = models.ManyToManyField("releases.Release", blank=True, related_name="change_requests")
    origin_release = models.ForeignKey(
        "releases.Release", null=True, blank=True, on_delete=models.PROTECT, related_name="reviews",
        help_text="The emergency deployment this post-implementation review is about.",
    )

    review_testing = models.TextField("post-implementation testing", blank=True)
    review_performance = models.TextField("performance observations", blank=True)
    review_user_feedback = models.TextField("user feedback", blank=True)
    review_lessons_learned = models.TextField("lessons learned", blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True, editable=False)
    decided_at = models.DateTimeField(null=True, blank=True, editable=False)
    implemented_at = models.DateTimeField(null=True, blank=True, editable=False)
    closed_at = models.DateTimeField(null=True, blank=True, editable=False)

    history = tracked_history(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "planned_start"], name="change_status_start_idx")]
        permissions = [("vote_changerequest", "Can vote on change requests (CAB)")]

    def __str__(self):
        return f"CR-{self.pk}: {self.title}" if self.pk else self.title

    @property
    def risk(self) -> str:
        return risk_level(self.likelihood, self.impact)

    @property
    def risk_score(self) -> int:
        return (self.likelihood or 0) * (self.impact or 0)

    def clean(self):
        errors = {}
        if self.change_type == ChangeRequestType.STANDARD and not self.template_id:
            errors["template"] = "A standard change must come from a pre-approved template."
        if self.planned_start and self.planned_end and self.planned_end <= self.planned_start:
            errors["planned_end"] = "The planned end must be after the planned start."
        if errors:
            raise ValidationError(errors)

    @transition(field=status, source=ChangeStatus.DRAFT, target=ChangeStatus.SUBMITTED, permission="releases.change_changerequest", custom={"label": "Submit"})
    def submit(self, *, at):
        self.submitted_at = at

    @transition(field=status, source=ChangeStatus.SUBMITTED, target=ChangeStatus.IN_EVALUATION,
                permission="releases.change_changerequest", custom={"label": "Start evaluation"})
    def start_evaluation(self):
        pass

    @transition(field=status, source=[ChangeStatus.SUBMITTED, ChangeStatus.IN_EVALUATION],
                target=ChangeStatus.APPROVED, custom={"admin": False})
    def approve(self, *, at):
        self.decided_at = at

    @transition(field=status, source=[ChangeStatus.SUBMITTED, ChangeStatus.IN_EVALUATION],
                target=ChangeStatus.REJECTED, custom={"admin": False})
    def reject(self, *, at):
        self.decided_at = at

    @transition(field=status, source=ChangeStatus.APPROVED, target=ChangeStatus.SCHEDULED, permission="releases.change_changerequest", custom={"label": "Schedule"})
    def schedule(self):
        pass

    @transition(field=status, source=ChangeStatus.SCHEDULED, target=ChangeStatus.IMPLEMENTING,
                permission="releases.change_changerequest", custom={"label": "Start implementation"})
    def start_implementation(self):
        pass

    @transition(field=status, source=ChangeStatus.IMPLEMENTING, target=ChangeStatus.IMPLEMENTED,
                permission="releases.change_changerequest", custom={"label": "Mark implemented"})
    def finish_implementation(self, *, at):
        self.implemented_at = at

    @transition(field=status, source=ChangeStatus.IMPLEMENTED, target=ChangeStatus.IN_REVIEW,
                permission="releases.change_changerequest", custom={"label": "Start review"})
    def start_review(self):
        pass

    @transition(field=status, source=ChangeStatus.IN_REVIEW, target=ChangeStatus.CLOSED,
                conditions=[_review_recorded], permission="releases.change_changerequest", custom={"label": "Close", "form": "releases.forms.ChangeReviewForm"})
    def close(self, *, at):
        self.closed_at = at

    @transition(field=status, source=ChangeStatus.IMPLEMENTED, target=ChangeStatus.CLOSED,
                conditions=[_review_optional], permission="releases.change_changerequest", custom={"label": "Close without review"})
    def close_without_review(self, *, at):
        self.closed_at = at


class CabVote(models.Model):
    """A Change Advisory Board member's vote on a change request."""

    change_request = models.ForeignKey(ChangeRequest, on_delete=models.CASCADE, related_name="votes")
    voter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decision = models.CharField(max_length=10, choices=Decision.choices)
    comment = models.TextField(blank=True)
    conflict_acknowledged = models.BooleanField(default=False)
    voted_at = models.DateTimeField()

    history = tracked_history()

    class Meta:
        ordering = ["voted_at", "id"]
        constraints = [models.UniqueConstraint(fields=["change_request", "voter"], name="uniq_cab_vote")]

    def __str__(self):
        return f"{self.voter}: {self.get_decision_display()}"


class FreezePeriod(models.Model):
    """A blackout: no deployments to the components (or all) except emergency ones."""

    name = models.CharField(max_length=150)
    start = models.DateTimeField(db_index=True)
    end = models.DateTimeField(db_index=True)
    reason = models.TextField()
    components = models.ManyToManyField(
        "marketplace_ops.Component", blank=True, related_name="freeze_periods",
        help_text="Empty means every component.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = tracked_history()

    class Meta:
        ordering = ["-start"]
        indexes = [models.Index(fields=["start", "end"], name="freeze_span_idx")]

    def __str__(self):
        return f"{self.name} ({self.start:%Y-%m-%d} – {self.end:%Y-%m-%d})"

    def clean(self):
        if self.start and self.end and self.end <= self.start:
            raise ValidationError({"end": "A freeze period must end after it starts."})


class CalendarFeedToken(models.Model):
    """A staff member's secret for the change-calendar ICS feed; only its SHA-256 is stored."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"calendar feed of {self.user}"
