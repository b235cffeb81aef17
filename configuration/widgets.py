"""Dashboard widgets (the dashboard page composes them from the registry)."""

from marketplace_ops.registry import DashboardWidget


def _awaiting_my_approval(request):
    from configuration.selectors import changesets_awaiting_approval_by

    return {"change_sets": changesets_awaiting_approval_by(request.user)[:10]}


def _pending_changes(request):
    from configuration.selectors import pending_changesets

    return {"change_sets": pending_changesets()[:10]}


def register_widgets(registry):
    registry.register_widget(DashboardWidget(
        key="configuration.awaiting_my_approval",
        title="Configuration change sets awaiting my approval",
        template="configuration/widgets/changesets.html",
        context=_awaiting_my_approval,
        order=40,
        permission="configuration.approve_changeset",
    ))
    registry.register_widget(DashboardWidget(
        key="configuration.pending_changes",
        title="Configuration changes pending",
        template="configuration/widgets/changesets.html",
        context=_pending_changes,
        order=41,
        permission="configuration.view_changeset",
    ))
