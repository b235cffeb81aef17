"""Admin: the board, run list badges and chain, restore to scratch, policy validation, interrupted runs."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from backups import services
from backups.models import BackupRestore, BackupRun

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator_client(client, make_user):
    user = make_user("omar", roles=["operations"])
    client.force_login(user)
    return client


def test_objectives_board_shows_each_component_state(operator_client, component):
    component("api-gateway", "API Gateway")
    component("analytics", "Analytics")
    services.objectives_seed_defaults()
    services.report_record(component=component("analytics"), backup_type="full", outcome="success",
                           finished_at=timezone.now() - timedelta(hours=3), acting_user=None)
    page = operator_client.get("/admin/backups/recoveryobjective/board/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "API Gateway" in html and "Analytics" in html and "3 h 0 min ago" in html
    listing = operator_client.get("/admin/backups/recoveryobjective/")
    assert listing.status_code == 200 and "Objectives board" in listing.content.decode()


def test_run_list_and_restore_to_scratch_action(operator_client, policy):
    run = services.backup_run_start(policy=policy(), acting_user=None)
    unverified = services.backup_run_start(policy=policy("db-2"), acting_user=None, verify=False)
    page = operator_client.get("/admin/backups/backuprun/")
    assert page.status_code == 200 and "✓ verified" in page.content.decode()
    response = operator_client.post("/admin/backups/backuprun/", {
        "action": "restore_to_scratch", "_selected_action": [run.pk, unverified.pk]}, follow=True)
    assert response.status_code == 200
    text = response.content.decode()
    assert "not verified" in text and "1 restore(s) to scratch started" in text
    restore = BackupRestore.objects.get(kind="scratch")
    assert restore.run == run and restore.status == "succeeded" and restore.requested_by.username == "omar"
    assert operator_client.get(f"/admin/backups/backuprestore/?run__id__exact={run.pk}").status_code == 200


def test_policy_form_refuses_what_cannot_run_here(client, make_user):
    from django.db import connection

    client.force_login(make_user("root", superuser=True))
    response = client.post("/admin/backups/backuppolicy/add/", {
        "name": "DB hourly", "slug": "db-hourly", "target": "database", "backup_type": "incremental",
        "schedule": "0 * * * *", "keep_within_daily": "30d", "keep_within_weekly": "3m",
        "keep_within_monthly": "1y", "keep_within_yearly": "7y", "compression": "gzip", "enabled": "on",
        "tool_options": "{}",
    })
    assert response.status_code == 200  # the form again, with the reason
    reason = "full copies only" if connection.vendor == "sqlite" else "pgBackRest is not installed"
    assert reason in response.content.decode()
    bad_cron = client.post("/admin/backups/backuppolicy/add/", {
        "name": "x", "slug": "x", "target": "media", "backup_type": "full", "schedule": "every day",
        "keep_within_daily": "30 days", "keep_within_weekly": "3m", "keep_within_monthly": "1y",
        "keep_within_yearly": "7y", "compression": "gzip", "tool_options": "{}",
    })
    assert "is not a cron expression" in bad_cron.content.decode()
    assert "is not a duration" in bad_cron.content.decode()


def test_interrupted_run_is_marked_failed(policy, operations_user):
    p = policy()
    run = BackupRun(policy=p, backup_type="full")
    run.save()
    run.start()
    run.save()
    services.runs_fail_interrupted()
    run.refresh_from_db()
    assert run.status == "running"
    with time_machine.travel(timezone.now() + timedelta(hours=7)):
        from backups.tasks import watch_objectives

        watch_objectives()
    run.refresh_from_db()
    assert run.status == "failed" and "interrupted" in run.error


def test_widget_is_registered_for_the_dashboard():
    from marketplace_ops.registry import registry

    widget = registry.dashboard_widgets["backups.objectives"]
    assert widget.permission == "backups.view_recoveryobjective"
    assert widget.context(None) == {"rows": []}


def test_back_up_now_action_needs_the_permission(client, operator_client, make_user, policy):
    p = policy()
    response = operator_client.post("/admin/backups/backuppolicy/", {"action": "run_now", "_selected_action": [p.pk]},
                                    follow=True)
    assert "1 backup(s) started" in response.content.decode()
    run = BackupRun.objects.get()
    assert run.status == "verified", run.verification_error
    assert run.started_by.username == "omar"
    viewer = make_user("eve", roles=["engineering"])
    client.force_login(viewer)
    page = client.get("/admin/backups/backuppolicy/")
    assert page.status_code == 200 and "run_now" not in page.content.decode()


def test_back_up_now_with_the_broker_down_is_an_admin_message_not_a_500(operator_client, policy, monkeypatch):
    from backups.tasks import run_policy_now

    def broker_down(*args, **kwargs):
        raise ConnectionRefusedError("redis is down")

    monkeypatch.setattr(run_policy_now, "delay", broker_down)
    p = policy()
    response = operator_client.post("/admin/backups/backuppolicy/", {"action": "run_now", "_selected_action": [p.pk]},
                                    follow=True)
    page = response.content.decode()
    assert response.status_code == 200
    assert "the task broker does not answer (ConnectionRefusedError)" in page and "backup(s) started" not in page
    assert not BackupRun.objects.exists()


def test_run_and_restore_lists_cost_the_same_queries_for_many_rows(operator_client, policy):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from backups import services

    p = policy()
    paths = ("/admin/backups/backuprun/", "/admin/backups/backuprestore/", "/admin/backups/backuppolicy/")

    def counts():
        result = []
        for path in paths:
            operator_client.get(path)  # warm session and permission caches
            with CaptureQueriesContext(connection) as queries:
                assert operator_client.get(path).status_code == 200
            result.append(len(queries))
        return result

    services.backup_run_start(policy=p, acting_user=None)
    few = counts()
    for _ in range(5):
        services.backup_run_start(policy=p, acting_user=None)
    assert counts() == few  # no query per row
