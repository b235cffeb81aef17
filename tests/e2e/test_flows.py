"""The three human flows in a real browser (chromium via Playwright)."""

import re

import pytest

from tests.e2e.conftest import login, shot

# The flush after each test empties the tables; the reference data of data migrations (SLA
# policies, maintenance windows, runbooks) comes back on post_migrate (marketplace_ops.seed_data).
pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_approver_follows_the_emailed_link_logs_in_and_approves(site, new_page, make_user):
    from marketplace_ops.models import Component, Notification
    from releases.services import release_create

    component = Component.objects.create(name="E2E Gateway", slug="e2e-gateway")
    author = make_user("erin.author", roles=["engineering"])
    approvers = {role: make_user(f"{role}.approver", roles=[role])
                 for role in ("product", "engineering", "security", "operations")}
    release = release_create(
        acting_user=author, component=component, release_type="minor", version="", title="Token exchange",
        rollback_plan="Redeploy the previous image.", verification_steps="Smoke test",
        changes=[{"change_type": "feature", "description": "OAuth token exchange", "ticket_id": "GW-1"}])
    approver = approvers["product"]
    mail = Notification.objects.filter(event="releases.approval_requested", recipient_user=approver).latest("id")
    link = re.search(r"https?://\S+/releases/approve/[^/\s]+/", mail.body_text).group(0)
    assert link.startswith(site)

    page = new_page()
    page.goto(link)
    assert "/admin/login/" in page.url  # not signed in yet: the link comes back after login
    login(page, site, approver.username)
    page.wait_for_url(re.compile(r"/releases/approve/"))
    page.fill("textarea[name=comment]", "Fine by product")
    page.click("button[value=approve]")
    page.wait_for_selector("#decision-recorded")
    text = page.inner_text("body")
    assert "product: Approved by product.approver" in text and "Fine by product" in text
    shot(page, "flow-a-approval")
    approval = release.approvals.get()
    assert (approval.role, approval.approver, approval.decision) == ("product", approver, "approved")


def test_staff_open_a_critical_incident_and_the_public_page_shows_only_the_public_update(site, new_page, make_user):
    from incidents.models import Incident
    from marketplace_ops.models import Component

    Component.objects.create(name="E2E Payments API", slug="e2e-payments", is_public=True)
    make_user("olga.ops", superuser=True)
    page = new_page()
    page.goto(f"{site}/admin/incidents/incident/add/")
    login(page, site, "olga.ops")
    page.wait_for_selector("#id_title")
    page.fill("#id_title", "Payments API returning 503")
    page.fill("#id_description", "Triggered by pager")
    page.select_option("#id_severity", "critical")
    # the admin's filter_horizontal widget: double-click moves an option to "chosen"
    page.dblclick("#id_components_from option:text-is('E2E Payments API')")
    assert page.eval_on_selector("#id_components_to", "s => Array.from(s.options).map(o => o.text)") == [
        "E2E Payments API"]
    page.click("input[name=_continue]")
    page.wait_for_selector(".messagelist .success, ul.messagelist li")
    incident = Incident.objects.get(title="Payments API returning 503")
    assert incident.severity == "critical"

    page.fill("#id_add_note", "INTERNAL: suspect the card-vault failover")
    page.click("input[name=_continue]")
    page.wait_for_selector("ul.messagelist li")

    page.goto(f"{site}/admin/incidents/incident/")
    page.check(f"input[name=_selected_action][value='{incident.pk}']")
    page.select_option("select[name=action]", "post_update")
    page.click("button[name=index], .actions button[type=submit]")
    page.wait_for_selector("#id_channel")
    page.select_option("#id_channel", "status_page")
    page.select_option("#id_audience", "all_users")
    page.fill("#id_message", "Card payments are failing; we are failing over to the standby region.")
    page.click("input[type=submit][value=Send]")
    page.wait_for_selector("ul.messagelist li")
    assert incident.communications.filter(is_public=True).count() == 1

    public = new_page()  # a fresh, logged-out context
    public.goto(f"{site}/status/")
    text = public.inner_text("body")
    assert "Payments API returning 503" in text
    assert "Card payments are failing; we are failing over to the standby region." in text
    assert "Major outage" in text
    assert "card-vault" not in public.content() and "olga.ops" not in public.content()
    shot(public, "flow-b-status-page")
    public.click(f"a[href='/status/incidents/{incident.pk}/']")
    assert "card-vault" not in public.content()
    assert "/admin/login/" not in public.url


def test_dashboard_renders_charts_with_data(site, new_page, make_user, responder_incidents):
    make_user("dana.dash", superuser=True)
    page = new_page()
    page.goto(f"{site}/admin/")
    login(page, site, "dana.dash")
    page.wait_for_selector("#ops-dashboard svg[data-chart]")
    kinds = page.eval_on_selector_all("#ops-dashboard svg[data-chart]", "els => els.map(e => e.dataset.chart)")
    assert {"line", "grouped-bar", "hbar"} <= set(kinds)
    points = page.eval_on_selector_all(
        "#widget-statuspage-chart_components rect.ops-bar",
        "els => els.map(e => [e.dataset.label, Number(e.dataset.value), e.getBBox().width])")
    assert ["E2E Search", 2] == points[0][:2] and points[0][2] > 0
    mtta = page.eval_on_selector_all("#widget-statuspage-chart_mtta_mttr circle.ops-point",
                                     "els => els.map(e => Number(e.dataset.value))")
    assert mtta and all(v >= 0 for v in mtta)
    table = page.text_content("#widget-statuspage-chart_components table")
    assert "E2E Search" in table
    shot(page, "flow-c-dashboard")


@pytest.fixture
def responder_incidents(make_user):
    from incidents.services import incident_acknowledge, incident_open
    from marketplace_ops.models import Component

    search = Component.objects.create(name="E2E Search", slug="e2e-search")
    rita = make_user("rita.responder", roles=["incident-response"])
    for title in ("Search timeouts", "Search index stale"):
        incident = incident_open(title=title, description="", severity="high", component_ids=[search.pk],
                                 acting_user=rita)
        incident_acknowledge(incident=incident, acting_user=rita)
