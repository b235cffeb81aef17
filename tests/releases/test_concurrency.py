"""Four approvers approving at once: one transition to approved, one email per stakeholder."""

import threading

import pytest
from django.db import connection

from marketplace_ops.models import Notification
from releases.models import Release, ReleaseApproval


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_parallel_approvals_approve_exactly_once(make_release, approvers, author):
    release = make_release()
    barrier = threading.Barrier(len(approvers))
    errors = []

    def approve(role, user):
        from releases.services import release_approve

        try:
            barrier.wait(timeout=10)
            release_approve(release=Release.objects.get(pk=release.pk), role=role, acting_user=user, approved=True)
        except Exception as exc:  # collected and asserted below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=approve, args=item) for item in approvers.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    release.refresh_from_db()
    assert release.status == "approved"
    assert ReleaseApproval.objects.filter(release=release, revoked_at__isnull=True).count() == 4
    assert release.history.filter(status="approved", history_change_reason="all required approvals given").count() == 1
    approved_mail = Notification.objects.filter(event="releases.approved")
    recipients = list(approved_mail.values_list("recipient_address", flat=True))
    assert sorted(recipients) == sorted(set(recipients))  # one per stakeholder
    assert {"erin@example.com", "partner@example.com", *(u.email for u in approvers.values())} == set(recipients)
