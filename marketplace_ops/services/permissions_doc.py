"""The role × permission matrix, rendered from the groups and parsed from docs/permissions.md."""

import re
from pathlib import Path

from django.contrib.auth.models import Group, Permission

from marketplace_ops.choices import Role

ROLES = [role.value for role in Role]
TICK = "✓"


def actual_matrix(app_label: str) -> dict[str, set[str]]:
    """permission "app.codename" -> roles holding it (every permission of the app listed)."""
    matrix = {
        f"{app_label}.{codename}": set()
        for codename in Permission.objects.filter(content_type__app_label=app_label).values_list("codename", flat=True)
    }
    for group in Group.objects.filter(name__in=ROLES).prefetch_related("permissions__content_type"):
        for perm in group.permissions.all():
            if perm.content_type.app_label == app_label:
                matrix[f"{app_label}.{perm.codename}"].add(group.name)
    return matrix


def matrix_markdown(app_label: str) -> str:
    lines = [f"## {app_label}", "", "| permission | " + " | ".join(ROLES) + " |", "|---" * (len(ROLES) + 1) + "|"]
    for perm, roles in sorted(actual_matrix(app_label).items()):
        if not roles:
            continue
        lines.append(f"| {perm} | " + " | ".join(TICK if r in roles else "" for r in ROLES) + " |")
    return "\n".join(lines) + "\n"


ROW = re.compile(r"^\|\s*([a-z_]+\.[a-z_0-9]+)\s*\|(.*)\|\s*$")


def documented_matrix(path: Path) -> dict[str, set[str]]:
    """Parse every table row "| app.codename | ✓ | | … |" with the role columns in ROLES order."""
    documented = {}
    for line in path.read_text().splitlines():
        match = ROW.match(line.strip())
        if not match:
            continue
        cells = [c.strip() for c in match.group(2).split("|")]
        documented[match.group(1)] = {role for role, cell in zip(ROLES, cells, strict=False) if cell == TICK}
    return documented
