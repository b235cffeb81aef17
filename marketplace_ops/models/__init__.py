from marketplace_ops.models.audit import AuditChainHead, AuditEvent
from marketplace_ops.models.calendar import (
    BusinessCalendar,
    CalendarHoliday,
    MaintenancePolicy,
    MaintenanceWindow,
)
from marketplace_ops.models.components import Component
from marketplace_ops.models.notifications import (
    DistributionList,
    DistributionListMember,
    InboxNotification,
    Notification,
)
from marketplace_ops.models.tokens import ApiToken

__all__ = [
    "ApiToken",
    "AuditChainHead",
    "AuditEvent",
    "BusinessCalendar",
    "CalendarHoliday",
    "Component",
    "DistributionList",
    "DistributionListMember",
    "InboxNotification",
    "MaintenancePolicy",
    "MaintenanceWindow",
    "Notification",
]
