"""Change request, CAB vote, template and freeze period admin."""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin

from releases import selectors, services
from releases.admin.base import ServiceFSMAdminMixin, StaleFormMixin, error_text
from releases.choices import ChangeRequestType, ChangeStatus
from releases.forms import CabVoteForm, ChangeReviewForm
from releases.models import CabVote, ChangeRequest, ChangeTemplate, FreezePeriod
from releases.services.changes import SIMPLE_TRANSITIONS, quorum_for


class ChangeRequestAdminForm(StaleFormMixin):
    class Meta:
        model = ChangeRequest
        fields = "__all__"


class CabVoteInline(admin.TabularInline):
    model = CabVote
    extra = 0
    can_delete = False
    fields = ("voter", "decision", "comment", "conflict_acknowledged", "voted_at")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("voter")


@admin.register(ChangeRequest)
class ChangeRequestAdmin(ServiceFSMAdminMixin, SimpleHistoryAdmin):
    form = ChangeRequestAdminForm
    list_display = ("__str__", "change_type", "status", "risk_label", "planned_start", "votes_label", "conflict")
    list_filter = ("status", "change_type")
    search_fields = ("title", "description")
    list_select_related = ("requested_by",)
    filter_horizontal = ("components", "releases")
    inlines = [CabVoteInline]
    readonly_fields = ("status", "requested_by", "risk_label", "origin_release", "vote_link", "conflict_detail",
                       "submitted_at", "decided_at", "implemented_at", "closed_at")
    fieldsets = [
        (None, {"fields": ("title", "description", "justification", "change_type", "template", "status",
                           "requested_by", "vote_link", "origin_release", "loaded_updated_at")}),
        ("Assessment", {"fields": ("components", "impact_assessment", "likelihood", "impact", "risk_label",
                                   "resource_requirements", "schedule_impact", "mitigation")}),
        ("Implementation", {"fields": ("implementation_plan", "planned_start", "planned_end", "conflict_detail",
                                       "releases")}),
        ("Post-implementation review", {"fields": ("review_testing", "review_performance", "review_user_feedback",
                                                   "review_lessons_learned")}),
        ("Record", {"classes": ("collapse",), "fields": ("submitted_at", "decided_at", "implemented_at",
                                                         "closed_at")}),
    ]

    def get_queryset(self, request):
        return selectors.annotate_change_conflicts(super().get_queryset(request)).prefetch_related("votes")

    @admin.display(description="risk")
    def risk_label(self, obj):
        return f"{obj.risk} ({obj.likelihood}×{obj.impact}={obj.risk_score})" if obj and obj.pk else "—"

    @admin.display(description="CAB votes")
    def votes_label(self, obj):
        if obj.change_type == ChangeRequestType.STANDARD:
            return "pre-approved"
        votes = list(obj.votes.all())
        approvals = sum(1 for v in votes if v.decision == "approved")
        rejections = len(votes) - approvals
        return f"{approvals}/{quorum_for(obj)}" + (f", {rejections} rejected" if rejections else "")

    @admin.display(description="conflict", boolean=True)
    def conflict(self, obj):
        return bool(getattr(obj, "has_conflict", False))

    @admin.display(description="conflicts")
    def conflict_detail(self, obj):
        conflicts = selectors.change_conflicts(obj) if obj and obj.pk else []
        if not conflicts:
            return "none"
        return format_html("<strong style='color:#b00'>⚠ overlaps</strong> {}", ", ".join(str(c) for c in conflicts))

    @admin.display(description="CAB")
    def vote_link(self, obj):
        if obj is None or obj.pk is None or obj.status not in (ChangeStatus.SUBMITTED, ChangeStatus.IN_EVALUATION):
            return "—"
        if obj.change_type == ChangeRequestType.STANDARD:
            return "pre-approved"
        return format_html('<a class="button" href="{}">Vote</a>', reverse("admin:releases_changerequest_vote",
                                                                            args=[obj.pk]))

    def save_model(self, request, obj, form, change):
        if change and not form.changed_data:
            return
        if not change:
            obj.requested_by = request.user
            if obj.template_id:
                obj.implementation_plan = obj.implementation_plan or obj.template.implementation_plan
                obj.mitigation = obj.mitigation or obj.template.mitigation
        from marketplace_ops.history import save_with_history

        save_with_history(obj, acting_user=request.user, reason="edited in admin" if change else "drafted in admin")

    def run_transition(self, request, obj, name, data):
        if name == "submit":
            return services.change_submit(change=obj, acting_user=request.user)
        if name == "close":
            data.pop("_form", None)
            return services.change_close_with_review(change=obj, acting_user=request.user, **data)
        if name in SIMPLE_TRANSITIONS:
            return services.change_transition(change=obj, transition=name, acting_user=request.user)
        raise ValidationError(f"'{name}' is decided by the CAB vote, not by hand.")

    def transition_form(self, request, obj, name, data):
        if name == "close":
            initial = {f: getattr(obj, f) for f in ChangeReviewForm.base_fields}
            return ChangeReviewForm(data, initial=initial)
        return None

    def get_urls(self):
        return [path("<int:object_id>/vote/", self.admin_site.admin_view(self.vote_view),
                     name="releases_changerequest_vote"), *super().get_urls()]

    def vote_view(self, request, object_id):
        obj = self.get_object(request, str(object_id))
        if obj is None or not request.user.has_perm("releases.vote_changerequest"):
            self.message_user(request, "Only CAB members vote on change requests.", level=messages.ERROR)
            return redirect("admin:releases_changerequest_changelist")
        form = CabVoteForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                services.cab_vote(change=obj, acting_user=request.user, approve=form.cleaned_data["decision"] == "approve",
                                  comment=form.cleaned_data["comment"],
                                  acknowledge_conflict=form.cleaned_data["acknowledge_conflict"])
            except ValidationError as exc:
                if hasattr(exc, "error_dict"):
                    for field, errors in exc.message_dict.items():
                        for message in errors:
                            form.add_error(field if field in form.fields else None, message)
                else:
                    form.add_error(None, error_text(exc))
            else:
                self.message_user(request, "Your vote was recorded.")
                return redirect("admin:releases_changerequest_change", obj.pk)
        context = self.admin_site.each_context(request) | {"opts": self.opts, "original": obj, "form": form,
                                                            "title": f"CAB vote on {obj}"}
        return render(request, "admin/releases/change_vote_form.html", context)


@admin.register(ChangeTemplate)
class ChangeTemplateAdmin(SimpleHistoryAdmin):
    list_display = ("name", "is_active")
    search_fields = ("name",)


@admin.register(FreezePeriod)
class FreezePeriodAdmin(SimpleHistoryAdmin):
    list_display = ("name", "start", "end", "scope", "created_by")
    list_select_related = ("created_by",)
    filter_horizontal = ("components",)
    search_fields = ("name", "reason")
    date_hierarchy = "start"

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("components")

    @admin.display(description="components")
    def scope(self, obj):
        names = [c.name for c in obj.components.all()]
        return ", ".join(names) if names else "all components"

    def save_model(self, request, obj, form, change):
        request._freeze = obj

    def save_related(self, request, form, formsets, change):
        services.freeze_period_save(freeze=form.instance, components=form.cleaned_data.get("components", []),
                                    acting_user=request.user)
