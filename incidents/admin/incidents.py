from datetime import UTC, datetime, time, timedelta

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.forms.models import BaseInlineFormSet
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from simple_history.admin import SimpleHistoryAdmin

from incidents import selectors, services
from incidents.admin.base import ReasonForm, ResolveForm, ServiceFSMAdminMixin, error_text
from incidents.choices import Audience, CommunicationChannel
from incidents.communication_templates import MESSAGE_TEMPLATES
from incidents.models import ActionItem, Alert, Communication, Incident, Postmortem, TimelineEntry
from incidents.models.incident import OPEN
from marketplace_ops.history import save_with_history

LEVEL_COLOURS = {"ok": "#1a7f37", "warning": "#b35900", "breached": "#c00", "done": "#555"}


class OpenFilter(admin.SimpleListFilter):
    title, parameter_name = "open", "open"

    def lookups(self, request, model_admin):
        return [("yes", "Open"), ("no", "Resolved or closed")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(status__in=OPEN)
        if self.value() == "no":
            return queryset.exclude(status__in=OPEN)
        return queryset


class BreachedFilter(admin.SimpleListFilter):
    title, parameter_name = "SLA", "sla"

    def lookups(self, request, model_admin):
        return [("breached", "Breached"), ("ok", "Within SLA")]

    def queryset(self, request, queryset):
        breached = Q(response_breached_at__isnull=False) | Q(resolution_breached_at__isnull=False)
        if self.value() == "breached":
            return queryset.filter(breached)
        if self.value() == "ok":
            return queryset.exclude(breached)
        return queryset


class TimelineInline(admin.TabularInline):
    model = TimelineEntry
    extra = 0
    can_delete = False
    fields = readonly_fields = ("at", "kind", "status", "message", "created_by")

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("created_by")


class CommunicationInline(admin.TabularInline):
    model = Communication
    extra = 0
    can_delete = False
    fields = readonly_fields = ("sent_at", "channel", "audience", "subject", "message", "recipient_count", "sent_by")

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("sent_by")


class LatestAlertsFormSet(BaseInlineFormSet):
    """At most the 50 latest alerts inline; the alert list has the rest."""

    def get_queryset(self):
        qs = super().get_queryset()
        ids = list(qs.order_by("-last_received_at", "-id").values_list("pk", flat=True)[:50])
        return qs.filter(pk__in=ids)


class AlertInline(admin.TabularInline):
    model = Alert
    formset = LatestAlertsFormSet
    extra = 0
    can_delete = False
    fields = readonly_fields = ("alertname", "status", "component_label", "unknown_component", "suppressed",
                                "suppression_reason", "repeat_count", "first_received_at", "last_received_at")
    verbose_name_plural = "alerts (latest 50)"

    def has_add_permission(self, request, obj=None):
        return False


class ActionItemInline(admin.TabularInline):
    model = ActionItem
    extra = 1
    fields = ("description", "owner", "due_date", "status")
    autocomplete_fields = ()


class PostmortemForm(forms.ModelForm):
    finish = forms.BooleanField(required=False, label="Finish the review (final)")

    class Meta:
        model = Postmortem
        fields = ("summary", "root_cause", "contributing_factors", "impact", "lessons_learned")

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("finish"):
            missing = [f for f in Postmortem.REQUIRED if not (cleaned.get(f) or "").strip()]
            for name in missing:
                self.add_error(name, "Required to finish the review.")
            incident = getattr(self.instance, "incident", None) or getattr(self, "parent_incident", None)
            if incident is not None and incident.is_open:
                raise ValidationError("Resolve the incident before finishing its review.")
        return cleaned


class PostmortemInline(admin.StackedInline):
    model = Postmortem
    form = PostmortemForm
    extra = 0
    max_num = 1
    can_delete = False
    readonly_fields = ("status", "finished_at")


class IncidentForm(forms.ModelForm):
    add_note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}),
                               help_text="Appended to the timeline with your name.")

    class Meta:
        model = Incident
        fields = ("title", "description", "severity", "affected_users", "components", "assignee", "commander",
                  "root_cause", "resolution")


