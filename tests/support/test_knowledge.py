"""Knowledge base: sanitized Markdown, runbooks per component and severity, the seeded runbooks."""

import pytest

from incidents.support.models import KnowledgeArticle
from incidents.support.selectors import render_markdown, runbooks_for
from marketplace_ops.models import Component
from tests.support.factories import KnowledgeArticleFactory

pytestmark = pytest.mark.django_db


def test_markdown_is_rendered_and_sanitized():
    html = render_markdown(
        "# Title\n\n**bold** <script>alert(1)</script> [x](javascript:alert(1)) "
        '<img src=x onerror="alert(1)"> [ok](https://status.example)'
    )
    assert "<h1>Title</h1>" in html and "<strong>bold</strong>" in html
    assert "<script" not in html and "onerror" not in html and "javascript:" not in html
    assert 'href="https://status.example"' in html


def test_the_three_runbooks_are_seeded_with_real_content():
    runbooks = {a.slug: a for a in KnowledgeArticle.objects.filter(kind="runbook")}
    assert set(runbooks) >= {"deployment-runbook", "backup-and-recovery-runbook", "incident-response-runbook"}
    assert "Rollback" in runbooks["deployment-runbook"].body
    assert "15 minutes" in runbooks["backup-and-recovery-runbook"].body  # gateway RTO
    assert "Communication templates" in runbooks["incident-response-runbook"].body
    assert not any(a.is_public for a in runbooks.values())


def test_runbooks_for_components_and_severity():
    gateway = Component.objects.create(name="Gateway T", slug="gateway-t")
    portal = Component.objects.create(name="Portal T", slug="portal-t")
    gw_rb = KnowledgeArticleFactory(kind="runbook", title="AAA gateway failover", severities=["critical", "high"])
    gw_rb.components.set([gateway])
    portal_rb = KnowledgeArticleFactory(kind="runbook", title="Portal cache")
    portal_rb.components.set([portal])
    KnowledgeArticleFactory(kind="runbook", title="Draft", is_published=False)
    KnowledgeArticleFactory(kind="faq", title="Not a runbook")

    titles = [a.title for a in runbooks_for(component_ids=[gateway.pk])]
    assert titles[0] == "AAA gateway failover"  # component-specific first
    assert "Portal cache" not in titles and "Draft" not in titles and "Not a runbook" not in titles
    assert "Incident response runbook" in titles  # general runbooks apply to every component
    low = [a.title for a in runbooks_for(component_ids=[gateway.pk], severity="low")]
    assert "AAA gateway failover" not in low and "Incident response runbook" in low


def test_public_kb_shows_public_articles_only(client):
    public = KnowledgeArticleFactory(kind="faq", title="Rotate keys", is_public=True, body="Use **two** keys.")
    KnowledgeArticleFactory(kind="known_issue", title="Internal only", is_public=False)
    page = client.get("/support/kb/")
    assert b"Rotate keys" in page.content and b"Internal only" not in page.content
    detail = client.get(f"/support/kb/{public.slug}/")
    assert detail.status_code == 200 and b"<strong>two</strong>" in detail.content
    assert client.get("/support/kb/incident-response-runbook/").status_code == 404


def test_staff_can_read_runbooks(client, make_user):
    client.force_login(make_user("ivy", roles=["incident-response"]))
    page = client.get("/support/kb/incident-response-runbook/")
    assert page.status_code == 200 and b"Escalation procedures" in page.content


def test_runbook_cannot_be_public():
    from django.core.exceptions import ValidationError

    article = KnowledgeArticle(title="x", slug="x", kind="runbook", body="b", is_public=True)
    with pytest.raises(ValidationError):
        article.full_clean()
