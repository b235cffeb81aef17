"""Role groups and their permissions. Groups come from a data migration; permissions are
granted by each app through `registry.grant(...)` and applied after every migrate."""

from django.contrib.auth.models import Group, Permission

from marketplace_ops.choices import Role
from marketplace_ops.registry import registry


def ensure_role_groups() -> dict[str, Group]:
    return {role.value: Group.objects.get_or_create(name=role.value)[0] for role in Role}


def expected_permissions() -> dict[str, set[str]]:
    """role -> {"app_label.codename"}; the auditor gets every view permission of the project."""
    expected = {role.value: set(registry.role_permissions.get(role.value, set())) for role in Role}
    project_labels = set(project_app_labels()) | {"auth"}
    view_all = {
        f"{p.content_type.app_label}.{p.codename}"
        for p in Permission.objects.select_related("content_type").filter(
            codename__startswith="view_", content_type__app_label__in=project_labels
        )
    }
    expected[Role.AUDITOR.value] |= view_all
    return expected


def sync_role_permissions() -> None:
    """Make each role group hold exactly its expected permissions (those that exist yet)."""
    groups = ensure_role_groups()
    by_key = {
        f"{p.content_type.app_label}.{p.codename}": p
        for p in Permission.objects.select_related("content_type").all()
    }
    for role, perms in expected_permissions().items():
        wanted = [by_key[key] for key in perms if key in by_key]
        groups[role].permissions.set(wanted)


def user_has_role(user, role: str) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return user.groups.filter(name=role).exists()


def role_members(role: str):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(groups__name=role, is_active=True).order_by("username")




def project_app_labels() -> list[str]:
    """App labels of the project's own apps (LOCAL_APPS holds module paths)."""
    from django.apps import apps
    from django.conf import settings

    by_name = {config.name: config.label for config in apps.get_app_configs()}
    return [by_name[name] for name in settings.LOCAL_APPS if name in by_name]
