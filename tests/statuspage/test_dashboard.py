import re
from datetime import timedelta

import pytest
from django.utils import timezone

from incidents.statuspage import charts


def test_line_chart_marks_carry_the_data_and_gaps_stay_gaps():
    svg = charts.line_chart(chart_id="c", title="T <&>", labels=["w1", "w2", "w3"],
                            series=[("MTTA", [5.0, None, 12.5]), ("MTTR", [60.0, 90.0, None])], unit=" min")
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    assert "T &lt;&amp;&gt;" in svg
    values = re.findall(r'data-series="(\w+)" data-label="(\w+)" data-value="([\d.]+)"', svg)
    assert values == [("MTTA", "w1", "5"), ("MTTA", "w3", "12.5"), ("MTTR", "w1", "60"), ("MTTR", "w2", "90")]


def test_empty_charts_say_so():
    assert "No data for this period" in charts.hbar_chart(chart_id="x", title="t", rows=[])
    assert "No recovery objectives yet" in charts.threshold_chart(chart_id="y", title="t", rows=[])


def test_threshold_chart_puts_bars_relative_to_the_objective():
    svg = charts.threshold_chart(chart_id="b", title="t", rows=[
        {"label": "db", "value": 1800, "limit": 3600, "state": "green"},
        {"label": "files", "value": 7200, "limit": 3600, "state": "red"},
        {"label": "new", "value": None, "limit": 3600, "state": "red"}])
    assert 'data-label="db" data-value="50"' in svg and 'data-label="files" data-value="200"' in svg
    assert "no good backup" in svg and 'class="ops-limit"' in svg


@pytest.mark.django_db
def test_admin_dashboard_renders_chart_widgets_with_text_tables(client, make_user, components, open_incident,
                                                                responder):
    from incidents.services import incident_acknowledge

    admin = make_user("dash.admin", superuser=True)
    inc = open_incident(title="Gateway errors", severity="high", components=[components["gateway"]])
    incident_acknowledge(incident=inc, acting_user=responder)
    client.force_login(admin)
    body = client.get("/admin/").content.decode()
    for key in ("statuspage.chart_mtta_mttr", "statuspage.chart_sla", "statuspage.chart_components",
                "statuspage.upcoming"):
        assert f'data-widget="{key}"' in body, key
    assert 'data-chart="line"' in body and 'data-chart="grouped-bar"' in body and 'data-chart="hbar"' in body
    assert 'data-label="SP Gateway" data-value="1"' in body  # incidents per component
    assert "<th scope=\"col\">MTTA (min)</th>" in body
    week = (timezone.now().date() - timedelta(days=timezone.now().weekday())).isoformat()
    assert f"<td>{week}</td><td>1</td>" in body


@pytest.mark.django_db
def test_widgets_need_their_permission(client, make_user):
    user = make_user("support.only", roles=["support-l1"])
    client.force_login(user)
    body = client.get("/admin/").content.decode()
    assert 'data-widget="statuspage.chart_backups"' not in body
    assert 'data-widget="statuspage.upcoming"' not in body


@pytest.mark.django_db
def test_chart_widgets_run_a_constant_number_of_queries(components, django_assert_max_num_queries):
    from incidents.statuspage import dashboard
    from tests.statuspage.test_pages import _many_incidents

    _many_incidents(components, n=300)
    for context in (dashboard.mtta_mttr_context, dashboard.sla_context, dashboard.components_context,
                    dashboard.upcoming_context):
        with django_assert_max_num_queries(6):
            data = context(None)
        assert data is not None
    rows = dashboard.components_context(None)["rows"]
    assert {r[0]: r[1] for r in rows}["SP Gateway"] == 150


@pytest.mark.django_db
def test_a_broken_widget_does_not_break_the_dashboard(client, make_user, monkeypatch):
    from marketplace_ops.registry import DashboardWidget, registry

    def boom(request):
        raise RuntimeError("widget bug")

    monkeypatch.setitem(registry.dashboard_widgets, "test.broken",
                        DashboardWidget(key="test.broken", title="Broken", template="x.html", context=boom))
    client.force_login(make_user("dash.admin2", superuser=True))
    response = client.get("/admin/")
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-widget="test.broken"' in body and "could not be shown" in body
    assert 'data-widget="statuspage.chart_mtta_mttr"' in body
