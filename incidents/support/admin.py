"""Thin admin: lists, filters, inlines; every button, form and action calls a service."""

from datetime import timedelta

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django_fsm import ConcurrentTransition, TransitionNotAllowed
from django_fsm.admin import FSMAdminMixin
from simple_history.admin import SimpleHistoryAdmin

from incidents.support import services
from incidents.support.choices import CLOCK_RUNNING_STATUSES, OPEN_STATUSES, Severity
from incidents.support.forms import (
    EscalateForm,
    IncidentJoinForm,
    IncidentOpenForm,
    ReplyForm,
    ResolveForm,
    WaitForm,
)
from incidents.support.models import Customer, KnowledgeArticle, Ticket, TicketEscalation, TicketMessage
from incidents.support.selectors import render_markdown, sla_state

SERVICE_ERRORS = (ValidationError, PermissionDenied, TransitionNotAllowed, ConcurrentTransition)
SLA_COLOURS = {"breached": "#b42318", "warning": "#b54708", "ok": "#067647", "paused": "#475467", "done": "#475467"}


def error_text(exc) -> str:
    if isinstance(exc, ValidationError):
        if hasattr(exc, "error_dict"):
            return " ".join(f"{m}" for msgs in exc.message_dict.values() for m in msgs)
        return " ".join(exc.messages)
    if isinstance(exc, TransitionNotAllowed):
        return "That step is not possible from the ticket's current status (reload the page)."
    if isinstance(exc, ConcurrentTransition):
        return "Someone else changed this ticket at the same moment; reload and try again."
    return str(exc)


@admin.register(Customer)
class CustomerAdmin(SimpleHistoryAdmin):
    list_display = ("name", "email_domain", "is_premium", "dedicated_engineer")
    list_filter = ("is_premium",)
    search_fields = ("name", "email_domain")
    list_select_related = ("dedicated_engineer",)
    autocomplete_fields = ("dedicated_engineer",)


class ArticleForm(forms.ModelForm):
    severities = forms.MultipleChoiceField(
        choices=Severity.choices, required=False, widget=forms.CheckboxSelectMultiple,
        help_text="Leave empty for every severity.",
    )

    class Meta:
        model = KnowledgeArticle
        fields = ("title", "slug", "kind", "summary", "body", "components", "severities", "is_published",
                  "is_public")


@admin.register(KnowledgeArticle)
class KnowledgeArticleAdmin(SimpleHistoryAdmin):
    form = ArticleForm
    list_display = ("title", "kind", "is_published", "is_public", "component_list", "updated_at")
    list_filter = ("kind", "is_published", "is_public", "components")
    search_fields = ("title", "summary", "body")
    prepopulated_fields = {"slug": ("title",)}
    filter_horizontal = ("components",)
    readonly_fields = ("preview",)

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("components")

    @admin.display(description="components")
    def component_list(self, obj):
        return ", ".join(c.name for c in obj.components.all()) or "all"

    @admin.display(description="rendered (sanitized)")
    def preview(self, obj):
        return render_markdown(obj.body) if obj and obj.pk else "—"


class TicketMessageInline(admin.TabularInline):
    model = TicketMessage
    extra = 0
    can_delete = False
    fields = ("created_at", "kind", "author_name", "body")
    readonly_fields = fields
    ordering = ("created_at", "id")

    def has_add_permission(self, request, obj=None):
        return False


class TicketEscalationInline(admin.TabularInline):
    model = TicketEscalation
    extra = 0
    can_delete = False
    fields = ("escalated_at", "from_tier", "to_tier", "reason", "escalated_by")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("escalated_by")


