from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Group

from marketplace_ops.choices import Role
from marketplace_ops.services.permissions_doc import actual_matrix, documented_matrix

DOC = Path(settings.BASE_DIR) / "docs" / "permissions.md"


@pytest.mark.django_db
def test_every_role_group_exists():
    assert set(Group.objects.values_list("name", flat=True)) >= {r.value for r in Role}


@pytest.mark.django_db
@pytest.mark.parametrize("app_label", ["marketplace_ops", "releases", "incidents", "support", "statuspage", "configuration", "backups"])
def test_groups_match_docs_permissions_md(app_label):
    from marketplace_ops.services.roles import project_app_labels

    assert app_label in project_app_labels()
    """docs/permissions.md is the matrix: each documented row matches the groups, and every
    permission some role holds is documented."""
    documented = {k: v for k, v in documented_matrix(DOC).items() if k.startswith(f"{app_label}.")}
    actual = {k: v for k, v in actual_matrix(app_label).items() if v}
    assert documented == actual, (
        f"docs/permissions.md disagrees with the role groups for {app_label}; "
        f"regenerate with `manage.py permissions_matrix {app_label}`"
    )


@pytest.mark.django_db
def test_auditor_can_view_everything_but_change_nothing():
    auditor = Group.objects.get(name=Role.AUDITOR)
    codenames = set(auditor.permissions.values_list("codename", flat=True))
    assert "view_auditevent" in codenames
    assert codenames and all(c.startswith("view_") for c in codenames)
