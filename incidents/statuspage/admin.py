from django.contrib import admin, messages
from simple_history.admin import SimpleHistoryAdmin

from incidents.statuspage.models import Announcement, Subscriber
from incidents.statuspage.services import subscriber_remove


@admin.register(Subscriber)
class SubscriberAdmin(SimpleHistoryAdmin):
    list_display = ("email", "status", "all_components", "confirmed_at", "unsubscribed_at", "created_at")
    list_filter = ("status", "all_components")
    search_fields = ("email",)
    readonly_fields = ("email", "status", "all_components", "components", "pending_all_components",
                       "pending_component_ids", "confirmation_sent_at", "confirmed_at", "unsubscribed_at",
                       "created_at", "updated_at")
    actions = ["unsubscribe_selected"]

    def has_add_permission(self, request):
        return False  # double opt-in: people subscribe themselves on the status page

    @admin.action(description="Unsubscribe the selected addresses", permissions=["change"])
    def unsubscribe_selected(self, request, queryset):
        for subscriber in queryset:
            subscriber_remove(subscriber=subscriber, acting_user=request.user)
        messages.success(request, f"{queryset.count()} unsubscribed.")


@admin.register(Announcement)
class AnnouncementAdmin(admin.ModelAdmin):
    list_display = ("created_at", "kind", "key", "recipient_count")
    list_filter = ("kind",)
    search_fields = ("key", "subject_key")
    readonly_fields = [f.name for f in Announcement._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
