"""The approval page behind the emailed link, and the change-calendar ICS feed."""

from datetime import timedelta

from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from releases import selectors
from releases.forms import ApprovalDecisionForm
from releases.gates import deploy_gate
from releases.links import read_approval_token
from releases.models import Release
from releases.rendering import render_markdown
from releases.services import release_approve
from releases.services.calendar import calendar_feed_user


def _refused(request, title: str, message: str, status: int):
    return render(request, "releases/approval_refused.html", {"title": title, "message": message}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def approval_page(request, token: str):
    try:
        link = read_approval_token(token)
    except signing.SignatureExpired:
        return _refused(request, "This approval link has expired",
                        "Approval links expire. Open the release in the admin, or ask for a new link.", 410)
    except signing.BadSignature:
        return _refused(request, "This approval link is not valid",
                        "The link is damaged or was altered. Use the link from the email exactly as sent.", 400)
    if link.user_id != request.user.pk:
        return _refused(request, "This approval link is for someone else",
                        f"You are signed in as {request.user.get_username()}, but this link was sent to another "
                        "approver. Sign in as them, or use your own email.", 403)
    release = (Release.objects.select_related("component", "created_by", "maintenance_window", "maintenance_policy")
               .prefetch_related("changes", "approvals__approver", "signoffs__signed_by").filter(pk=link.release_id)
               .first())
    if release is None:
        return _refused(request, "This release no longer exists", "The release was deleted.", 404)
    if link.round != release.approval_round:
        return _refused(request, "This approval link was replaced",
                        "The release was edited after this email was sent, so its approvals were revoked. "
                        "A newer email has a fresh link.", 409)
    existing = next((a for a in release.active_approvals() if a.role == link.role), None)
    if (existing is not None and existing.decision == "approved") or release.status != "planned":
        if existing is not None and existing.approver_id == request.user.pk:
            title, state = "This approval link was already used", f"you approved it for {link.role}"
        elif existing is not None and existing.decision == "approved":
            title, state = "No decision needed any more", f"{existing.approver} approved it for {link.role}"
        else:
            title, state = "No decision needed any more", f"the release is {release.get_status_display().lower()}"
        return _refused(request, title, f"Nothing left to decide: {state}.", 409)

    form = ApprovalDecisionForm(request.POST or None)
    decided = None
    if request.method == "POST" and form.is_valid():
        try:
            decided = release_approve(
                release=release, role=link.role, acting_user=request.user,
                approved=form.cleaned_data["decision"] == "approve", comment=form.cleaned_data["comment"],
                acknowledge_conflict=form.cleaned_data["acknowledge_conflict"], approval_round=link.round,
            )
        except ValidationError as exc:
            for field, messages in (exc.message_dict.items() if hasattr(exc, "error_dict") else [(None, exc.messages)]):
                target = field if field in form.fields else None
                for message in messages:
                    form.add_error(target, message)
        else:
            release.refresh_from_db()
    context = {
        "release": release, "role": link.role, "form": form, "decided": decided,
        "approvals": [a for a in release.approvals.all() if a.revoked_at is None],
        "notes_html": render_markdown(release.release_notes),
        "conflicts": selectors.release_conflicts(release),
        "gate": deploy_gate(release) if release.status == "approved" else None,
    }
    return render(request, "releases/approval_page.html", context, status=200)


def calendar_feed(request):
    """ICS of windows, freezes, releases and changes for the next ~3 months; token in ?token=."""
    from releases.calendar_view import build_ics

    user = calendar_feed_user(request.GET.get("token", ""))
    if user is None:
        return HttpResponse("Unknown or revoked calendar feed token.", status=403, content_type="text/plain")
    now = timezone.now()
    body = build_ics(now - timedelta(days=7), now + timedelta(days=90))
    return HttpResponse(body, content_type="text/calendar; charset=utf-8")
