"""Demo data: premium customers, the knowledge base, and a ticket in each tier. Idempotent."""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from incidents.support.choices import ArticleKind, Channel, Severity, TicketStatus, Tier

KNOWLEDGE = [
    ("gateway-429-rate-limits", "HTTP 429 from the gateway: rate limits", ArticleKind.TROUBLESHOOTING, ["api-gateway"], True,
     "Why calls are throttled and how to stay under your plan's limits.",
     "The gateway answers **429 Too Many Requests** when a key exceeds its plan's rate limit.\n\n"
     "1. Read the `Retry-After` and `X-RateLimit-Remaining` headers of the 429 response.\n"
     "2. Back off exponentially (1 s, 2 s, 4 s …) and retry only idempotent calls.\n"
     "3. Spread batch jobs; the limit is per key per minute.\n"
     "4. If your traffic legitimately needs more, ask for a plan change in the portal.\n"),
    ("rotate-api-key", "How do I rotate an API key without downtime?", ArticleKind.FAQ, ["api-portal"], True,
     "Create the new key, deploy it, then revoke the old one.",
     "Keys can overlap: create a second key in the portal, deploy it to your clients, watch the old "
     "key's traffic fall to zero in *Usage*, then revoke the old key.\n"),
    ("known-issue-catalog-search-stale", "Known issue: catalog search shows APIs removed in the last hour",
     ArticleKind.KNOWN_ISSUE, ["api-catalog"], True,
     "The search index refreshes hourly; removed APIs can appear until the next refresh.",
     "**Symptom**: an API that was unpublished still appears in catalog search, and opening it gives 404.\n\n"
     "**Cause**: the search index is rebuilt hourly.\n\n**Workaround**: none needed; the entry disappears "
     "at the next refresh (on the hour). A fix that updates the index on unpublish is planned.\n"),
    ("known-issue-portal-sso-safari", "Known issue: portal single sign-on loops in Safari private windows",
     ArticleKind.KNOWN_ISSUE, ["api-portal"], True,
     "Safari private windows block the SSO cookie; use a normal window.",
     "**Symptom**: signing in with SSO returns to the sign-in page.\n\n**Workaround**: use a normal (not "
     "private) window, or allow cross-site cookies for the portal.\n"),
]


def _users():
    user_model = get_user_model()
    return {u.username: u for u in user_model.objects.filter(username__in=["lena.l1", "leo.l2", "lou.l3"])}


