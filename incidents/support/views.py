"""The public support portal: open a ticket, follow it through the private link, read the
public knowledge base. No login; CSRF on every form; rate-limited per client IP."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from incidents.support import ratelimit
from incidents.support.choices import Channel
from incidents.support.forms import PortalTicketForm, RequesterReplyForm, ResendLinkForm
from incidents.support.models import KnowledgeArticle
from incidents.support.selectors import (
    public_articles,
    public_messages,
    render_markdown,
    ticket_by_access_token,
)
from incidents.support.services import ticket_create, ticket_requester_reply, ticket_resend_links

TOO_MANY = "Too many requests from your address; please wait a while and try again. Nothing was lost: your text is below."


def _client(request) -> str:
    return getattr(request, "client_ip", None) or request.META.get("REMOTE_ADDR") or "unknown"


def _form_errors(form, exc: ValidationError):
    if hasattr(exc, "error_dict"):
        mapping = {"requester_name": "name", "requester_email": "email", "requester_organisation": "organisation"}
        for field, errors in exc.message_dict.items():
            name = mapping.get(field, field)
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@require_http_methods(["GET", "POST"])
def portal_new(request):
    form = PortalTicketForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST" and form.is_valid():
        if not ratelimit.hit(f"new:{_client(request)}", limit=settings.SUPPORT_PORTAL_RATE_LIMIT,
                             window=settings.SUPPORT_RATE_WINDOW_SECONDS):
            form.add_error(None, TOO_MANY)
            status = 429
        else:
            data = form.cleaned_data
            try:
                ticket_create(
                    requester_name=data["name"], requester_email=data["email"],
                    requester_organisation=data["organisation"], subject=data["subject"],
                    description=data["description"], severity=data["severity"], channel=Channel.PORTAL,
                    acting_user=None,
                )
            except ValidationError as exc:
                _form_errors(form, exc)
                status = 400
            else:
                request.session["support_submitted_email"] = data["email"]
                return redirect("support:submitted")
    elif request.method == "POST":
        status = 400
    return render(request, "support/portal/new.html", {"form": form, "articles": public_articles()[:10]},
                  status=status)


def portal_submitted(request):
    return render(request, "support/portal/submitted.html", {"email": request.session.get("support_submitted_email")})


@require_http_methods(["GET", "POST"])
def portal_ticket(request, token):
    ticket = ticket_by_access_token(token)
    if ticket is None:
        raise Http404("No ticket behind this link.")
    form = RequesterReplyForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST" and form.is_valid():
        if not ratelimit.hit(f"reply:{_client(request)}", limit=settings.SUPPORT_REPLY_RATE_LIMIT,
                             window=settings.SUPPORT_RATE_WINDOW_SECONDS):
            form.add_error(None, TOO_MANY)
            status = 429
        else:
            try:
                ticket_requester_reply(ticket=ticket, body=form.cleaned_data["body"], acting_user=None)
            except ValidationError as exc:
                _form_errors(form, exc)
                status = 400
            else:
                return redirect("support:ticket", token=token)
    elif request.method == "POST":
        status = 400
    ticket.refresh_from_db()
    article = ticket.knowledge_article
    context = {
        "ticket": ticket,
        "messages_list": public_messages(ticket),
        "form": form,
        "article": article,
        "article_html": render_markdown(article.body) if article and article.is_public else None,
    }
    response = render(request, "support/portal/ticket.html", context, status=status)
    response["Referrer-Policy"] = "no-referrer"  # the link is the credential; never leak it
    response["X-Robots-Tag"] = "noindex"
    return response


@require_http_methods(["GET", "POST"])
def portal_resend(request):
    """Lost the link? Links go only to the address on the tickets, and the answer is the same
    whether or not that address has tickets (no way to probe who wrote to support)."""
    form = ResendLinkForm(request.POST if request.method == "POST" else None)
    status, sent = 200, False
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"].lower()
        window = settings.SUPPORT_RATE_WINDOW_SECONDS
        if not (ratelimit.hit(f"resend:{_client(request)}", limit=settings.SUPPORT_PORTAL_RATE_LIMIT, window=window)
                and ratelimit.hit(f"resend-to:{email}", limit=3, window=window)):
            form.add_error(None, TOO_MANY)
            status = 429
        else:
            ticket_resend_links(email=email, acting_user=None)
            sent = True
    elif request.method == "POST":
        status = 400
    return render(request, "support/portal/resend.html", {"form": form, "sent": sent}, status=status)


def kb_list(request):
    return render(request, "support/portal/kb_list.html", {"articles": public_articles().order_by("kind", "title")})


def kb_article(request, slug):
    article = KnowledgeArticle.objects.filter(slug=slug, is_published=True).prefetch_related("components").first()
    staff_may_read = request.user.is_authenticated and request.user.has_perm("support.view_knowledgearticle")
    if article is None or not (article.is_public or staff_may_read):
        raise Http404("No such article.")
    return render(request, "support/portal/article.html", {"article": article, "html": render_markdown(article.body)})
