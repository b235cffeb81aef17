from django.contrib import admin
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin

from incidents.models import ActionItem, AlertDelivery, Postmortem


@admin.register(Postmortem)
class PostmortemAdmin(SimpleHistoryAdmin):
    list_display = ("incident", "status", "finished_at", "page")
    list_filter = ("status",)
    list_select_related = ("incident",)
    readonly_fields = ("incident", "status", "finished_at", "author")

    @admin.display(description="Page")
    def page(self, obj):
        return format_html('<a href="/incidents/{}/postmortem/">open</a>', obj.incident_id)

    def has_add_permission(self, request):
        return False


@admin.register(ActionItem)
class ActionItemAdmin(SimpleHistoryAdmin):
    list_display = ("description", "incident", "owner", "due_date", "status")
    list_filter = ("status",)
    list_select_related = ("incident", "owner")
    search_fields = ("description",)


@admin.register(AlertDelivery)
class AlertDeliveryAdmin(admin.ModelAdmin):
    list_display = ("id", "received_at", "alert_count", "processed_at", "incident_id", "attempts")
    list_filter = (("processed_at", admin.EmptyFieldListFilter),)
    readonly_fields = ("received_at", "group_key", "payload", "alert_count", "processed_at", "incident_id", "attempts", "last_error")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
