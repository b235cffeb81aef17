"""Renders the dashboard widgets that apps registered (the kernel names no domain)."""

import logging

from django import template
from django.template.loader import render_to_string
from django.utils.html import format_html
from django.utils.safestring import mark_safe

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
        try:
            widget_context = widget.context(request)
            if widget_context is None:
                continue
            body = render_to_string(
                widget.template,
                {"widget": widget, "request": request, **widget_context},
                request=request,
            )
        except Exception:  # one broken widget must not take the whole dashboard down
            logger.exception("Dashboard widget %s failed", widget.key)
            body = mark_safe('<p class="ops-state-red">This widget could not be shown; the error is logged.</p>')
        rendered.append(
            format_html(
                '<section class="ops-widget" id="widget-{}" data-widget="{}" aria-labelledby="widget-{}-title">'
                '<h2 id="widget-{}-title">{}</h2>{}</section>',
                _dom_id(widget.key), widget.key, _dom_id(widget.key), _dom_id(widget.key), widget.title,
                mark_safe(body),  # noqa: S308 - rendered by the widget's own (autoescaping) template
            )
        )
    return mark_safe("".join(rendered))  # noqa: S308 - each part built by format_html above


def _dom_id(key: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in key)


@register.simple_tag(takes_context=True)
def unread_inbox_count(context):
    from marketplace_ops.models import Notification

    user = context["request"].user
    if not user.is_authenticated:
        return 0
    return Notification.objects.filter(recipient_user=user, read_at__isnull=True).count()
