"""Realistic Alertmanager webhook payloads (version 4), as Alertmanager 0.27 sends them."""

import copy


def alert(name="GatewayHighErrorRate", *, status="firing", fingerprint="3d9a1f0c2b7e4a51", component="api-gateway",
          severity="critical", summary="Gateway 5xx rate above 5%", label_key="component"):
    labels = {"alertname": name, "severity": severity, "instance": "gw-1:9100", "job": "gateway"}
    if component is not None:
        labels[label_key] = component
    return {
        "status": status,
        "labels": labels,
        "annotations": {"summary": summary, "description": "5xx ratio 0.34 over 5m", "runbook_url": "https://runbooks.example/gw"},
        "startsAt": "2026-03-04T10:00:00.000Z",
        "endsAt": "2026-03-04T10:25:00.000Z" if status == "resolved" else "0001-01-01T00:00:00Z",
        "generatorURL": "http://prometheus:9090/graph?g0.expr=rate%28http_5xx%5B5m%5D%29",
        "fingerprint": fingerprint,
    }


def payload(*alerts, group_key='{}/{severity="critical"}:{alertname="GatewayHighErrorRate"}', status=None):
    alerts = list(alerts) or [alert()]
    status = status or ("firing" if any(a["status"] == "firing" for a in alerts) else "resolved")
    return copy.deepcopy({
        "version": "4",
        "groupKey": group_key,
        "truncatedAlerts": 0,
        "status": status,
        "receiver": "marketplace-ops",
        "groupLabels": {"alertname": alerts[0]["labels"]["alertname"]},
        "commonLabels": {"job": "gateway"},
        "commonAnnotations": {},
        "externalURL": "http://alertmanager:9093",
        "alerts": alerts,
        "someFutureField": {"ignored": True},
    })
