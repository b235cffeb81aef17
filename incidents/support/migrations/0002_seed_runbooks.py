from django.db import migrations

# A frozen copy of the text at the time of this migration lives in runbook_content; later edits are
# made in the admin (with history), so this only creates what is missing.


def seed(apps, schema_editor):
    from incidents.support.runbook_content import RUNBOOKS

    Article = apps.get_model("support", "KnowledgeArticle")
    for slug, title, summary, body in RUNBOOKS:
        Article.objects.get_or_create(
            slug=slug,
            defaults={"title": title, "kind": "runbook", "summary": summary, "body": body,
                      "is_published": True, "is_public": False, "severities": []},
        )


class Migration(migrations.Migration):
    dependencies = [("support", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