class PostUpdateForm(forms.Form):
    channel = forms.ChoiceField(choices=CommunicationChannel.choices)
    audience = forms.ChoiceField(choices=Audience.choices)
    template = forms.ChoiceField(choices=[("", "— write my own —")] + [(k, k.capitalize()) for k in MESSAGE_TEMPLATES],
                                 required=False)
    subject = forms.CharField(required=False, max_length=200)
    message = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 5}))


class ReportForm(forms.Form):
    start = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("start") and cleaned.get("end") and cleaned["end"] <= cleaned["start"]:
            raise ValidationError("The end must be after the start.")
        return cleaned


@admin.register(Incident)
class IncidentAdmin(ServiceFSMAdminMixin, SimpleHistoryAdmin):
    form = IncidentForm
    change_list_template = "incidents/admin/incident_change_list.html"
    transition_permission = "incidents.transition_incident"
    transition_forms = {"resolve": ResolveForm, "reopen": ReasonForm}
    list_display = ("ref", "title", "severity_badge", "status", "sla", "assignee", "component_names", "detected_at")
    list_filter = (OpenFilter, BreachedFilter, "severity", "status", "source", "components")
    list_select_related = ("assignee", "commander")
    search_fields = ("=id", "title", "external_key")
    date_hierarchy = "detected_at"
    filter_horizontal = ("components",)
    actions = ["post_update", "escalate", "acknowledge"]
    inlines = [TimelineInline, CommunicationInline, AlertInline, ActionItemInline, PostmortemInline]
    readonly_fields = ("status", "source", "sla", "detected_at", "acknowledged_at", "resolved_at", "closed_at",
                       "response_due_at", "resolution_due_at", "update_due_at", "breach_list", "escalation",
                       "review_link", "runbooks")
    fieldsets = (
        (None, {"fields": ("title", "description", "severity", "status", "source", "affected_users", "components",
                           "runbooks")}),
        ("People", {"fields": ("assignee", "commander")}),
        ("SLA", {"fields": ("sla", "detected_at", "acknowledged_at", "response_due_at", "update_due_at",
                            "resolution_due_at", "resolved_at", "closed_at", "breach_list", "escalation")}),
        ("Outcome", {"fields": ("root_cause", "resolution", "review_link")}),
        ("Timeline", {"fields": ("add_note",)}),
    )

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("components")

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return ((None, {"fields": ("title", "description", "severity", "affected_users", "components",
                                       "assignee", "commander")}),)
        return self.fieldsets

    @admin.display(description="Ref", ordering="id")
    def ref(self, obj):
        return f"INC-{obj.pk}"

    @admin.display(description="Severity", ordering="severity")
    def severity_badge(self, obj):
        colour = {"critical": "#c00", "high": "#e36209", "medium": "#b08800", "low": "#555"}[obj.severity]
        return format_html('<strong style="color:{}">{}</strong>', colour, obj.get_severity_display())

    @admin.display(description="SLA")
    def sla(self, obj):
        if obj is None or obj.pk is None:
            return "-"
        state = selectors.sla_state(obj)
        return format_html('<span style="color:{};font-weight:bold">{}</span>', LEVEL_COLOURS[state["level"]], state["label"])

    @admin.display(description="Components")
    def component_names(self, obj):
        return ", ".join(c.name for c in obj.components.all()) or "-"

    @admin.display(description="Breaches")
    def breach_list(self, obj):
        rows = [(b.get_clock_display(), f"{b.due_at:%Y-%m-%d %H:%M}", f"{b.breached_at:%Y-%m-%d %H:%M}") for b in obj.breaches.all()]
        if not rows:
            return "none"
        return format_html_join(mark_safe("<br>"), "{} clock: due {}, breached {} UTC", rows)

    @admin.display(description="Escalation")
    def escalation(self, obj):
        snapshot = obj.escalation_snapshot or {}
        logs = [(f"{log.at:%Y-%m-%d %H:%M}", log.get_trigger_display() if log.trigger in dict(log._meta.get_field("trigger").choices) else log.trigger,
                 ", ".join(log.recipients) or "nobody", log.notified)
                for log in obj.escalations.all()]
        head = format_html("Policy: {}{}", snapshot.get("name", "-"), " (paging suppressed)" if obj.paging_suppressed else "")
        if not logs:
            return head
        return format_html("{}<br>{}", head, format_html_join(mark_safe("<br>"), "{} — {} → {} ({} messages)", logs))

    @admin.display(description="Runbooks")
    def runbooks(self, obj):
        """Runbooks for the incident's components (the knowledge base lives in incidents.support)."""
        try:
            from incidents.support.selectors import runbooks_for
        except ImportError:
            return "-"
        articles = runbooks_for(component_ids=[c.pk for c in obj.components.all()], severity=obj.severity)
        if not articles:
            return "none for these components"
        return format_html_join(mark_safe(" · "), '<a href="{}">{}</a>',
                                ((reverse("admin:support_knowledgearticle_change", args=[a.pk]), a.title) for a in articles))

    @admin.display(description="Post-incident review")
    def review_link(self, obj):
        return format_html('<a href="{}">Review page</a> · <a href="{}">Markdown</a>',
                           reverse("incidents:postmortem", args=[obj.pk]), reverse("incidents:postmortem-markdown", args=[obj.pk]))

    # --- saving goes through the services ---
    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if not change:
            created = services.incident_open(
                title=data["title"], description=data.get("description", ""), severity=data["severity"],
                component_ids=[c.pk for c in data.get("components", [])], affected_users=data["affected_users"],
                acting_user=request.user,
            )
            obj.pk = created.pk
            obj.refresh_from_db()
            if data.get("assignee") or data.get("commander"):
                services.incident_assign(incident=obj, acting_user=request.user, assignee=data.get("assignee"),
                                         commander=data.get("commander"))
            return
        initial = Incident.objects.get(pk=obj.pk)
        plain = [f for f in ("title", "description", "affected_users", "root_cause", "resolution") if f in form.changed_data]
        if plain:
            fresh = Incident.objects.get(pk=obj.pk)
            for name in plain:
                setattr(fresh, name, data[name])
            save_with_history(fresh, acting_user=request.user, reason="Edited in the admin")
        if "assignee" in form.changed_data or "commander" in form.changed_data:
            services.incident_assign(incident=obj, acting_user=request.user, assignee=data.get("assignee"),
                                     commander=data.get("commander"))
        if "severity" in form.changed_data and data["severity"] != initial.severity:
            try:
                services.incident_change_severity(incident=obj, severity=data["severity"], acting_user=request.user)
            except ValidationError as exc:
                self.message_user(request, error_text(exc), level=messages.ERROR)
        if data.get("add_note", "").strip():
            services.incident_add_note(incident=obj, message=data["add_note"], acting_user=request.user)
        obj.refresh_from_db()

    def save_related(self, request, form, formsets, change):
        if change and "components" in form.changed_data:
            before = {c.name for c in form.instance.components.all()}
            form.save_m2m()
            after = {c.name for c in form.instance.components.all()}
            if before != after:
                services.incident_add_note(
                    incident=form.instance, acting_user=request.user,
                    message=f"Affected components: {', '.join(sorted(after)) or 'none'} (were {', '.join(sorted(before)) or 'none'}).",
                )
        elif change:
            form.save_m2m()
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def save_formset(self, request, form, formset, change):
        if formset.model is Postmortem:
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
            for sub in formset.forms:
                if not sub.has_changed() or not sub.is_valid():
                    continue
                fields = {k: sub.cleaned_data.get(k, "") for k in PostmortemForm.Meta.fields}
                services.postmortem_save(incident=form.instance, acting_user=request.user,
                                         finish=bool(sub.cleaned_data.get("finish")), **fields)
            return
        if formset.model is ActionItem:
            for item in formset.save(commit=False):
                item.incident = form.instance
                save_with_history(item, acting_user=request.user, reason="Edited in the admin")
            for item in formset.deleted_objects:
                item.delete()
            return
        formset.save()

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else []

    def run_transition(self, request, obj, name, data):
        services.incident_transition(incident=obj, transition=name, acting_user=request.user,
                                     message=data.get("message", ""), resolution=data.get("resolution", ""))

    # --- actions ---
    @admin.action(description="Post an update to the selected incidents", permissions=["communicate"])
    def post_update(self, request, queryset):
        form = PostUpdateForm(request.POST if "apply" in request.POST else None)
        if "apply" in request.POST and form.is_valid():
            done, failed = 0, []
            for incident in queryset:
                try:
                    services.incident_communicate(incident=incident, acting_user=request.user, **form.cleaned_data)
                    done += 1
                except ValidationError as exc:
                    failed.append(f"{incident}: {error_text(exc)}")
            if done:
                self.message_user(request, f"Posted the update to {done} incident(s).", level=messages.SUCCESS)
            for text in failed:
                self.message_user(request, text, level=messages.ERROR)
            return None
        return render(request, "incidents/admin/post_update.html", {
            **self.admin_site.each_context(request), "opts": self.opts, "form": form, "incidents": queryset,
            "action": "post_update", "title": "Post an update",
        })

    @admin.action(description="Escalate now (notify the next step)", permissions=["escalate"])
    def escalate(self, request, queryset):
        for incident in queryset:
            try:
                log = services.incident_escalate(incident=incident, acting_user=request.user, reason="escalated in the admin")
            except ValidationError as exc:
                self.message_user(request, error_text(exc), level=messages.ERROR)
                continue
            who = ", ".join(log.recipients) if log and log.recipients else "nobody to reach"
            self.message_user(request, f"{incident}: escalated to {who}.", level=messages.SUCCESS if log else messages.WARNING)

    @admin.action(description="Acknowledge", permissions=["change"])
    def acknowledge(self, request, queryset):
        for incident in queryset.filter(acknowledged_at__isnull=True, status__in=OPEN):
            services.incident_acknowledge(incident=incident, acting_user=request.user)
        self.message_user(request, "Acknowledged.", level=messages.SUCCESS)

    def has_communicate_permission(self, request):
        return request.user.has_perm("incidents.communicate_incident")

    def has_escalate_permission(self, request):
        return request.user.has_perm("incidents.escalate_incident")

    # --- report ---
    def get_urls(self):
        return [path("report/", self.admin_site.admin_view(self.report_view), name="incidents_incident_report"),
                *super().get_urls()]

    def report_view(self, request):
        if not request.user.has_perm("incidents.view_incident_report"):
            raise PermissionDenied
        today = timezone.localdate()
        form = ReportForm(request.GET or {"start": today - timedelta(days=90), "end": today + timedelta(days=1)})
        context = {**self.admin_site.each_context(request), "opts": self.opts, "form": form, "title": "Incident metrics"}
        if form.is_valid():
            start = datetime.combine(form.cleaned_data["start"], time(0), tzinfo=UTC)
            end = datetime.combine(form.cleaned_data["end"], time(0), tzinfo=UTC)
            context |= {
                "weeks": selectors.mtta_mttr_per_week(start=start, end=end),
                "compliance": selectors.sla_compliance(start=start, end=end),
                "components": selectors.incidents_per_component(start=start, end=end),
            }
        return render(request, "incidents/admin/report.html", context)

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "report_url": reverse("admin:incidents_incident_report")}
        return super().changelist_view(request, extra_context)


@admin.register(Alert)
class AlertAdmin(admin.ModelAdmin):
    list_display = ("alertname", "incident", "status", "component_label", "unknown_component", "suppressed",
                    "repeat_count", "last_received_at")
    list_filter = ("status", "suppressed", "unknown_component")
    list_select_related = ("incident",)
    search_fields = ("alertname", "fingerprint", "=incident__id")
    readonly_fields = [f.name for f in Alert._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


__all__ = ["AlertAdmin", "IncidentAdmin"]
