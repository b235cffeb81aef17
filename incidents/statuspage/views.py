"""Public status pages (no login). Each page is rendered, then served with a short
Cache-Control and a content ETag (a matching If-None-Match gets 304)."""

import hashlib

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from incidents.statuspage import feeds, selectors, services
from incidents.statuspage.charts import uptime_bar
from incidents.statuspage.choices import COLOURS, NO_DATA_COLOUR, label
from incidents.statuspage.forms import SubscribeForm
from marketplace_ops.actors import client_ip


def _cacheable(request, response):
    """Public, short-lived, validated by a strong ETag of the body."""
    etag = '"' + hashlib.sha256(response.content).hexdigest()[:32] + '"'
    patch_cache_control(response, public=True, max_age=settings.STATUSPAGE_CACHE_SECONDS)
    response["ETag"] = etag
    response.headers.setdefault("Vary", "Accept-Encoding")
    inm = request.headers.get("If-None-Match", "")
    if etag in [t.strip() for t in inm.split(",")] or inm.strip() == "*":
        not_modified = HttpResponse(status=304)
        for header in ("ETag", "Cache-Control", "Vary"):
            not_modified[header] = response[header]
        return not_modified
    return response


def _private(response):
    patch_cache_control(response, private=True, no_store=True)
    return response


def _labels():
    return {k: label(k) for k in COLOURS}


def _status_context(form=None):
    overview = selectors.status_overview()
    labels = _labels()
    for state in overview["components"]:
        state.bar = uptime_bar(
            chart_id=f"uptime-{state.component.slug}",
            title=f"{state.component.name}: {state.uptime_text} uptime over {overview['uptime_days']} days",
            days=state.days, colours=COLOURS, no_data=NO_DATA_COLOUR, labels=labels)
    components = [s.component for s in overview["components"]]
    return {**overview, "form": form or SubscribeForm(components=components), "colours": COLOURS,
            "legend": [(labels[k], v) for k, v in COLOURS.items()]}


@require_GET
def status_index(request):
    response = render(request, "statuspage/index.html", _status_context())
    return _cacheable(request, response)


@require_GET
def incident_detail(request, incident_id: int):
    incident = selectors.public_incident(incident_id)
    if incident is None:
        raise Http404("No such public incident.")
    response = render(request, "statuspage/incident.html", {
        "incident": incident, "is_open": incident.status in selectors.open_statuses(),
        "impact": label(selectors.impact_of(incident))})
    return _cacheable(request, response)


@require_GET
def history(request):
    try:
        page = int(request.GET.get("page", "1"))
    except ValueError:
        page = 1
    page = min(max(page, 1), 1000)
    data = selectors.history_by_month(months=settings.STATUSPAGE_HISTORY_MONTHS, page=page)
    response = render(request, "statuspage/history.html", data)
    return _cacheable(request, response)


@require_GET
def feed_atom(request):
    response = HttpResponse(feeds.atom_feed(), content_type="application/atom+xml; charset=utf-8")
    return _cacheable(request, response)


@require_GET
def maintenance_ics(request):
    response = HttpResponse(feeds.maintenance_calendar(), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="maintenance.ics"'
    return _cacheable(request, response)


@csrf_exempt  # the page is public and cached: a forged request can only make us mail a confirmation link
@require_http_methods(["GET", "POST"])
def subscribe(request):
    if request.method == "GET":
        return redirect(reverse("statuspage:index") + "#subscribe")
    components = selectors.public_components()
    form = SubscribeForm(request.POST, components=components, client_ip=client_ip(request) or "")
    if not form.is_valid():
        status = 429 if form.has_error(NON_FIELD_ERRORS, "rate_limited") else 400
        return _private(render(request, "statuspage/index.html", _status_context(form=form), status=status))
    data = form.cleaned_data
    try:
        services.subscriber_subscribe(
            email=data["email"], all_components=data["scope"] == "all",
            component_ids=[int(i) for i in data.get("components") or []])
    except ValidationError as exc:
        for field, errors in getattr(exc, "message_dict", {"__all__": exc.messages}).items():
            for error in errors:
                form.add_error(field if field in form.fields else None, error)
        return _private(render(request, "statuspage/index.html", _status_context(form=form), status=400))
    # The same answer whether or not the address was known (no address enumeration).
    return _private(render(request, "statuspage/message.html", {
        "title": "Check your inbox",
        "message": f"If {data['email']} can receive mail, a confirmation link is on its way. "
                   "Nothing is sent to this address until you click it."}))


@require_http_methods(["GET", "POST"])
def confirm(request, token: str):
    if request.method == "GET":
        # Mail scanners follow links: confirming takes a button press, so only a person confirms.
        return _private(render(request, "statuspage/confirm.html", {"token": token}))
    try:
        subscriber = services.subscriber_confirm(token=token)
    except ValidationError as exc:
        return _private(render(request, "statuspage/message.html",
                               {"title": "Link not valid", "message": " ".join(exc.messages)}, status=400))
    return _private(render(request, "statuspage/message.html", {
        "title": "Subscription confirmed",
        "message": f"{subscriber.email} will receive status updates. Every email has a one-click unsubscribe link.",
    }))


@csrf_exempt  # RFC 8058 one-click: mail clients POST without a CSRF token; the signed token is the proof
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token: str):
    if request.method == "GET":
        # Link scanners follow GET links: show one button instead of unsubscribing on GET.
        return _private(render(request, "statuspage/unsubscribe.html", {"token": token}))
    try:
        subscriber = services.subscriber_unsubscribe(token=token)
    except ValidationError as exc:
        return _private(render(request, "statuspage/message.html",
                               {"title": "Link not valid", "message": " ".join(exc.messages)}, status=400))
    return _private(render(request, "statuspage/message.html", {
        "title": "Unsubscribed", "message": f"{subscriber.email} will receive no more status emails."}))
