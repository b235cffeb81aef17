import pytest
from django.core.management import call_command

from marketplace_ops.celery import app, discover_beat_schedule
from marketplace_ops.models import Component, DistributionList

pytestmark = pytest.mark.django_db


def test_demo_superuser_credentials_printed_are_the_ones_that_log_in(client, capsys):
    call_command("ensure_demo_superuser")
    out = capsys.readouterr().out
    username = out.split("username:")[1].split()[0]
    password = out.split("password:")[1].split()[0]
    assert "/admin/" in out
    assert client.login(username=username, password=password)
    page = client.get("/admin/")
    assert page.status_code == 200 and b"Marketplace Ops" in page.content
    call_command("ensure_demo_superuser", "--quiet")  # idempotent
    assert capsys.readouterr().out == ""


def test_seed_demo_is_idempotent():
    call_command("ensure_demo_superuser", "--quiet")
    call_command("seed_demo")
    counts = (Component.objects.count(), DistributionList.objects.count())
    assert {c.slug for c in Component.objects.all()} >= {"api-gateway", "api-portal", "api-catalog", "user-database", "analytics"}
    call_command("seed_demo")
    assert (Component.objects.count(), DistributionList.objects.count()) == counts


def test_beat_schedule_is_in_code_every_entry_expires_and_names_a_real_task():
    from django.conf import settings

    schedule = discover_beat_schedule(settings.LOCAL_APPS)
    assert "notifications-sweep-pending" in schedule
    app.loader.import_default_modules()
    for name, entry in schedule.items():
        assert entry.get("options", {}).get("expires"), f"{name} has no expires"
        assert entry["task"] in app.tasks, f"{name} names an unknown task {entry['task']}"


@pytest.mark.django_db(transaction=True)
def test_reference_data_is_back_after_a_flush():
    from django.contrib.auth.models import Group

    from marketplace_ops.models import MaintenancePolicy, MaintenanceWindow

    call_command("flush", "--noinput")
    assert MaintenanceWindow.objects.filter(kind="primary").exists()
    assert MaintenancePolicy.objects.filter(slug="major-update").exists()
    assert Group.objects.filter(name="auditor").exists()
    assert Group.objects.get(name="auditor").permissions.exists()
