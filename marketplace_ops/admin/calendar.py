from django.contrib import admin
from django.utils import timezone
from simple_history.admin import SimpleHistoryAdmin

from marketplace_ops.admin.mixins import ChangeReasonAdminMixin
from marketplace_ops.models import BusinessCalendar, CalendarHoliday, MaintenancePolicy, MaintenanceWindow
from marketplace_ops.services.calendar import next_occurrence_of


@admin.register(MaintenanceWindow)
class MaintenanceWindowAdmin(ChangeReasonAdminMixin, SimpleHistoryAdmin):
    list_display = ("name", "kind", "weekday_names", "start_time", "duration", "time_zone", "is_active", "next_opening")
    list_filter = ("kind", "is_active", "time_zone")
    search_fields = ("name",)

    @admin.display(description="weekdays")
    def weekday_names(self, obj):
        names = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
        return ", ".join(names[d] for d in obj.weekdays or [])

    @admin.display(description="open now / next")
    def next_opening(self, obj):
        now = timezone.now()
        occurrence = next_occurrence_of(obj, now)
        if occurrence is None:
            return "—"
        if occurrence.contains(now):
            return f"open until {occurrence.end:%Y-%m-%d %H:%M} UTC"
        return f"{occurrence.start:%Y-%m-%d %H:%M} UTC"


@admin.register(MaintenancePolicy)
class MaintenancePolicyAdmin(ChangeReasonAdminMixin, SimpleHistoryAdmin):
    list_display = ("name", "slug", "frequency", "timing", "notice_period", "notice_description")
    search_fields = ("name", "slug")


class CalendarHolidayInline(admin.TabularInline):
    model = CalendarHoliday
    extra = 0


@admin.register(BusinessCalendar)
class BusinessCalendarAdmin(ChangeReasonAdminMixin, SimpleHistoryAdmin):
    list_display = ("name", "is_default", "time_zone", "holidays_country", "workday_start", "workday_end")
    inlines = [CalendarHolidayInline]
