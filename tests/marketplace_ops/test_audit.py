import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.urls import reverse

from marketplace_ops.models import AuditEvent
from marketplace_ops.models.audit import AuditEventImmutable
from marketplace_ops.services.audit import audit_log, verify_chain

pytestmark = pytest.mark.django_db


def _events(n=5):
    return [audit_log(event_type="test.event", action="create", details={"n": i}) for i in range(n)]


def test_events_chain_and_verify():
    events = _events(5)
    assert [e.sequence for e in events] == [1, 2, 3, 4, 5]
    assert events[1].previous_hash == events[0].content_hash
    checked, problem = verify_chain()
    assert (checked, problem) == (5, None)
    call_command("audit_verify")


def test_audit_rows_are_append_only():
    event = _events(1)[0]
    event.action = "tampered"
    with pytest.raises(AuditEventImmutable):
        event.save()
    with pytest.raises(AuditEventImmutable):
        event.delete()
    with pytest.raises(AuditEventImmutable):
        AuditEvent.objects.filter(pk=event.pk).update(action="x")
    with pytest.raises(AuditEventImmutable):
        AuditEvent.objects.all().delete()


def _raw(sql, params):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_raw_sql_edit_is_named_by_audit_verify():
    events = _events(5)
    _raw("UPDATE marketplace_ops_auditevent SET action = %s WHERE id = %s", ["forged", events[2].id])
    with pytest.raises(CommandError) as excinfo:
        call_command("audit_verify")
    assert "#3" in str(excinfo.value) and "edited" in str(excinfo.value)


def test_raw_sql_delete_is_named_by_audit_verify():
    events = _events(5)
    _raw("DELETE FROM marketplace_ops_auditevent WHERE id = %s", [events[1].id])
    with pytest.raises(CommandError) as excinfo:
        call_command("audit_verify")
    assert "#2" in str(excinfo.value) and "removed" in str(excinfo.value)


def test_deleting_the_newest_event_is_detected():
    events = _events(3)
    _raw("DELETE FROM marketplace_ops_auditevent WHERE id = %s", [events[2].id])
    _, problem = verify_chain()
    assert problem is not None and problem.sequence == 3


def test_reordering_is_detected():
    events = _events(4)
    # Swap the contents of #2 and #3 by swapping their sequence numbers.
    _raw("UPDATE marketplace_ops_auditevent SET sequence = 1000 WHERE id = %s", [events[1].id])
    _raw("UPDATE marketplace_ops_auditevent SET sequence = 2 WHERE id = %s", [events[2].id])
    _raw("UPDATE marketplace_ops_auditevent SET sequence = 3 WHERE id = %s", [events[1].id])
    _, problem = verify_chain()
    assert problem is not None and problem.sequence == 2


def test_secrets_in_details_are_redacted():
    event = audit_log(
        event_type="test.secret", action="update", details={"password": "hunter2", "nested": {"api_key": "k"}, "ok": 1}
    )
    event.refresh_from_db()
    assert "hunter2" not in str(event.details) and event.details["ok"] == 1
    assert event.details["nested"]["api_key"] == "[redacted]"


def test_logins_logouts_and_failures_are_audited_with_ip(client, make_user):
    make_user("alice", password="S3cret-pass-word")
    url = reverse("admin:login")
    client.post(url, {"username": "alice", "password": "wrong"}, REMOTE_ADDR="203.0.113.9")
    client.post(url, {"username": "alice", "password": "S3cret-pass-word"}, REMOTE_ADDR="203.0.113.10")
    client.post(reverse("admin:logout"), REMOTE_ADDR="203.0.113.10")
    events = {e.event_type: e for e in AuditEvent.objects.all()}
    assert events["auth.login_failed"].outcome == "failure"
    assert events["auth.login_failed"].ip_address == "203.0.113.9"
    assert events["auth.login_failed"].details == {"username": "alice"}
    assert events["auth.login"].actor_label == "alice" and events["auth.login"].ip_address == "203.0.113.10"
    assert events["auth.logout"].actor_label == "alice"
    assert verify_chain()[1] is None


def test_admin_offers_no_change_or_delete_even_to_superusers(client, make_user):
    admin_user = make_user("root", superuser=True)
    event = _events(1)[0]
    client.force_login(admin_user)
    change = client.post(reverse("admin:marketplace_ops_auditevent_change", args=[event.pk]), {"action": "x"})
    assert change.status_code == 403
    delete = client.post(reverse("admin:marketplace_ops_auditevent_delete", args=[event.pk]), {"post": "yes"})
    assert delete.status_code == 403
    assert client.get(reverse("admin:marketplace_ops_auditevent_changelist")).status_code == 200
    event.refresh_from_db()
    assert event.action == "create"
