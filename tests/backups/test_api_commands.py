"""API (reports, runs), commands (exit codes, one-line summaries), the scheduler and pruning."""

from datetime import timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.utils import timezone

from backups import services
from backups.models import BackupPolicy, BackupRun, ExternalBackupReport

pytestmark = pytest.mark.django_db

REPORTS = "/api/v1/backups/reports/"


def test_report_needs_the_scope_and_valid_data(client, api_token, component):
    component("analytics")
    body = {"component": "analytics", "type": "full", "finished_at": timezone.now().isoformat(),
            "outcome": "success", "size": 1234, "checksum": "sha256:" + "ab" * 32, "location": "s3://b/a"}
    response = client.post(REPORTS, body, content_type="application/json",
                           HTTP_AUTHORIZATION=f"Bearer {api_token('backups:read')}")
    assert response.status_code == 403
    token = api_token("backups:report")
    bad = client.post(REPORTS, {**body, "component": "nope", "checksum": "xyz"}, content_type="application/json",
                      HTTP_AUTHORIZATION=f"Bearer {token}")
    assert bad.status_code == 400
    assert {e["field"] for e in bad.json()["errors"]} == {"component", "checksum"}
    future = client.post(REPORTS, {**body, "finished_at": (timezone.now() + timedelta(days=1)).isoformat()},
                         content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert future.status_code == 400 and future.json()["errors"][0]["field"] == "finished_at"
    ok = client.post(REPORTS, body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert ok.status_code == 201, ok.json()
    report = ExternalBackupReport.objects.get()
    assert report.sha256 == "ab" * 32 and report.reported_by.startswith("token:")


def test_runs_list_and_detail(client, api_token, policy):
    run = services.backup_run_start(policy=policy(), acting_user=None)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {api_token('backups:read')}"}
    listing = client.get("/api/v1/backups/runs/?status=verified", **auth).json()
    assert [r["id"] for r in listing["results"]] == [run.pk]
    assert listing["results"][0]["policy"] == "db-daily-full"
    detail = client.get(f"/api/v1/backups/runs/{run.pk}/", **auth).json()
    assert detail["sha256"] == run.sha256 and "tool_output" in detail
    assert client.get("/api/v1/backups/runs/999999/", **auth).status_code == 404


def test_commands_exit_codes_and_summaries(policy):
    policy()
    out = StringIO()
    call_command("backup_run", "db-daily-full", stdout=out)
    run = BackupRun.objects.get()
    assert out.getvalue().strip().endswith(f"sha256 {run.sha256[:12]}")
    with pytest.raises(CommandError, match="no backup policy"):
        call_command("backup_run", "missing")
    out = StringIO()
    call_command("backup_verify", str(run.pk), stdout=out)
    assert f"run #{run.pk}: verified" in out.getvalue()
    out = StringIO()
    call_command("backup_restore", str(run.pk), stdout=out)
    assert "(scratch): succeeded ->" in out.getvalue()
    with pytest.raises(CommandError, match="superuser"):
        call_command("backup_restore", str(run.pk), "--target", "in-place", "--yes")
    out = StringIO()
    call_command("backup_prune", "--dry-run", stdout=out)
    assert out.getvalue().strip().splitlines()[-1] == "dry run: 1 kept, 0 would be removed"
    assert "newest verified full" in out.getvalue()


def test_scheduler_runs_due_policies_once_per_slot(policy):
    from backups.tasks import run_due_policies

    start = timezone.now().replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    with time_machine.travel(start - timedelta(minutes=30), tick=False):
        p = policy(schedule="0 * * * *")
    assert p.next_run_at == start
    with time_machine.travel(start - timedelta(minutes=1), tick=False):
        run_due_policies()
    assert BackupRun.objects.count() == 0
    with time_machine.travel(start + timedelta(seconds=5), tick=False):
        run_due_policies()
        run_due_policies()
    assert BackupRun.objects.filter(trigger="schedule").count() == 1
    assert BackupPolicy.objects.get().next_run_at == start + timedelta(hours=1)


def test_beat_schedule_entries_expire():
    from backups.schedule import BEAT_SCHEDULE

    assert BEAT_SCHEDULE and all(entry["options"]["expires"] for entry in BEAT_SCHEDULE.values())


def test_prune_removes_the_file_marks_expired_and_audits(policy):
    from backups.storage import get_storage
    from marketplace_ops.models import AuditEvent

    p = policy(keep_within_daily="1d", keep_within_weekly="0d", keep_within_monthly="0d",
               keep_within_yearly="0d")
    now = timezone.now()
    runs = []
    for days in (3, 2, 0):
        with time_machine.travel(now - timedelta(days=days), tick=False):
            runs.append(services.backup_run_start(policy=p, acting_user=None))
    storage = get_storage()
    result = services.backup_prune(acting_user=None)
    assert sorted(result["removed"]) == [runs[0].pk, runs[1].pk]
    for run in runs:
        run.refresh_from_db()
    assert [r.status for r in runs] == ["expired", "expired", "verified"]
    assert not storage.exists(runs[0].storage_name) and storage.exists(runs[2].storage_name)
    assert AuditEvent.objects.filter(event_type="backups.pruned").count() == 2
    with pytest.raises(services.RestoreRefused, match="expired"):
        services.backup_restore(run=runs[0], acting_user=None)


def test_media_incremental_chain_restores_changes_and_deletions(policy, settings):
    from pathlib import Path

    root = Path(settings.MEDIA_ROOT)
    (root / "docs").mkdir(parents=True)
    (root / "docs" / "a.txt").write_text("one")
    (root / "logo.png").write_bytes(b"\x89PNG" * 100)
    full = services.backup_run_start(policy=policy("media-full", target="media"), acting_user=None)
    (root / "docs" / "a.txt").write_text("two!")
    (root / "logo.png").unlink()
    (root / "docs" / "b.txt").write_text("new")
    incr = services.backup_run_start(policy=policy("media-incr", target="media", backup_type="incremental"),
                                     acting_user=None)
    assert full.status == incr.status == "verified", incr.verification_error
    assert incr.metadata["changed"] == ["docs/a.txt", "docs/b.txt"] and incr.metadata["deleted"] == ["logo.png"]
    restore = services.backup_restore(run=incr, acting_user=None)
    restored = Path(restore.destination)
    assert sorted(p.relative_to(restored).as_posix() for p in restored.rglob("*") if p.is_file()) == [
        "docs/a.txt", "docs/b.txt"]
    assert (restored / "docs" / "a.txt").read_text() == "two!"
