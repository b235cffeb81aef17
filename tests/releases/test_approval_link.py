"""The emailed approval link: right user approves; other user, tampered, reused or expired links
get a clear page."""

import re
from datetime import timedelta

import pytest
import time_machine

from marketplace_ops.models import Notification
from tests.releases.conftest import PLANNING_TIME

LINK = re.compile(r"http://testserver(/releases/approve/[^/\s]+/)")


def link_for(user, role="product") -> str:
    mail = Notification.objects.filter(event="releases.approval_requested", recipient_user=user).latest("id")
    assert f"({role})" in mail.subject
    assert mail.body_html and "Review and approve" in mail.body_html
    return LINK.search(mail.body_text).group(1)


@pytest.fixture
def release(make_release, approvers):
    with time_machine.travel(PLANNING_TIME, tick=False):
        return make_release()


def test_each_required_role_member_gets_their_own_link_but_not_the_author(release, approvers, author):
    links = {role: link_for(user, role) for role, user in approvers.items()}
    assert len(set(links.values())) == 4
    assert not Notification.objects.filter(event="releases.approval_requested", recipient_user=author).exists()


def test_following_the_link_as_the_right_user_approves(client, release, approvers):
    url = link_for(approvers["product"])
    client.force_login(approvers["product"])
    page = client.get(url)
    assert page.status_code == 200
    assert b"OAuth token exchange" in page.content and b"Redeploy the previous image." in page.content
    assert b"csrfmiddlewaretoken" in page.content
    response = client.post(url, {"decision": "approve", "comment": "Fine by product"})
    assert response.status_code == 200 and b"decision-recorded" in response.content
    approval = release.approvals.get()
    assert (approval.role, approval.approver, approval.comment) == ("product", approvers["product"], "Fine by product")
    history = approval.history.first()
    assert history.history_user == approvers["product"] and history.ip_address == "127.0.0.1"


def test_the_page_requires_login_and_comes_back(client, release, approvers):
    url = link_for(approvers["product"])
    response = client.get(url)
    assert response.status_code == 302 and "/admin/login/" in response["Location"] and "next=" in response["Location"]


def test_the_link_is_refused_for_another_user(client, release, approvers):
    url = link_for(approvers["product"])
    client.force_login(approvers["security"])
    response = client.post(url, {"decision": "approve"})
    assert response.status_code == 403 and b"for someone else" in response.content
    assert not release.approvals.exists()


def test_a_tampered_link_is_refused(client, release, approvers):
    url = link_for(approvers["product"])
    client.force_login(approvers["product"])
    response = client.get(url[:-6] + "x" + url[-5:])
    assert response.status_code == 400 and b"not valid" in response.content


def test_a_reused_link_is_refused(client, release, approvers):
    url = link_for(approvers["product"])
    client.force_login(approvers["product"])
    client.post(url, {"decision": "approve"})
    response = client.post(url, {"decision": "approve"})
    assert response.status_code == 409 and b"already used" in response.content
    assert release.approvals.count() == 1


def test_an_expired_link_is_refused(client, release, approvers, settings):
    url = link_for(approvers["product"])
    client.force_login(approvers["product"])
    with time_machine.travel(PLANNING_TIME + timedelta(hours=settings.RELEASES_APPROVAL_LINK_MAX_AGE_HOURS, minutes=1)):
        response = client.get(url)
    assert response.status_code == 410 and b"expired" in response.content


def test_a_link_from_before_a_revoke_is_refused(client, release, approvers):
    from releases.services import release_approve, release_update

    url = link_for(approvers["product"])
    release_approve(release=release, role="security", acting_user=approvers["security"], approved=True)
    release_update(release=release, acting_user=release.created_by, rollback_plan="Other plan")
    client.force_login(approvers["product"])
    response = client.get(url)
    assert response.status_code == 409 and b"replaced" in response.content
    assert client.get(link_for(approvers["product"])).status_code == 200


def test_a_rule_violation_on_the_page_is_a_form_error(client, release, approvers):
    url = link_for(approvers["product"])
    client.force_login(approvers["product"])
    response = client.post(url, {"decision": "reject", "comment": ""})
    assert response.status_code == 200 and b"Say what needs to change" in response.content
    assert not release.approvals.exists()


def test_csrf_is_enforced(release, approvers):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(approvers["product"])
    response = strict.post(link_for(approvers["product"]), {"decision": "approve"})
    assert response.status_code == 403
    assert not release.approvals.exists()


def test_rejecting_from_the_link_marks_changes_requested(client, release, approvers):
    url = link_for(approvers["security"], role="security")
    client.force_login(approvers["security"])
    client.post(url, {"decision": "reject", "comment": "Needs a pen test"})
    release.refresh_from_db()
    assert release.changes_requested and release.status == "planned"
