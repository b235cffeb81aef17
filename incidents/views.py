"""The few non-admin pages: the post-incident review page and its Markdown export."""

from django.contrib.admin.views.decorators import staff_member_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render

from incidents.models import Incident
from incidents.postmortem_export import review_context, review_markdown


def _incident(request, pk):
    if not request.user.has_perm("incidents.view_incident"):
        raise PermissionDenied
    return get_object_or_404(Incident.objects.select_related("commander", "assignee"), pk=pk)


@staff_member_required
def postmortem_page(request, pk):
    incident = _incident(request, pk)
    return render(request, "incidents/postmortem.html", {**review_context(incident), "title": f"Review of INC-{pk}"})


@staff_member_required
def postmortem_markdown(request, pk):
    incident = _incident(request, pk)
    response = HttpResponse(review_markdown(incident), content_type="text/markdown; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="INC-{pk}-review.md"'
    return response
