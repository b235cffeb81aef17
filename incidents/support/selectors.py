"""Reads that are more than a filter: the private-link lookup, queues, runbooks, rendering."""

import markdown as markdown_lib
import nh3
from django.db.models import Q
from django.utils import timezone
from django.utils.safestring import mark_safe

from incidents.support.choices import OPEN_STATUSES, PUBLIC_MESSAGE_KINDS, ArticleKind
from incidents.support.models import KnowledgeArticle, Ticket

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "div", "dl", "dt", "em", "h1", "h2", "h3", "h4",
    "h5", "h6", "hr", "i", "li", "ol", "p", "pre", "span", "strong", "sub", "sup", "table", "tbody", "td",
    "th", "thead", "tr", "ul",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "code": {"class"}, "th": {"align"}, "td": {"align"}}


def render_markdown(text: str) -> str:
    """Markdown → HTML with everything dangerous removed (scripts, event handlers, javascript: links)."""
    html = markdown_lib.markdown(text or "", extensions=["tables", "fenced_code", "sane_lists"])
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
    return mark_safe(clean)  # noqa: S308 — sanitized by nh3 just above


def ticket_by_access_token(token: str) -> Ticket | None:
    """The ticket a private link points to (looked up by the token's hash), or None."""
    token = (token or "").strip()
    if not token or len(token) > 200:
        return None
    return (
        Ticket.objects.select_related("knowledge_article")
        .filter(access_token_hash=Ticket.hash_access_token(token))
        .first()
    )


def public_messages(ticket: Ticket):
    """What the requester sees: their messages, staff replies and system events, never internal notes."""
    return ticket.messages.filter(kind__in=PUBLIC_MESSAGE_KINDS).order_by("created_at", "id")


def queue(*, tier: str | None = None, assignee=None):
    """Open tickets, premium first, then the earliest resolution deadline."""
    qs = Ticket.objects.filter(status__in=OPEN_STATUSES).select_related("assignee", "customer")
    if tier:
        qs = qs.filter(tier=tier)
    if assignee is not None:
        qs = qs.filter(assignee=assignee)
    return qs.order_by("-premium", "resolution_due", "id")


def tickets_assigned_to(user, *, limit: int = 10) -> list[Ticket]:
    if not getattr(user, "is_authenticated", False):
        return []
    return list(queue(assignee=user)[:limit])


def runbooks_for(*, component_ids=(), severity=None) -> list[KnowledgeArticle]:
    """Published runbooks for any of the components (runbooks linked to no component apply to all),
    narrowed to those that apply to `severity` when given. Component-specific runbooks first."""
    ids = [int(getattr(c, "pk", c)) for c in component_ids]
    qs = (
        KnowledgeArticle.objects.filter(kind=ArticleKind.RUNBOOK, is_published=True)
        .filter(Q(components__isnull=True) | Q(components__in=ids))
        .distinct()
        .prefetch_related("components")
        .order_by("title")
    )
    runbooks = [a for a in qs if a.applies_to_severity(severity)]
    id_set = set(ids)
    runbooks.sort(key=lambda a: (not any(c.pk in id_set for c in a.components.all()), a.title))
    return runbooks


def known_issues(*, published_only: bool = True):
    qs = KnowledgeArticle.objects.filter(kind=ArticleKind.KNOWN_ISSUE)
    if published_only:
        qs = qs.filter(is_published=True)
    return qs.order_by("title")


def public_articles():
    return KnowledgeArticle.objects.filter(is_public=True, is_published=True).exclude(kind=ArticleKind.RUNBOOK)


def sla_state(ticket: Ticket, *, now=None) -> dict:
    """For display: which clock matters now, how long is left (negative: breached), paused or not."""
    now = now or timezone.now()
    if ticket.status in ("resolved", "closed"):
        return {"state": "done", "label": "resolved" + (" (breached)" if ticket.breached_clocks() else "")}
    if ticket.is_paused:
        return {"state": "paused", "label": "paused (waiting on customer)"}
    if ticket.first_response_at is None and ticket.response_due:
        clock, due = "response", ticket.response_due
    else:
        clock, due = "resolution", ticket.resolution_due
    if due is None:
        return {"state": "none", "label": "no clock"}
    left = due - now
    if left.total_seconds() < 0 or ticket.breached_clocks():
        return {"state": "breached", "label": f"{clock} breached", "clock": clock, "due": due}
    minutes = int(left.total_seconds() // 60)
    text = f"{minutes // 60} h {minutes % 60:02d} min" if minutes >= 60 else f"{minutes} min"
    state = "warning" if left.total_seconds() < 3600 else "ok"
    return {"state": state, "label": f"{clock}: {text} left", "clock": clock, "due": due}
