from django.contrib import admin, messages
from django.db.models import Count
from simple_history.admin import SimpleHistoryAdmin

from marketplace_ops.admin.mixins import ChangeReasonAdminMixin
from marketplace_ops.choices import NotificationStatus
from marketplace_ops.models import DistributionList, DistributionListMember, InboxNotification, Notification
from marketplace_ops.services.notifications import inbox_mark_read, notification_retry


class DistributionListMemberInline(admin.TabularInline):
    model = DistributionListMember
    extra = 1
    autocomplete_fields = ("user",)
    fields = ("user", "email", "name")


@admin.register(DistributionList)
class DistributionListAdmin(ChangeReasonAdminMixin, SimpleHistoryAdmin):
    list_display = ("name", "slug", "is_active", "member_count", "event_type_summary")
    list_filter = ("is_active", "components")
    search_fields = ("name", "slug", "members__email")
    prepopulated_fields = {"slug": ("name",)}
    filter_horizontal = ("components",)
    inlines = [DistributionListMemberInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_members=Count("members"))

    @admin.display(description="members", ordering="_members")
    def member_count(self, obj):
        return obj._members

    @admin.display(description="events")
    def event_type_summary(self, obj):
        return ", ".join(obj.event_types) if obj.event_types else "all events"

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "event_types":
            from marketplace_ops.forms import EventTypesField

            return EventTypesField(required=False, help_text=db_field.help_text)
        return super().formfield_for_dbfield(db_field, request, **kwargs)


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """The outbox: what was sent to whom, what failed and why."""

    list_display = ("id", "created_at", "event", "channel", "recipient_address", "status", "attempts", "sent_at", "short_error")
    list_filter = ("status", "channel", "event")
    search_fields = ("recipient_address", "subject", "event")
    list_select_related = ("recipient_user",)
    date_hierarchy = "created_at"
    show_full_result_count = False
    readonly_fields = [f.name for f in Notification._meta.fields]
    actions = ["retry_failed"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description="last error")
    def short_error(self, obj):
        return (obj.last_error or "")[:80]

    @admin.action(description="Retry delivery of the selected failed notifications")
    def retry_failed(self, request, queryset):
        failed = list(queryset.filter(status=NotificationStatus.FAILED))
        for row in failed:
            notification_retry(notification=row, acting_user=request.user)
        skipped = queryset.count() - len(failed)
        self.message_user(request, f"{len(failed)} notification(s) queued again.", messages.SUCCESS)
        if skipped:
            self.message_user(request, f"{skipped} were not failed and were left alone.", messages.WARNING)


@admin.register(InboxNotification)
class InboxAdmin(admin.ModelAdmin):
    """Each staff user's own notifications; anyone with admin access has an inbox."""

    list_display = ("unread_marker", "created_at", "subject", "event", "open_link")
    list_filter = (("read_at", admin.EmptyFieldListFilter), "event")
    search_fields = ("subject", "body_text")
    fields = ("created_at", "event", "subject", "body_text", "link", "read_at")
    readonly_fields = fields
    actions = ["mark_read"]
    show_full_result_count = False

    def get_queryset(self, request):
        return super().get_queryset(request).filter(recipient_user=request.user)

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_staff

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request) and (obj is None or obj.recipient_user_id == request.user.pk)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def change_view(self, request, object_id, form_url="", extra_context=None):
        inbox_mark_read(user=request.user, ids=[object_id] if str(object_id).isdigit() else [])
        return super().change_view(request, object_id, form_url, extra_context)

    def changelist_view(self, request, extra_context=None):
        unread = Notification.objects.filter(recipient_user=request.user, read_at__isnull=True).count()
        extra_context = {**(extra_context or {}), "title": f"My inbox ({unread} unread)"}
        return super().changelist_view(request, extra_context)

    @admin.display(description="")
    def unread_marker(self, obj):
        return "●" if obj.read_at is None else ""

    @admin.display(description="link")
    def open_link(self, obj):
        from django.utils.html import format_html

        return format_html('<a href="{}">open</a>', obj.link) if obj.link else ""

    @admin.action(description="Mark as read")
    def mark_read(self, request, queryset):
        count = inbox_mark_read(user=request.user, ids=queryset.values_list("id", flat=True))
        self.message_user(request, f"{count} item(s) marked read.", messages.SUCCESS)

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions


__all__ = ["DistributionListAdmin", "NotificationAdmin", "InboxAdmin"]
