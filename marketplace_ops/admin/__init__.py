from marketplace_ops.admin import audit, calendar, components, notifications, tokens  # noqa: F401
