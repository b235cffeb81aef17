from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from incidents.models import EscalationPolicy, EscalationStep, SlaPolicy


@admin.register(SlaPolicy)
class SlaPolicyAdmin(SimpleHistoryAdmin):
    list_display = ("severity", "response_minutes", "resolution_minutes", "resolution_business_days", "update_minutes", "description")

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class StepInline(admin.TabularInline):
    model = EscalationStep
    extra = 1
    fields = ("position", "trigger", "wait_minutes", "target", "group", "user", "sms")


@admin.register(EscalationPolicy)
class EscalationPolicyAdmin(SimpleHistoryAdmin):
    list_display = ("name", "severities", "rotation", "duty_manager", "priority", "is_active")
    list_select_related = ("rotation", "duty_manager")
    inlines = [StepInline]
