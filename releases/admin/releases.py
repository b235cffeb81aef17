"""Release admin: list with approval progress and gate state, inlines, FSM buttons, decide page."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from simple_history.admin import SimpleHistoryAdmin

from releases import selectors, services
from releases.admin.base import ServiceFSMAdminMixin, StaleFormMixin, error_text
from releases.choices import ReleaseStatus
from releases.forms import CompleteReleaseForm, ReleaseApprovalAdminForm, RollbackReleaseForm
from releases.gates import gate_summary
from releases.models import (
    PatchSignoff,
    Release,
    ReleaseApproval,
    ReleaseChange,
    RolloutStage,
    VerificationItem,
)
from releases.rendering import render_markdown
from releases.services.approvals import missing_signoffs


class ReleaseAdminForm(StaleFormMixin):
    class Meta:
        model = Release
        fields = "__all__"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "version" in self.fields:
            self.fields["version"].required = False

    def _post_clean(self):
        super()._post_clean()
        if self.errors:
            return
        try:
            services.release_validate(  # fills the suggested version when blank
                self.instance, changed_fields=set(self.changed_data) if self.instance.pk else None)
        except ValidationError as exc:
            self._update_errors(exc)


class ReleaseChangeInline(admin.TabularInline):
    model = ReleaseChange
    extra = 1
    fields = ("change_type", "description", "ticket_id")

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and (obj is None or obj.status in services_editable())

    has_add_permission = has_change_permission
    has_delete_permission = has_change_permission


def services_editable():
    from releases.services.releases import EDITABLE_STATES

    return EDITABLE_STATES


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ReleaseApprovalInline(ReadOnlyInline):
    model = ReleaseApproval
    fields = ("role", "decision", "approver", "comment", "round", "decided_at", "revoked_at", "revoked_reason")
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("approver")


class VerificationItemInline(ReadOnlyInline):
    model = VerificationItem
    fields = ("position", "description", "checked_by", "checked_at", "note")
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("checked_by")


class PatchSignoffInline(ReadOnlyInline):
    model = PatchSignoff
    fields = ("stage", "test_check", "signed_by", "signed_at", "notes")
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("signed_by")


class RolloutStageInline(ReadOnlyInline):
    model = RolloutStage
    fields = ("position", "name", "traffic_percent", "verification", "verified_by", "verified_at")
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("verified_by")


class SignoffForm(forms.Form):
    test_check = forms.ChoiceField(choices=())
    signed_by = forms.ModelChoiceField(queryset=None, help_text="The named person who did the testing.")
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, checks=(), **kwargs):
        from django.contrib.auth import get_user_model

        super().__init__(*args, **kwargs)
        self.fields["test_check"].choices = [(c.value, f"{c.label}") for c in checks]
        self.fields["signed_by"].queryset = get_user_model().objects.filter(is_active=True, is_staff=True)


class RolloutForm(forms.Form):
    name = forms.CharField(max_length=100, help_text="e.g. canary, then full")
    traffic_percent = forms.IntegerField(required=False, min_value=1, max_value=100)
    verification = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}))


@admin.register(Release)
class ReleaseAdmin(ServiceFSMAdminMixin, SimpleHistoryAdmin):
    form = ReleaseAdminForm
    list_display = ("version", "component", "title", "release_type", "status_label", "progress", "scheduled_start",
                    "gate_state", "conflict")
    list_display_links = ("version", "title")
    list_filter = ("status", "release_type", "component", "patch_classification", "changes_requested")
    search_fields = ("version", "title", "changes__ticket_id", "component__name")
    list_select_related = ("component", "maintenance_policy")
    date_hierarchy = "scheduled_start"
    inlines = [ReleaseChangeInline, ReleaseApprovalInline, PatchSignoffInline, VerificationItemInline,
               RolloutStageInline]
    readonly_fields = ("status", "created_by", "required_roles", "approval_round", "changes_requested",
                       "config_revision", "announcement_due_at", "announcement_sent_at", "release_announced_at",
                       "rollback_reason", "rollback_incident_id", "rolled_back_by", "approved_at", "deployed_at",
                       "completed_at", "rolled_back_at", "created_at", "notes_preview", "decide_links",
                       "gate_detail", "conflict_detail")
    fieldsets = [
        (None, {"fields": ("component", "release_type", "version", "title", "description", "status", "created_by",
                           "decide_links", "loaded_updated_at")}),
        ("Schedule", {"fields": ("scheduled_start", "scheduled_end", "maintenance_window", "maintenance_policy",
                                 "gate_detail", "conflict_detail")}),
        ("Plans", {"fields": ("deployment_plan", "rollback_plan", "verification_steps", "risk_level")}),
        ("Patch", {"fields": ("is_security_patch", "patch_classification")}),
        ("Release notes", {"fields": ("release_notes", "notes_preview")}),
        ("Approvals", {"fields": ("required_roles", "approval_round", "changes_requested")}),
        ("Record", {"classes": ("collapse",), "fields": (
            "config_revision", "announcement_due_at", "announcement_sent_at", "release_announced_at",
            "rollback_reason", "rollback_incident_id", "rolled_back_by", "created_at", "approved_at", "deployed_at",
            "completed_at", "rolled_back_at")}),
    ]
    actions = ["generate_notes", "send_announcement"]

    class Media:
        js = ["releases/suggest_version.js"]

    def get_queryset(self, request):
        qs = super().get_queryset(request).prefetch_related(
            Prefetch("approvals", queryset=ReleaseApproval.objects.filter(revoked_at__isnull=True)))
        return selectors.annotate_release_conflicts(selectors.annotate_release_freeze(qs))

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and obj.status not in services_editable():
            fields += [f.name for f in Release._meta.fields if f.editable and f.name not in fields]
        return fields

    # list columns
    @admin.display(description="status", ordering="status")
    def status_label(self, obj):
        text = obj.get_status_display()
        return f"{text} — changes requested" if obj.changes_requested and obj.status == "planned" else text

    @admin.display(description="approvals")
    def progress(self, obj):
        return obj.approval_progress()

    @admin.display(description="gate")
    def gate_state(self, obj):
        return gate_summary(obj, timezone.now())

    @admin.display(description="conflict", boolean=True)
    def conflict(self, obj):
        return bool(getattr(obj, "has_conflict", False))

    # detail fields
    @admin.display(description="preview")
    def notes_preview(self, obj):
        return render_markdown(obj.release_notes) if obj and obj.release_notes else "—"

    @admin.display(description="deploy gate")
    def gate_detail(self, obj):
        if obj is None or obj.pk is None:
            return "—"
        from releases.gates import deploy_gate

        return deploy_gate(obj).message if obj.status == ReleaseStatus.APPROVED else gate_summary(obj, timezone.now())

    @admin.display(description="conflicts")
    def conflict_detail(self, obj):
        conflicts = selectors.release_conflicts(obj) if obj and obj.pk else []
        if not conflicts:
            return "none"
        return format_html("<strong style='color:#b00'>⚠ overlaps</strong> {}",
                           ", ".join(str(c) for c in conflicts))

    @admin.display(description="decide")
    def decide_links(self, obj):
        if obj is not None and obj.pk and obj.status == ReleaseStatus.DEPLOYED:
            return format_html('<a class="button" href="{}">Record a rollout stage</a>',
                               reverse("admin:releases_release_rollout", args=[obj.pk]))
        if obj is None or obj.pk is None or obj.status != ReleaseStatus.PLANNED:
            return "—"
        links = [(reverse("admin:releases_release_decide", args=[obj.pk]), "Approve / reject")]
        if obj.is_patch_like:
            links.append((reverse("admin:releases_release_signoff", args=[obj.pk]), "Sign off testing"))
        missing = missing_signoffs(obj)
        html = format_html_join(" · ", '<a class="button" href="{}">{}</a>', links)
        if missing:
            html += format_html(" <small>sign-offs missing: {}</small>", ", ".join(str(m.label) for m in missing))
        return html

    # saving through services
    def save_model(self, request, obj, form, change):
        if change and not form.changed_data:
            return  # e.g. a lifecycle button pressed without edits: nothing to save, no history row
        if not change:
            obj.created_by = request.user
        request._release_revoked = services.release_save(release=obj, acting_user=request.user,
                                                         changed_fields=set(form.changed_data) if change else set())
        request._release_created = not change

    def save_formset(self, request, form, formset, change):
        formset.save()
        if formset.model is ReleaseChange and change and formset.has_changed():
            revoked = services.release_changes_edited(release=form.instance, acting_user=request.user, notify=False)
            request._release_revoked = getattr(request, "_release_revoked", False) or revoked

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if getattr(request, "_release_created", False) or getattr(request, "_release_revoked", False):
            services.release_request_approvals(release=form.instance, acting_user=request.user)
            if getattr(request, "_release_revoked", False):
                self.message_user(request, "Approvals were revoked by this edit; approvers were asked again.",
                                  level=messages.WARNING)

    # transitions
    def run_transition(self, request, obj, name, data):
        if name == "deploy":
            return services.release_deploy(release=obj, acting_user=request.user)
        if name == "complete":
            return services.release_complete(release=obj, acting_user=request.user,
                                             checked_item_ids=data["_form"].checked_ids())
        if name == "rollback":
            return services.release_rollback(release=obj, acting_user=request.user, reason=data["reason"],
                                             incident_id=data.get("incident_id"),
                                             restore_config=data.get("restore_config", False))
        raise ValidationError(f"'{name}' is not a step people take by hand.")

    def transition_form(self, request, obj, name, data):
        if name == "complete":
            return CompleteReleaseForm(data, items=list(obj.verification_items.select_related("checked_by")))
        if name == "rollback":
            form = RollbackReleaseForm(data)
            if obj.config_revision is None:
                form.fields["restore_config"].disabled = True
                form.fields["restore_config"].help_text = "No configuration revision was pinned on this release."
            else:
                form.fields["restore_config"].help_text = f"Restores production revision {obj.config_revision}."
            return form
        return None

    # extra pages
    def get_urls(self):
        return [
            path("<int:object_id>/decide/", self.admin_site.admin_view(self.decide_view), name="releases_release_decide"),
            path("<int:object_id>/signoff/", self.admin_site.admin_view(self.signoff_view),
                 name="releases_release_signoff"),
            path("<int:object_id>/rollout/", self.admin_site.admin_view(self.rollout_view),
                 name="releases_release_rollout"),
            path("calendar/", self.admin_site.admin_view(self.calendar_view), name="releases_calendar"),
            path("suggest-version/", self.admin_site.admin_view(self.suggest_version_view),
                 name="releases_release_suggest_version"),
            *super().get_urls(),
        ]

    def _page(self, request, obj, title, form):
        context = self.admin_site.each_context(request) | {"opts": self.opts, "original": obj, "title": title,
                                                            "form": form}
        return render(request, "admin/releases/action_form.html", context)

    def _run_form(self, request, obj, form, call, done):
        if request.method == "POST" and form.is_valid():
            try:
                call(form.cleaned_data)
            except ValidationError as exc:
                if hasattr(exc, "error_dict"):
                    for field, errors in exc.message_dict.items():
                        for message in errors:
                            form.add_error(field if field in form.fields else None, message)
                else:
                    form.add_error(None, error_text(exc))
            else:
                self.message_user(request, done, level=messages.SUCCESS)
                return redirect("admin:releases_release_change", obj.pk)
        return None

    def decide_view(self, request, object_id):
        obj = self.get_object(request, str(object_id))
        if obj is None or not request.user.has_perm("releases.approve_release"):
            self.message_user(request, "You may not approve releases.", level=messages.ERROR)
            return redirect("admin:releases_release_changelist")
        roles = [r for r in obj.required_roles if request.user.groups.filter(name=r).exists()] or obj.required_roles
        form = ReleaseApprovalAdminForm(request.POST or None, roles=roles)

        def call(data):
            services.release_approve(release=obj, role=data["role"], acting_user=request.user,
                                     approved=data["decision"] == "approve", comment=data["comment"],
                                     acknowledge_conflict=data["acknowledge_conflict"])

        return self._run_form(request, obj, form, call, "Your decision was recorded.") or \
            self._page(request, obj, f"Approve or reject {obj}", form)

    def signoff_view(self, request, object_id):
        obj = self.get_object(request, str(object_id))
        if obj is None or not request.user.has_perm("releases.signoff_patch"):
            self.message_user(request, "You may not sign off patch testing.", level=messages.ERROR)
            return redirect("admin:releases_release_changelist")
        form = SignoffForm(request.POST or None, checks=missing_signoffs(obj) or [])

        def call(data):
            services.patch_signoff(release=obj, test_check=data["test_check"], acting_user=request.user,
                                   signed_by=data["signed_by"], notes=data["notes"])

        return self._run_form(request, obj, form, call, "Sign-off recorded.") or \
            self._page(request, obj, f"Sign off testing of {obj}", form)

    def rollout_view(self, request, object_id):
        obj = self.get_object(request, str(object_id))
        if obj is None or not request.user.has_perm("releases.add_rolloutstage"):
            self.message_user(request, "You may not record rollout stages.", level=messages.ERROR)
            return redirect("admin:releases_release_changelist")
        form = RolloutForm(request.POST or None)

        def call(data):
            services.rollout_stage_record(release=obj, acting_user=request.user, **data)

        return self._run_form(request, obj, form, call, "Rollout stage recorded.") or \
            self._page(request, obj, f"Record a rollout stage of {obj}", form)

    def suggest_version_view(self, request):
        """JSON for the add/change form: the next version for a component and release type."""
        from django.http import JsonResponse

        from releases.choices import ReleaseType

        try:
            component_id = int(request.GET.get("component", ""))
        except ValueError:
            return JsonResponse({"errors": [{"field": "component", "message": "Choose a component."}]}, status=400)
        release_type = request.GET.get("release_type", "")
        if release_type not in ReleaseType.values:
            return JsonResponse({"errors": [{"field": "release_type", "message": "Choose a release type."}]},
                                status=400)
        exclude = request.GET.get("exclude") or None
        version = services.suggest_version(component_id=component_id, release_type=release_type,
                                           exclude_pk=int(exclude) if exclude and exclude.isdigit() else None)
        message = "" if version else "Nothing of this component is released yet, so there is nothing to hotfix."
        return JsonResponse({"version": version, "message": message})

    def calendar_view(self, request):
        from releases.calendar_view import calendar_page

        return calendar_page(self, request)

    # list actions
    @admin.action(description="Generate release notes from the changes")
    def generate_notes(self, request, queryset):
        for release in queryset[:100]:
            services.release_generate_notes(release=release, acting_user=request.user)
        self.message_user(request, "Release notes generated; edit them if needed.")

    @admin.action(description="Send the maintenance announcement now")
    def send_announcement(self, request, queryset):
        for release in queryset[:100]:
            try:
                services.release_send_announcement(release=release, acting_user=request.user)
            except ValidationError as exc:
                self.message_user(request, f"{release}: {error_text(exc)}", level=messages.ERROR)
            else:
                self.message_user(request, f"{release}: announcement sent.")