class OpenFilter(admin.SimpleListFilter):
    title = "open"
    parameter_name = "open"

    def lookups(self, request, model_admin):
        return [("yes", "Open"), ("no", "Resolved or closed")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(status__in=OPEN_STATUSES)
        if self.value() == "no":
            return queryset.exclude(status__in=OPEN_STATUSES)
        return queryset


class BreachedFilter(admin.SimpleListFilter):
    title = "SLA"
    parameter_name = "sla"

    def lookups(self, request, model_admin):
        return [("breached", "Breached"), ("due_soon", "Due within an hour")]

    def queryset(self, request, queryset):
        if self.value() == "breached":
            return queryset.filter(Q(response_breached_at__isnull=False) | Q(resolution_breached_at__isnull=False))
        if self.value() == "due_soon":
            soon = timezone.now() + timedelta(hours=1)
            return queryset.filter(
                Q(first_response_at__isnull=True, response_due__lte=soon, status__in=OPEN_STATUSES)
                | Q(resolution_due__lte=soon, status__in=CLOCK_RUNNING_STATUSES)
            )
        return queryset


class TriageForm(forms.Form):
    severity = forms.ChoiceField(choices=Severity.choices, help_text="Reclassifying recomputes the SLA clocks.")


@admin.register(Ticket)
class TicketAdmin(FSMAdminMixin, SimpleHistoryAdmin):
    fsm_fields = ["status"]
    fsm_forms = {"wait_on_customer": WaitForm, "resolve": ResolveForm, "triage": TriageForm}
    change_form_template = "support/admin/ticket_change_form.html"
    list_display = (
        "reference", "subject", "premium_flag", "severity", "tier", "status", "sla_badge", "assignee",
        "requester_email", "opened_at",
    )
    list_display_links = ("reference", "subject")
    list_filter = (OpenFilter, BreachedFilter, "status", "tier", "severity", "premium", "channel")
    search_fields = ("subject", "requester_email", "requester_name", "requester_organisation", "=id")
    list_select_related = ("assignee",)
    ordering = ("-premium", "resolution_due", "id")
    show_full_result_count = False
    inlines = [TicketMessageInline, TicketEscalationInline]
    actions = ["assign_to_me", "escalate_selected"]
    add_fields = ("requester_name", "requester_email", "requester_organisation", "channel", "subject",
                  "description", "severity")
    readonly_fields = (
        "reference", "sla_badge", "requester_name", "requester_email", "requester_organisation", "customer",
        "premium", "dedicated_engineer", "channel", "subject", "description", "severity", "tier", "assignee",
        "incident_link", "knowledge_article", "resolution", "opened_at", "first_response_at", "response_due",
        "resolution_due", "next_update_due", "paused_at", "paused_total", "response_breached_at",
        "resolution_breached_at", "resolved_at", "closed_at", "escalated_at",
    )
    fieldsets = (
        (None, {"fields": ("reference", "subject", "description", "severity", "tier", "status", "assignee",
                           "sla_badge")}),
        ("Requester", {"fields": ("requester_name", "requester_email", "requester_organisation", "customer",
                                  "premium", "dedicated_engineer", "channel")}),
        ("Links", {"fields": ("incident_link", "knowledge_article", "resolution")}),
        ("Clocks", {"fields": ("opened_at", "first_response_at", "response_due", "resolution_due",
                               "next_update_due", "paused_at", "paused_total", "response_breached_at",
                               "resolution_breached_at", "resolved_at", "closed_at", "escalated_at")}),
    )

    # --- add view: a ticket taken by phone/chat/email goes through ticket_create ---
    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return ((None, {"fields": self.add_fields}),)
        return self.fieldsets

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        return super().get_readonly_fields(request, obj)

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else []

    def save_model(self, request, obj, form, change):
        if change:
            return  # every field is read-only; changes go through the buttons
        data = form.cleaned_data
        created = services.ticket_create(
            requester_name=data["requester_name"], requester_email=data["requester_email"],
            requester_organisation=data.get("requester_organisation", ""), subject=data["subject"],
            description=data["description"], severity=data["severity"], channel=data["channel"],
            acting_user=request.user,
        )
        obj.pk = obj.id = created.pk

    def save_related(self, request, form, formsets, change):
        if change:
            super().save_related(request, form, formsets, change)

    def has_delete_permission(self, request, obj=None):
        return False  # tickets are records: resolve and close them instead

    # --- list columns ---
    @admin.display(description="ticket", ordering="id")
    def reference(self, obj):
        return obj.reference

    @admin.display(description="premium", boolean=True, ordering="-premium")
    def premium_flag(self, obj):
        return obj.premium

    @admin.display(description="SLA")
    def sla_badge(self, obj):
        if obj is None or not obj.pk:
            return "—"
        state = sla_state(obj)
        return format_html('<strong style="color:{}">{}</strong>', SLA_COLOURS.get(state["state"], "#475467"),
                           state["label"])

    @admin.display(description="incident")
    def incident_link(self, obj):
        if not obj.incident_id:
            return "—"
        try:
            from incidents.services import incident_reference

            ref = incident_reference(obj.incident_id)
        except ImportError:
            ref = None
        if not ref:
            return f"#{obj.incident_id}"
        return format_html('<a href="{}">#{} {}</a> ({}, {})', ref.get("url", ""), ref["id"], ref.get("title", ""),
                           ref.get("severity", ""), ref.get("status", ""))

    # --- lifecycle buttons → services ---
    def _apply_fsm_transition(self, *, obj, transition_name, request, kwargs=None):
        kwargs = dict(kwargs or {})
        if transition_name == "triage":
            kwargs = {"severity": kwargs.get("severity")}
        try:
            services.ticket_transition(ticket=obj, transition=transition_name, acting_user=request.user, **kwargs)
        except SERVICE_ERRORS as exc:
            self.message_user(request, f"Could not {transition_name.replace('_', ' ')}: {error_text(exc)}",
                              messages.ERROR)
            return False
        self.message_user(request, f"{obj.reference}: {transition_name.replace('_', ' ')} done.", messages.SUCCESS)
        return True

    # --- extra pages: reply, escalate, open/join incident, assign to me ---
    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<int:pk>/reply/", view(self.reply_view), name="support_ticket_reply"),
            path("<int:pk>/escalate/", view(self.escalate_view), name="support_ticket_escalate"),
            path("<int:pk>/open-incident/", view(self.open_incident_view), name="support_ticket_open_incident"),
            path("<int:pk>/join-incident/", view(self.join_incident_view), name="support_ticket_join_incident"),
            path("<int:pk>/take/", view(self.take_view), name="support_ticket_take"),
            *super().get_urls(),
        ]

    def _action_page(self, request, pk, *, form_class, title, run, initial=None):
        ticket = get_object_or_404(Ticket, pk=pk)
        if not self.has_change_permission(request, ticket):
            raise PermissionDenied
        form = form_class(request.POST if request.method == "POST" else None, initial=initial or {})
        if request.method == "POST" and form.is_valid():
            try:
                result = run(ticket, form.cleaned_data)
            except SERVICE_ERRORS as exc:
                form.add_error(None, error_text(exc))
            else:
                self.message_user(request, result or f"{ticket.reference}: done.", messages.SUCCESS)
                return redirect("admin:support_ticket_change", ticket.pk)
        context = {
            **self.admin_site.each_context(request), "opts": self.model._meta, "original": ticket,
            "title": f"{title} — {ticket.reference}", "form": form, "ticket": ticket,
        }
        return render(request, "support/admin/ticket_action.html", context)

    def reply_view(self, request, pk):
        def run(ticket, data):
            services.ticket_reply(ticket=ticket, body=data["body"], acting_user=request.user,
                                  internal=data["internal"], wait_on_customer=data["wait_on_customer"])
            return "Internal note added." if data["internal"] else "Reply sent to the requester."
        return self._action_page(request, pk, form_class=ReplyForm, title="Reply", run=run)

    def escalate_view(self, request, pk):
        def run(ticket, data):
            e = services.ticket_escalate(ticket=ticket, to_tier=data["to_tier"], reason=data["reason"],
                                         acting_user=request.user)
            return f"Escalated to {e.get_to_tier_display()}; the {e.get_to_tier_display()} group was notified."
        return self._action_page(request, pk, form_class=EscalateForm, title="Escalate", run=run)

    def open_incident_view(self, request, pk):
        ticket = get_object_or_404(Ticket, pk=pk)

        def run(ticket, data):
            incident = services.ticket_open_incident(
                ticket=ticket, acting_user=request.user, title=data["title"], severity=data["severity"],
                component_ids=[c.pk for c in data["components"]])
            return f"Incident #{incident.pk} opened and linked."
        return self._action_page(request, pk, form_class=IncidentOpenForm, title="Open an incident", run=run,
                                 initial={"severity": ticket.severity, "title": ticket.subject})

    def join_incident_view(self, request, pk):
        def run(ticket, data):
            services.ticket_join_incident(ticket=ticket, incident_id=data["incident_id"], acting_user=request.user)
            return f"Linked to incident #{data['incident_id']}."
        return self._action_page(request, pk, form_class=IncidentJoinForm, title="Join an incident", run=run)

    def take_view(self, request, pk):
        ticket = get_object_or_404(Ticket, pk=pk)
        if request.method != "POST" or not self.has_change_permission(request, ticket):
            raise PermissionDenied
        try:
            services.ticket_assign(ticket=ticket, assignee=request.user, acting_user=request.user)
        except SERVICE_ERRORS as exc:
            self.message_user(request, error_text(exc), messages.ERROR)
        else:
            self.message_user(request, f"{ticket.reference} is now yours.", messages.SUCCESS)
        return redirect("admin:support_ticket_change", ticket.pk)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = extra_context or {}
        extra_context["ticket_actions"] = [
            (label, reverse(f"admin:support_ticket_{name}", args=[object_id]))
            for name, label in (("reply", "Reply / note"), ("escalate", "Escalate"),
                                ("open_incident", "Open incident"), ("join_incident", "Join incident"))
        ]
        extra_context["take_url"] = reverse("admin:support_ticket_take", args=[object_id])
        # The page is read-only: every change goes through the buttons above.
        extra_context.update(show_save=False, show_save_and_continue=False, show_save_and_add_another=False)
        return super().change_view(request, object_id, form_url, extra_context)

    # --- changelist actions ---
    @admin.action(description="Assign the selected tickets to me")
    def assign_to_me(self, request, queryset):
        done, failed = 0, []
        for ticket in queryset:
            try:
                services.ticket_assign(ticket=ticket, assignee=request.user, acting_user=request.user)
                done += 1
            except SERVICE_ERRORS as exc:
                failed.append(f"{ticket.reference}: {error_text(exc)}")
        if done:
            self.message_user(request, f"{done} ticket(s) assigned to you.", messages.SUCCESS)
        for line in failed:
            self.message_user(request, line, messages.ERROR)

    @admin.action(description="Escalate the selected tickets (asks for a reason)")
    def escalate_selected(self, request, queryset):
        form = EscalateForm(request.POST if "apply" in request.POST else None)
        if "apply" in request.POST and form.is_valid():
            done, failed = 0, []
            for ticket in queryset:
                try:
                    services.ticket_escalate(ticket=ticket, to_tier=form.cleaned_data["to_tier"],
                                             reason=form.cleaned_data["reason"], acting_user=request.user)
                    done += 1
                except SERVICE_ERRORS as exc:
                    failed.append(f"{ticket.reference}: {error_text(exc)}")
            if done:
                self.message_user(request, f"{done} ticket(s) escalated.", messages.SUCCESS)
            for line in failed:
                self.message_user(request, line, messages.ERROR)
            return None
        context = {
            **self.admin_site.each_context(request), "opts": self.model._meta, "form": form,
            "title": "Escalate tickets", "tickets": queryset,
            "selected": request.POST.getlist(ACTION_CHECKBOX_NAME), "action": "escalate_selected",
        }
        return render(request, "support/admin/escalate_selected.html", context)


