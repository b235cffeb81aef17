from django.db import transaction

from marketplace_ops.history import save_with_history
from marketplace_ops.models import Component
from marketplace_ops.services.audit import audit_log


def component_set_status(*, component: Component, status: str, acting_user, reason: str) -> Component:
    """Change a component's current status (domains call this; the status page reads it)."""
    with transaction.atomic():
        component = Component.objects.select_for_update().get(pk=component.pk)
        previous = component.status
        if previous == status:
            return component
        component.status = status
        save_with_history(component, acting_user=acting_user, reason=reason)
        audit_log(
            event_type="component.status_changed",
            action="update",
            acting_user=acting_user,
            resource=component,
            details={"from": previous, "to": status, "reason": reason},
        )
    return component
