"""Renders the dashboard widgets that apps registered (the kernel names no domain)."""

import logging

from django import template
from django.template.loader import render_to_string

from marketplace_ops.registry import registry

register = template.Library()
logger = logging.getLogger(__name__)


@register.simple_tag(takes_context=True)
def dashboard_widgets(context):
    request = context["request"]
    rendered = []
    for widget in registry.widgets():
        if widget.permission and not request.user.has_perm(widget.permission):
            continue
        widget_context = widget.context(request)
        if widget_context is None:
            continue
        rendered.append(
            render_to_string(
                widget.template,
                {"widget": widget, "request": request, **widget_context},
                request=request,
            )
        )
    return "".join(rendered)


@register.simple_tag(takes_context=True)
def unread_inbox_count(context):
    from marketplace_ops.models import Notification

    user = context["request"].user
    if not user.is_authenticated:
        return 0
    return Notification.objects.filter(recipient_user=user, read_at__isnull=True).count()
