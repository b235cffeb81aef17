"""Role groups, the system actor, the maintenance calendar and policies, the business calendar."""

from datetime import time, timedelta

from django.db import migrations

ROLES = [
    "product", "engineering", "security", "operations", "change-advisory-board", "incident-response",
    "support-l1", "support-l2", "support-l3", "auditor",
]

WINDOWS = [
    # name, kind, weekdays, start, duration
    ("Primary maintenance window", "primary", [6], time(1, 0), timedelta(hours=4),
     "Sundays 01:00–05:00 UTC"),
    ("Secondary maintenance window", "secondary", [2], time(1, 0), timedelta(hours=2),
     "Wednesdays 01:00–03:00 UTC"),
]

POLICIES = [
    # slug, name, frequency, timing, notice, notice text, window kinds
    ("security-patch", "Security patches", "As needed", "immediate_if_critical", timedelta(hours=24),
     "24 hours (non-critical)", ["primary", "secondary"]),
    ("minor-update", "Minor updates", "Monthly", "window", timedelta(weeks=1), "1 week", ["primary", "secondary"]),
    ("major-update", "Major updates", "Quarterly", "window", timedelta(days=30), "1 month", ["primary"]),
    ("emergency-fix", "Emergency fixes", "As needed", "immediate", timedelta(0), "As soon as possible", []),
    ("database-maintenance", "Database maintenance", "Weekly", "off_peak", timedelta(hours=48), "48 hours",
     ["primary", "secondary"]),
]


def seed(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    User = apps.get_model("auth", "User")
    Window = apps.get_model("marketplace_ops", "MaintenanceWindow")
    Policy = apps.get_model("marketplace_ops", "MaintenancePolicy")
    Calendar = apps.get_model("marketplace_ops", "BusinessCalendar")
    for role in ROLES:
        Group.objects.get_or_create(name=role)
    User.objects.get_or_create(
        username="system", defaults={"is_active": False, "first_name": "System", "password": "!"}
    )
    for name, kind, weekdays, start, duration, description in WINDOWS:
        Window.objects.get_or_create(
            name=name,
            defaults={"kind": kind, "weekdays": weekdays, "start_time": start, "duration": duration,
                      "time_zone": "UTC", "description": description},
        )
    for slug, name, frequency, timing, notice, notice_text, kinds in POLICIES:
        Policy.objects.get_or_create(
            slug=slug,
            defaults={"name": name, "frequency": frequency, "timing": timing, "notice_period": notice,
                      "notice_description": notice_text, "allowed_window_kinds": kinds},
        )
    Calendar.objects.get_or_create(
        name="Default business calendar",
        defaults={"is_default": True, "time_zone": "UTC", "holidays_country": "US",
                  "workday_start": time(9), "workday_end": time(17), "working_weekdays": [0, 1, 2, 3, 4]},
    )


class Migration(migrations.Migration):
    dependencies = [("marketplace_ops", "0001_initial"), ("auth", "0012_alter_user_first_name_max_length")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
