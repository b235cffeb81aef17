"""The usual incident messages. Placeholders: {{ incident.title }}, {{ components }}, {{ status_url }}."""

from django.template import Context, Template

MESSAGE_TEMPLATES = {
    "investigating": (
        "Investigating: {{ incident.title }}",
        "We are investigating reports of a problem affecting {{ components }}. "
        "Some API calls may fail or be slow. We will post an update as soon as we know more.",
    ),
    "identified": (
        "Identified: {{ incident.title }}",
        "We have identified the cause of the problem affecting {{ components }} and are working on a fix.",
    ),
    "monitoring": (
        "Monitoring: {{ incident.title }}",
        "A fix has been applied for the problem affecting {{ components }}. We are monitoring the results.",
    ),
    "resolved": (
        "Resolved: {{ incident.title }}",
        "The problem affecting {{ components }} has been resolved. Service is operating normally. "
        "We apologise for the disruption; a summary of the cause will follow.",
    ),
}


def render_template(key: str, context: dict) -> tuple[str, str]:
    subject, body = MESSAGE_TEMPLATES[key]
    ctx = Context(context, autoescape=False)
    return Template(subject).render(ctx).strip(), Template(body).render(ctx).strip()
