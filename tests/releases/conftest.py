"""Fixtures for the releases tests: a component, one approver per role, release helpers."""

from datetime import UTC, datetime

import pytest

from marketplace_ops.models import Component, DistributionList, DistributionListMember

ROLES = ["product", "engineering", "security", "operations"]
# Sunday 2027-01-10 01:00–05:00 is a primary window; Wednesday 2027-01-06 01:00–03:00 secondary.
SUNDAY_WINDOW = datetime(2027, 1, 10, 1, 0, tzinfo=UTC)
WEDNESDAY_WINDOW = datetime(2027, 1, 6, 1, 0, tzinfo=UTC)
PLANNING_TIME = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """Test users are created by the dozen; PBKDF2 would dominate the run time."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def component(db):
    gateway = Component.objects.create(name="API Gateway", slug="api-gateway")
    stakeholders = DistributionList.objects.create(name="Gateway stakeholders", slug="gateway-stakeholders")
    stakeholders.components.add(gateway)
    DistributionListMember.objects.create(distribution_list=stakeholders, email="partner@example.com")
    return gateway


@pytest.fixture
def author(make_user):
    return make_user("erin", roles=["engineering"])


@pytest.fixture
def approvers(make_user):
    return {role: make_user(f"{role}-approver", roles=[role]) for role in ROLES}


@pytest.fixture
def make_release(component, author):
    from releases.services import release_create

    def make(**overrides):
        fields = {
            "component": component,
            "release_type": "minor",
            "version": "",
            "title": "Token exchange",
            "rollback_plan": "Redeploy the previous image.",
            "verification_steps": "Smoke test\nError rate below 0.5 %",
            "changes": [{"change_type": "feature", "description": "OAuth token exchange", "ticket_id": "GW-1"}],
            "acting_user": author,
        }
        fields.update(overrides)
        return release_create(**fields)

    return make


@pytest.fixture
def approve_all(approvers):
    from releases.services import release_approve

    def approve(release, roles=None, **kwargs):
        for role in roles or release.required_roles:
            release_approve(release=release, role=role, acting_user=approvers[role], approved=True, **kwargs)
        release.refresh_from_db()
        return release

    return approve


@pytest.fixture
def deployed_version(component, make_user):
    """Record versions as already deployed for the component (history before this test)."""
    from releases.models import Release

    def record(version, release_type="minor", status="completed"):
        return Release.objects.create(component=component, version=version, release_type=release_type,
                                      title=f"old {version}", status=status,
                                      created_by=make_user(f"old-{version}"))

    return record


@pytest.fixture
def sign_off(make_user):
    """Sign off the given testing stages of a patch/hotfix, each check by a named tester."""
    from releases.choices import STAGE_CHECKS
    from releases.services import patch_signoff

    tester = make_user("tess.tester", roles=["engineering"])

    def sign(release, stages=("development", "qa", "uat")):
        for stage in stages:
            for check in STAGE_CHECKS[stage]:
                patch_signoff(release=release, test_check=check, acting_user=tester)
        return release

    return sign
