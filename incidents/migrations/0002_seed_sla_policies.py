from django.db import migrations

# The source document's SLA table.
TERMS = [
    ("critical", 30, 240, None, 60, "Service unavailable or a security breach"),
    ("high", 120, 480, None, 240, "Major functionality impaired"),
    ("medium", 240, 1440, None, 1440, "Minor functionality impaired"),
    ("low", 480, None, 5, None, "Cosmetic issues, feature requests"),
]


def seed(apps, schema_editor):
    SlaPolicy = apps.get_model("incidents", "SlaPolicy")
    for severity, response, resolution, business_days, update, description in TERMS:
        SlaPolicy.objects.get_or_create(
            severity=severity,
            defaults={"response_minutes": response, "resolution_minutes": resolution,
                      "resolution_business_days": business_days, "update_minutes": update,
                      "description": description},
        )


class Migration(migrations.Migration):
    dependencies = [("incidents", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
