"""The post-incident review as Markdown (export) and as page context."""

from incidents.models import Incident


def _duration(incident) -> str:
    end = incident.resolved_at
    if not end:
        return "ongoing"
    minutes = int((end - incident.detected_at).total_seconds() // 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


def review_context(incident: Incident) -> dict:
    review = getattr(incident, "postmortem", None)
    return {
        "incident": incident,
        "review": review,
        "duration": _duration(incident),
        "components": [c.name for c in incident.components.all()],
        "timeline": list(incident.timeline.select_related("created_by").order_by("at", "id")),
        "action_items": list(incident.action_items.select_related("owner").order_by("due_date", "id")),
        "breaches": list(incident.breaches.order_by("breached_at")),
    }


def _md(text: str) -> str:
    return (text or "").strip() or "_Not written yet._"


def review_markdown(incident: Incident) -> str:
    ctx = review_context(incident)
    review = ctx["review"]
    lines = [
        f"# Post-incident review: INC-{incident.pk} {incident.title}",
        "",
        f"- **Severity:** {incident.get_severity_display()}",
        f"- **Status:** {incident.get_status_display()}; review {review.get_status_display().lower() if review else 'not started'}",
        f"- **Detected:** {incident.detected_at:%Y-%m-%d %H:%M} UTC",
        f"- **Resolved:** {incident.resolved_at:%Y-%m-%d %H:%M} UTC" if incident.resolved_at else "- **Resolved:** not yet",
        f"- **Duration:** {ctx['duration']}",
        f"- **Components:** {', '.join(ctx['components']) or 'none recorded'}",
        f"- **Users affected:** {incident.get_affected_users_display()}",
        f"- **Incident commander:** {incident.commander or 'none'}",
        "",
    ]
    if ctx["breaches"]:
        lines += ["**SLA breaches:** " + "; ".join(f"{b.get_clock_display()} at {b.breached_at:%Y-%m-%d %H:%M} UTC" for b in ctx["breaches"]), ""]
    for title, attr in (("Summary", "summary"), ("Root cause", "root_cause"), ("Contributing factors", "contributing_factors"),
                        ("Impact", "impact"), ("Lessons learned", "lessons_learned")):
        lines += [f"## {title}", "", _md(getattr(review, attr, "") if review else ""), ""]
    lines += ["## Timeline", "", "| Time (UTC) | Status | Event | By |", "|---|---|---|---|"]
    for entry in ctx["timeline"]:
        message = entry.message.replace("|", "\\|").replace("\n", " ")
        lines.append(f"| {entry.at:%Y-%m-%d %H:%M} | {entry.status} | {message} | {entry.created_by or ''} |")
    lines += ["", "## Action items", ""]
    if ctx["action_items"]:
        lines += ["| Action | Owner | Due | Status |", "|---|---|---|---|"]
        for item in ctx["action_items"]:
            lines.append(f"| {item.description.replace('|', '/')} | {item.owner or ''} | {item.due_date:%Y-%m-%d} | {item.get_status_display()} |")
    else:
        lines.append("_None._")
    return "\n".join(lines) + "\n"
