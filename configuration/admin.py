"""Thin admin: lists, masked values, forms that call the services; screens in admin_views."""

from django.contrib import admin, messages
from django.http import HttpResponseRedirect
from django.urls import path, reverse
from django.utils.html import format_html

from configuration import admin_views, services
from configuration.forms import ConfigSchemaForm, ConfigurationItemForm, SubscriberForm
from configuration.models import (
    ChangeSet,
    ChangeSetApproval,
    ChangeSetOperation,
    ConfigEnvironment,
    ConfigSchema,
    ConfigurationItem,
    Subscriber,
    WebhookDelivery,
)
from marketplace_ops.history import save_with_history


@admin.register(ConfigurationItem)
class ConfigurationItemAdmin(admin.ModelAdmin):
    form = ConfigurationItemForm
    list_display = ["key", "environment", "value_preview", "sensitive", "version", "updated_by", "updated_at"]
    list_filter = ["environment", "sensitive"]
    search_fields = ["key", "description"]
    list_select_related = ["updated_by"]
    ordering = ["environment", "key"]
    show_full_result_count = False
    change_form_template = "configuration/admin/item_change_form.html"
    change_list_template = "configuration/admin/item_change_list.html"

    @admin.display(description="value")
    def value_preview(self, obj):
        return obj.preview

    def get_fields(self, request, obj=None):
        return ["key", "environment", "value_text", "sensitive", "secret_value", "description", "reason",
                "base_version"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        kwargs["fields"] = ["key", "environment", "sensitive", "description"]
        form_class = super().get_form(request, obj, change=change, **kwargs)

        class RequestForm(form_class):
            def __init__(self, *args, **kw):
                kw.setdefault("acting_user", request.user)
                super().__init__(*args, **kw)

        return RequestForm

    def save_model(self, request, obj, form, change):
        """The form's clean() already wrote through the service (or opened a change set)."""
        result = form.result
        if result is not None and result.applied:
            saved = ConfigurationItem.objects.filter(key=form.cleaned_data.get("key") or obj.key,
                                                     environment=form.cleaned_data.get("environment") or obj.environment).first()
            if saved is not None:
                obj.pk = saved.pk

    def save_related(self, request, form, formsets, change):
        pass

    def log_addition(self, request, obj, message):
        if obj.pk:
            return super().log_addition(request, obj, message)

    def _pending_redirect(self, request, form):
        cs = form.result.change_set
        self.message_user(
            request,
            format_html("Not saved yet: {} needs approval, so change set <a href='{}'>#{}</a> was opened and awaits it.",
                        cs.environment, reverse("admin:configuration_changeset_change", args=[cs.pk]), cs.pk),
            messages.WARNING,
        )
        return HttpResponseRedirect(reverse("admin:configuration_changeset_change", args=[cs.pk]))

    def response_add(self, request, obj, post_url_continue=None):
        form = getattr(request, "_config_form", None)
        if form is not None and form.result is not None and not form.result.applied:
            return self._pending_redirect(request, form)
        return super().response_add(request, obj, post_url_continue)

    def response_change(self, request, obj):
        form = getattr(request, "_config_form", None)
        if form is not None and form.result is not None and not form.result.applied:
            return self._pending_redirect(request, form)
        return super().response_change(request, obj)

    def save_form(self, request, form, change):
        request._config_form = form
        return form.instance

    def has_delete_permission(self, request, obj=None):
        return False  # deletes go through a change set (delete operation)

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("compare/", view(admin_views.compare_view), name="configuration_compare"),
            path("<int:pk>/versions/", view(admin_views.versions_view), name="configuration_item_versions"),
            path("<int:pk>/diff/", view(admin_views.diff_view), name="configuration_item_diff"),
            path("<int:pk>/rollback/<int:version>/", view(admin_views.rollback_view),
                 name="configuration_item_rollback"),
            path("<int:pk>/reveal/", view(admin_views.reveal_view), name="configuration_item_reveal"),
            *super().get_urls(),
        ]


class OperationInline(admin.TabularInline):
    model = ChangeSetOperation
    fields = ["key", "op", "preview", "sensitive", "base_version"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    @admin.display(description="value")
    def preview(self, obj):
        return obj.preview

    def has_add_permission(self, request, obj=None):
        return False


class ApprovalInline(admin.TabularInline):
    model = ChangeSetApproval
    fields = ["approver", "approved_at", "comment", "current"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    @admin.display(boolean=True, description="counts (matches current content)")
    def current(self, obj):
        return obj.content_hash == obj.change_set.content_hash

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("approver", "change_set")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(ChangeSet)
class ChangeSetAdmin(admin.ModelAdmin):
    list_display = ["id", "title", "environment", "state", "kind", "author", "created_at", "applied_revision"]
    list_filter = ["state", "environment", "kind"]
    search_fields = ["title", "reason", "operations__key"]
    list_select_related = ["author"]
    readonly_fields = ["environment", "title", "reason", "kind", "source_environment", "state", "author",
                       "content_hash", "created_at", "submitted_at", "decided_at", "applied_at", "applied_by",
                       "applied_revision", "rejection_reason"]
    inlines = [OperationInline, ApprovalInline]
    change_form_template = "configuration/admin/changeset_change_form.html"
    change_list_template = "configuration/admin/changeset_change_list.html"

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("new/", view(admin_views.changeset_new_view), name="configuration_changeset_new"),
            path("<int:pk>/edit-operations/", view(admin_views.changeset_edit_view),
                 name="configuration_changeset_edit"),
            path("<int:pk>/act/<str:action>/", view(admin_views.changeset_action_view),
                 name="configuration_changeset_action"),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {**(extra_context or {}), **admin_views.changeset_context(request, object_id)}
        return super().change_view(request, object_id, form_url, extra_context)


@admin.register(ConfigSchema)
class ConfigSchemaAdmin(admin.ModelAdmin):
    list_display = ["key_pattern", "description", "updated_at"]
    search_fields = ["key_pattern", "description"]
    form = ConfigSchemaForm

    def save_model(self, request, obj, form, change):
        save_with_history(obj, acting_user=request.user, reason="schema edited in admin")


@admin.register(ConfigEnvironment)
class ConfigEnvironmentAdmin(admin.ModelAdmin):
    list_display = ["name", "revision", "required_approvals", "updated_at"]
    readonly_fields = ["name", "revision", "updated_at"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Subscriber)
class SubscriberAdmin(admin.ModelAdmin):
    form = SubscriberForm
    list_display = ["name", "environment", "url", "is_active", "created_at"]
    list_filter = ["environment", "is_active"]
    search_fields = ["name", "url"]

    def save_model(self, request, obj, form, change):
        saved = services.config_subscriber_save(
            name=obj.name, url=obj.url, environment=obj.environment, is_active=obj.is_active,
            secret=form.cleaned_data.get("secret"), acting_user=request.user, subscriber=obj if change else None,
        )
        obj.pk = saved.pk


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = ["id", "subscriber", "environment", "revision", "status", "attempts", "last_status_code",
                    "created_at", "delivered_at"]
    list_filter = ["status", "environment"]
    list_select_related = ["subscriber"]
    readonly_fields = [f.name for f in WebhookDelivery._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
