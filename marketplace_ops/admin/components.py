from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from marketplace_ops.admin.mixins import ChangeReasonAdminMixin
from marketplace_ops.models import Component
from marketplace_ops.services.components import component_set_status


@admin.register(Component)
class ComponentAdmin(ChangeReasonAdminMixin, SimpleHistoryAdmin):
    list_display = ("name", "slug", "status", "is_public", "owning_group", "display_order")
    list_filter = ("status", "is_public", "owning_group")
    list_select_related = ("owning_group",)
    search_fields = ("name", "slug", "description")
    prepopulated_fields = {"slug": ("name",)}
    list_editable = ("display_order",)

    def save_model(self, request, obj, form, change):
        if change and "status" in form.changed_data:
            new_status = obj.status
            obj.status = form.initial["status"]
            super().save_model(request, obj, form, change)
            component_set_status(
                component=obj,
                status=new_status,
                acting_user=request.user,
                reason=form.cleaned_data.get("change_reason") or "status changed in admin",
            )
            obj.refresh_from_db()
        else:
            super().save_model(request, obj, form, change)