def seed(*, stdout=None):
    from incidents.support import services
    from incidents.support.models import Customer, KnowledgeArticle, Ticket
    from incidents.support.runbook_content import RUNBOOKS
    from marketplace_ops.models import Component

    users = _users()
    system = None  # seed_demo runs inside acting_as(system actor)

    # Runbooks (migration 0002 seeds them; recreate if someone deleted one).
    for slug, title, summary, body in RUNBOOKS:
        KnowledgeArticle.objects.get_or_create(
            slug=slug, defaults={"title": title, "kind": ArticleKind.RUNBOOK, "summary": summary, "body": body}
        )
    for slug, title, kind, component_slugs, public, summary, body in KNOWLEDGE:
        article, created = KnowledgeArticle.objects.get_or_create(
            slug=slug, defaults={"title": title, "kind": kind, "summary": summary, "body": body, "is_public": public}
        )
        if created:
            article.components.set(Component.objects.filter(slug__in=component_slugs))

    Customer.objects.get_or_create(
        email_domain="acme.example",
        defaults={"name": "Acme Corp", "is_premium": True, "dedicated_engineer": users.get("leo.l2")},
    )
    Customer.objects.get_or_create(email_domain="globex.example", defaults={"name": "Globex", "is_premium": False})

    def ticket(subject, **kwargs):
        existing = Ticket.objects.filter(subject=subject).first()
        if existing:
            return existing, False
        return services.ticket_create(subject=subject, acting_user=system, **kwargs), True

    now = timezone.now()
    # L1: a new portal ticket, unanswered.
    ticket("Sandbox keys return 401 after sign-up", requester_name="Dana Developer",
           requester_email="dana@globex.example", severity=Severity.MEDIUM, channel=Channel.PORTAL,
           description="I created a sandbox key ten minutes ago and every call returns 401 invalid_key.",
           opened_at=now - timedelta(minutes=40))

    # L2: premium, escalated, in progress, assigned to Leo (Acme's dedicated engineer).
    t2, created = ticket("Intermittent 502 on /v2/orders through the gateway", requester_name="Alex Ops",
                         requester_email="alex@acme.example", severity=Severity.HIGH, channel=Channel.EMAIL,
                         description="About 2% of calls to /v2/orders return 502 since this morning; request ids attached.",
                         opened_at=now - timedelta(hours=3))
    if created and users.get("lena.l1") and users.get("leo.l2"):
        services.ticket_triage(ticket=t2, acting_user=users["lena.l1"])
        services.ticket_reply(ticket=t2, body="Thanks Alex, we can see the errors and are looking into it.",
                              acting_user=users["lena.l1"])
        services.ticket_escalate(ticket=t2, to_tier=Tier.L2, acting_user=users["lena.l1"],
                                 reason="Errors only on one upstream pool; needs gateway configuration analysis.")
        services.ticket_assign(ticket=t2, assignee=users["leo.l2"], acting_user=users["leo.l2"])
        services.ticket_start(ticket=t2, acting_user=users["leo.l2"])

    # L3: critical, escalated twice, linked to an incident when the incidents app is there.
    t3, created = ticket("Webhooks delivered twice after the 2.4 release", requester_name="Jo Integrator",
                         requester_email="jo@initech.example", severity=Severity.CRITICAL, channel=Channel.CHAT,
                         description="Since last night every webhook arrives twice, with the same event id.",
                         opened_at=now - timedelta(hours=1))
    if created and all(u in users for u in ("lena.l1", "leo.l2", "lou.l3")):
        services.ticket_reply(ticket=t3, body="We are on it and have escalated to engineering.",
                              acting_user=users["lena.l1"])
        services.ticket_escalate(ticket=t3, to_tier=Tier.L2, acting_user=users["lena.l1"],
                                 reason="Duplicate deliveries for every consumer; not a configuration issue.")
        services.ticket_escalate(ticket=t3, to_tier=Tier.L3, acting_user=users["leo.l2"],
                                 reason="Reproduced: the retry worker re-sends acknowledged events; code-level bug.")
        services.ticket_assign(ticket=t3, assignee=users["lou.l3"], acting_user=users["lou.l3"])
        services.ticket_start(ticket=t3, acting_user=users["lou.l3"])
        try:
            import incidents.services  # noqa: F401
        except ImportError:
            pass
        else:
            services.ticket_open_incident(ticket=t3, acting_user=users["lou.l3"],
                                          component_ids=list(Component.objects.filter(slug="api-gateway")
                                                             .values_list("pk", flat=True)))

    # A resolved one, with a known-issue article, waiting nobody.
    t4, created = ticket("Removed API still in catalog search", requester_name="Dana Developer",
                         requester_email="dana@globex.example", severity=Severity.LOW, channel=Channel.PORTAL,
                         description="The Payments v1 API was retired but search still lists it.",
                         opened_at=now - timedelta(days=1))
    if created and users.get("lena.l1"):
        services.ticket_resolve(ticket=t4, acting_user=users["lena.l1"],
                                article=KnowledgeArticle.objects.get(slug="known-issue-catalog-search-stale"))

    if stdout:
        counts = {tier: Ticket.objects.filter(tier=tier).exclude(status=TicketStatus.CLOSED).count() for tier in Tier.values}
        stdout.write(f"support: {KnowledgeArticle.objects.count()} articles, tickets per tier {counts}")
