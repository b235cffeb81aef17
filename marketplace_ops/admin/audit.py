from django.contrib import admin

from marketplace_ops.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only for everyone, superusers included: the log is append-only."""

    list_display = ("sequence", "occurred_at", "event_type", "outcome", "actor_label", "ip_address", "resource_type", "resource_name")
    list_filter = ("outcome", "actor_type", "event_type")
    search_fields = ("event_type", "actor_label", "resource_name", "resource_id", "ip_address")
    date_hierarchy = "occurred_at"
    show_full_result_count = False  # no COUNT(*) over millions of rows per page view
    readonly_fields = [f.name for f in AuditEvent._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
