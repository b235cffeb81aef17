"""The dashboard widget: backup objectives per component (green / amber / red)."""

from marketplace_ops.registry import DashboardWidget


def _context(request):
    from backups.selectors import objectives_board

    return {"rows": objectives_board()}


def register_widgets(registry):
    registry.register_widget(DashboardWidget(
        key="backups.objectives",
        title="Backup objectives per component",
        template="backups/widgets/objectives.html",
        context=_context,
        order=40,
        permission="backups.view_recoveryobjective",
    ))
