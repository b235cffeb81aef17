"""The dashboard widget "Tickets assigned to me" and the knowledge-article admin."""

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse

from incidents.support.models import KnowledgeArticle
from incidents.support.services import ticket_assign, ticket_escalate
from marketplace_ops.models import Notification
from marketplace_ops.registry import registry
from tests.support.factories import CustomerFactory, make_ticket

pytestmark = pytest.mark.django_db


def test_widget_lists_only_my_open_tickets_premium_first(staff):
    CustomerFactory(email_domain="acme.example", is_premium=True)
    mine = make_ticket(subject="Mine", severity="critical")
    mine_premium = make_ticket(subject="Mine premium", severity="low", requester_email="a@acme.example")
    make_ticket(subject="Someone else's")
    for t in (mine, mine_premium):
        ticket_assign(ticket=t, assignee=staff["l1"], acting_user=staff["l1"])
    widget = registry.dashboard_widgets["support.my_tickets"]
    request = RequestFactory().get("/")
    request.user = staff["l1"]
    context = widget.context(request)
    assert [t.subject for t, _ in context["tickets"]] == ["Mine premium", "Mine"]
    html = render_to_string(widget.template, context)
    assert "Mine premium" in html and "Someone else" not in html


def test_escalating_a_premium_ticket_tells_its_dedicated_engineer(staff):
    CustomerFactory(email_domain="acme.example", is_premium=True, dedicated_engineer=staff["l3"])
    ticket = make_ticket(requester_email="a@acme.example")
    ticket_escalate(ticket=ticket, to_tier="l2", reason="Gateway config issue on the orders route.",
                    acting_user=staff["l1"])
    told = set(Notification.objects.filter(event="support.ticket_escalated").values_list("recipient_address", flat=True))
    assert told == {"leo@example.com", "lou@example.com"}


def test_article_admin_saves_severities_and_previews_sanitized_html(client, staff):
    client.force_login(staff["l2"])
    response = client.post(reverse("admin:support_knowledgearticle_add"), {
        "title": "Gateway 502s", "slug": "gateway-502s", "kind": "troubleshooting", "summary": "",
        "body": "**Check** upstreams <script>x()</script>", "severities": ["critical", "high"],
        "is_published": "on",
    })
    assert response.status_code == 302, response.content[:2000]
    article = KnowledgeArticle.objects.get(slug="gateway-502s")
    assert article.severities == ["critical", "high"]
    page = client.get(reverse("admin:support_knowledgearticle_change", args=[article.pk]))
    assert b"<strong>Check</strong>" in page.content and b"<script>x()" not in page.content
