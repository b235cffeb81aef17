from datetime import timedelta

from django.contrib import admin
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe
from simple_history.admin import SimpleHistoryAdmin

from incidents.models import OnCallContact, Rotation, RotationMember, RotationOverride
from incidents.services import on_call_at, rotation_schedule


class MemberInline(admin.TabularInline):
    model = RotationMember
    extra = 1
    fields = ("position", "user")


class OverrideInline(admin.TabularInline):
    model = RotationOverride
    extra = 0
    fields = ("user", "starts_at", "ends_at", "reason")


@admin.register(Rotation)
class RotationAdmin(SimpleHistoryAdmin):
    list_display = ("name", "on_call_now", "time_zone", "handoff", "length_days", "is_primary", "is_active")
    list_filter = ("is_active", "is_primary")
    inlines = [MemberInline, OverrideInline]
    readonly_fields = ("this_week",)
    fields = ("name", "time_zone", "handoff_weekday", "handoff_time", "length_days", "starts_on", "is_primary",
              "is_active", "this_week")

    @admin.display(description="On call now")
    def on_call_now(self, obj):
        person = on_call_at(obj, timezone.now())
        return person.get_full_name() or person.get_username() if person else "nobody"

    @admin.display(description="Hand-off")
    def handoff(self, obj):
        return f"{obj.get_handoff_weekday_display()} {obj.handoff_time:%H:%M} {obj.time_zone}"

    @admin.display(description="This week's on-call")
    def this_week(self, obj):
        if obj is None or obj.pk is None:
            return "-"
        now = timezone.now()
        rows = rotation_schedule(obj, start=now - timedelta(days=now.weekday()), days=7)
        if not rows:
            return "Nobody: add members."
        zone = obj.zone
        return format_html_join(
            mark_safe("<br>"), "{} – {}: <strong>{}</strong>{}",
            ((r["start"].astimezone(zone).strftime("%a %d %b %H:%M"), r["end"].astimezone(zone).strftime("%a %d %b %H:%M"),
              r["user"].get_username(), " (override)" if r["override"] else "") for r in rows),
        )


@admin.register(OnCallContact)
class OnCallContactAdmin(SimpleHistoryAdmin):
    list_display = ("user", "phone")
    list_select_related = ("user",)
    search_fields = ("user__username", "phone")
