"""Staff dashboard widgets of this app: the charts (MTTA/MTTR per week, SLA compliance per
severity per month, incidents per component, backup age vs RPO) and the next 14 days of
deployments and maintenance. Each chart widget gives `svg` and a text-alternative `table`."""

from datetime import UTC, date, datetime, time, timedelta

from django.apps import apps
from django.utils import timezone

from incidents.statuspage import charts
from marketplace_ops.registry import DashboardWidget

WEEKS = 12
MONTHS = 6
COMPONENT_DAYS = 90
SEVERITIES = ("critical", "high", "medium", "low")


def _minutes(delta) -> float | None:
    return round(delta.total_seconds() / 60, 1) if delta is not None else None


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def mtta_mttr_context(request=None, *, now=None) -> dict:
    from incidents.selectors import mtta_mttr_per_week

    now = now or timezone.now()
    first = _monday(now.astimezone(UTC).date()) - timedelta(weeks=WEEKS - 1)
    rows = {r["week"]: r for r in mtta_mttr_per_week(start=_midnight(first), end=now)}
    weeks = [first + timedelta(weeks=i) for i in range(WEEKS)]
    table = []
    for week in weeks:
        r = rows.get(week, {})
        table.append({"week": week, "incidents": r.get("incidents", 0), "mtta": _minutes(r.get("mtta")),
                      "mttr": _minutes(r.get("mttr"))})
    labels = [w.strftime("%d %b") for w in weeks]
    svg = charts.line_chart(
        chart_id="chart-mtta-mttr", title="MTTA and MTTR per week, minutes (last 12 weeks)", labels=labels,
        series=[("MTTA", [r["mtta"] for r in table]), ("MTTR", [r["mttr"] for r in table])], unit=" min")
    return {"svg": svg, "columns": ["Week of", "Incidents", "MTTA (min)", "MTTR (min)"],
            "rows": [[r["week"].isoformat(), r["incidents"], _dash(r["mtta"]), _dash(r["mttr"])] for r in table],
            "caption": "Mean time to acknowledge and to resolve, by week of detection"}


def _dash(value):
    return "—" if value is None else value


def _month_starts(now, n) -> list[date]:
    d = now.astimezone(UTC).date().replace(day=1)
    out = [d]
    for _ in range(n - 1):
        d = (d - timedelta(days=1)).replace(day=1)
        out.append(d)
    return list(reversed(out))


def sla_context(request=None, *, now=None) -> dict:
    from incidents.selectors import sla_compliance

    now = now or timezone.now()
    months = _month_starts(now, MONTHS)
    data = {(r["month"], r["severity"]): r for r in sla_compliance(start=_midnight(months[0]), end=now, now=now)}
    labels = [m.strftime("%b %Y") for m in months]
    series = [(s.capitalize(), [data.get((m, s), {}).get("resolution_pct") for m in months]) for s in SEVERITIES]
    svg = charts.grouped_bar_chart(chart_id="chart-sla", title="Resolution SLA met, % per severity per month",
                                   labels=labels, series=series, unit="%", top=100.0)
    rows = []
    for m in months:
        for s in SEVERITIES:
            r = data.get((m, s))
            if r:
                rows.append([m.strftime("%Y-%m"), s, r["incidents"], _pct(r["response_pct"]), _pct(r["resolution_pct"])])
    return {"svg": svg, "columns": ["Month", "Severity", "Incidents", "Response met", "Resolution met"], "rows": rows,
            "caption": "SLA compliance per severity per month (incidents whose clock has finished)"}


def _pct(value):
    return "—" if value is None else f"{value}%"


def components_context(request=None, *, now=None) -> dict:
    from incidents.selectors import incidents_per_component

    now = now or timezone.now()
    rows = incidents_per_component(start=now - timedelta(days=COMPONENT_DAYS), end=now)
    svg = charts.hbar_chart(chart_id="chart-components", title=f"Incidents per component, last {COMPONENT_DAYS} days",
                            rows=[(r["name"], r["incidents"]) for r in rows])
    return {"svg": svg, "columns": ["Component", "Incidents", "Critical", "High"],
            "rows": [[r["name"], r["incidents"], r["critical"], r["high"]] for r in rows],
            "caption": f"Incidents per component detected in the last {COMPONENT_DAYS} days"}


def backups_context(request=None, *, now=None) -> dict | None:
    if not apps.is_installed("backups"):
        return None
    from backups.selectors import objectives_board

    board = objectives_board(now=now)
    rows = [{"label": r["component"].name, "value": r["age"].total_seconds() if r["age"] is not None else None,
             "limit": r["rpo"].total_seconds() if r["rpo"] else None, "state": r["rpo_state"],
             "value_text": r["age_text"], "limit_text": r["rpo_text"]} for r in board]
    svg = charts.threshold_chart(chart_id="chart-backups", title="Newest good backup age as % of the RPO", rows=rows)
    return {"svg": svg, "columns": ["Component", "Newest good backup age", "RPO", "State"],
            "rows": [[r["component"].name, r["age_text"] if r["age"] is not None else "no good backup",
                      r["rpo_text"], r["rpo_state"]] for r in board],
            "caption": "Backup age against the recovery point objective, per component"}


def upcoming_context(request=None, *, now=None) -> dict | None:
    if not apps.is_installed("releases"):
        return None
    from marketplace_ops.models import Component
    from releases.services import upcoming_maintenance

    now = now or timezone.now()
    items = upcoming_maintenance(start=now, end=now + timedelta(days=14), public_only=False)
    names = dict(Component.objects.values_list("id", "name"))
    for item in items:
        item["component_names"] = [names.get(i, f"#{i}") for i in item["component_ids"]]
        item["admin_url"] = _admin_url(item)
        item["in_progress"] = item["starts_at"] <= now < item["ends_at"]
    return {"items": items}


def _admin_url(item) -> str:
    from django.urls import NoReverseMatch, reverse

    name = {"release": "admin:releases_release_change", "change": "admin:releases_changerequest_change"}.get(item["kind"])
    try:
        return reverse(name, args=[item["id"]]) if name else ""
    except NoReverseMatch:
        return ""


CHART = "statuspage/widgets/chart.html"


def register_widgets(registry):
    registry.register_widget(DashboardWidget(
        key="statuspage.upcoming", title="Deployments and maintenance, next 14 days",
        template="statuspage/widgets/upcoming.html", context=upcoming_context, order=30,
        permission="releases.view_release"))
    registry.register_widget(DashboardWidget(
        key="statuspage.chart_mtta_mttr", title="MTTA and MTTR per week", template=CHART,
        context=mtta_mttr_context, order=60, permission="incidents.view_incident"))
    registry.register_widget(DashboardWidget(
        key="statuspage.chart_sla", title="SLA compliance per severity", template=CHART,
        context=sla_context, order=61, permission="incidents.view_incident"))
    registry.register_widget(DashboardWidget(
        key="statuspage.chart_components", title="Incidents per component", template=CHART,
        context=components_context, order=62, permission="incidents.view_incident"))
    registry.register_widget(DashboardWidget(
        key="statuspage.chart_backups", title="Backup age vs RPO", template=CHART,
        context=backups_context, order=63, permission="backups.view_recoveryobjective"))
