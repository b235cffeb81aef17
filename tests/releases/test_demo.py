"""seed_demo: releases in every state, the demo user's pending approval email with a working link."""

import re

from django.core.management import call_command

from marketplace_ops.models import Notification
from releases.models import ChangeRequest, FreezePeriod, Release


def test_the_demo_user_can_approve_the_seeded_release_from_the_email(make_user, client):
    from marketplace_ops.demo import seed_kernel
    from releases.demo import seed

    admin = make_user("admin", superuser=True)
    seed_kernel()
    seed()
    seed()  # idempotent
    assert set(Release.objects.values_list("status", flat=True)) == {
        "planned", "approved", "deployed", "completed", "rolled_back"}
    assert Release.objects.count() == 8
    assert list(admin.groups.values_list("name", flat=True)) == ["product"]
    assert ChangeRequest.objects.filter(status="submitted", change_type="normal").count() == 1
    assert FreezePeriod.objects.count() == 1

    mails = Notification.objects.filter(event="releases.approval_requested", recipient_user=admin)
    assert mails.count() == 1
    path = re.search(r"http://testserver(/releases/approve/\S+/)", mails.get().body_text).group(1)
    client.force_login(admin)
    assert client.post(path, {"decision": "approve", "comment": "Demo approval"}).status_code == 200
    release = Release.objects.get(version="2.4.0")
    assert release.approvals.filter(role="product", approver=admin).exists()
    assert release.approval_progress() == "4/4" and release.status == "approved"
    assert Notification.objects.filter(event="releases.approved", recipient_user=admin).count() == 1


def test_the_permissions_matrix_command_lists_the_releases_grants(db, capsys):
    call_command("permissions_matrix", "releases")
    out = capsys.readouterr().out
    assert "releases.approve_release" in out and "releases.deploy_release" in out
