"""Subscriber writes and the announcement sweep.

Subscribing is double opt-in: `subscriber_subscribe` stores the requested selection as pending
and mails a signed confirmation link; only `subscriber_confirm` makes the address receive
anything. Every email carries a signed one-click unsubscribe link (and `List-Unsubscribe`).

Why a sweep and not signals: the incidents app announces public updates with an on-commit
signal, but not openings or resolutions, and an on-commit signal is lost if the process dies
between commit and handler. The sweep (a beat task every minute) reads what is public and not
yet announced; each announcement is a row in `Announcement` with a unique key, written in the
same transaction as its outbox rows, while the `SweepCursor` row is locked — so an event is
announced exactly once, even with two workers, and a crash only delays it to the next minute.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from incidents.statuspage.choices import SubscriberStatus
from incidents.statuspage.models import Announcement, Subscriber, new_nonce
from marketplace_ops.actors import resolve_actor
from marketplace_ops.history import save_with_history
from marketplace_ops.services.audit import audit_log

logger = logging.getLogger(__name__)

CONFIRM_SALT = "statuspage.confirm"
UNSUBSCRIBE_SALT = "statuspage.unsubscribe"


# --- tokens -------------------------------------------------------------------------------

def confirm_token(subscriber) -> str:
    return signing.dumps({"s": subscriber.pk, "n": subscriber.nonce}, salt=CONFIRM_SALT, compress=True)


def unsubscribe_token(subscriber) -> str:
    return signing.dumps({"s": subscriber.pk, "n": subscriber.nonce}, salt=UNSUBSCRIBE_SALT, compress=True)


def _load(token: str, *, salt: str, max_age=None):
    try:
        data = signing.loads(token or "", salt=salt, max_age=max_age)
    except signing.SignatureExpired:
        raise ValidationError("This link has expired. Subscribe again to get a new one.", code="expired") from None
    except signing.BadSignature:
        raise ValidationError("This link is not valid. Copy the whole link from the email.", code="invalid") from None
    if not isinstance(data, dict):
        raise ValidationError("This link is not valid.", code="invalid")
    subscriber = Subscriber.objects.select_for_update().filter(pk=data.get("s")).first()
    if subscriber is None or subscriber.nonce != data.get("n"):
        raise ValidationError("This link is no longer valid (a newer email replaced it).", code="stale")
    return subscriber


def absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def unsubscribe_url(subscriber) -> str:
    return absolute(reverse("statuspage:unsubscribe", args=[unsubscribe_token(subscriber)]))


def recipient_context(subscriber) -> dict:
    """Per-recipient links and headers (RFC 2369 / RFC 8058 one-click unsubscribe)."""
    url = unsubscribe_url(subscriber)
    return {
        "unsubscribe_url": url,
        "manage_url": absolute(reverse("statuspage:index")) + "#subscribe",
        "headers": {"List-Unsubscribe": f"<{url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"},
    }


# --- subscribers --------------------------------------------------------------------------

def _clean_components(component_ids, all_components: bool) -> list[int]:
    from marketplace_ops.models import Component

    if all_components:
        return []
    try:
        ids = sorted({int(getattr(c, "pk", c)) for c in component_ids or ()})
    except (TypeError, ValueError):
        raise ValidationError({"components": "Choose components from the list."}) from None
    found = set(Component.objects.filter(pk__in=ids, is_public=True).values_list("pk", flat=True))
    if not ids:
        raise ValidationError({"components": "Choose at least one component, or all components."})
    if set(ids) - found:
        raise ValidationError({"components": "Some chosen components are not on the status page."})
    return ids


def subscriber_subscribe(*, email: str, component_ids=(), all_components: bool = True, acting_user=None) -> Subscriber:
    """Ask for a subscription: (re)send a confirmation link. The same address twice never makes
    two subscribers; a confirmed subscriber keeps their current selection until the new one
    is confirmed (so nobody can change another person's subscription)."""
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError({"email": "Enter a valid email address."}) from None
    ids = _clean_components(component_ids, all_components)
    actor = resolve_actor(acting_user)
    now = timezone.now()
    for _attempt in range(2):
        try:
            with transaction.atomic():
                subscriber = Subscriber.objects.select_for_update().filter(email=email).first()
                created = subscriber is None
                if created:
                    subscriber = Subscriber(email=email)
                elif subscriber.status == SubscriberStatus.UNSUBSCRIBED:
                    subscriber.status = SubscriberStatus.PENDING
                    subscriber.nonce = new_nonce()
                subscriber.pending_all_components = all_components
                subscriber.pending_component_ids = ids
                subscriber.confirmation_sent_at = now
                save_with_history(subscriber, acting_user=actor, reason="Subscription requested")
                _send_confirmation(subscriber, actor)
                audit_log(event_type="statuspage.subscribe_requested", action="create" if created else "update",
                          acting_user=actor, resource=subscriber)
            return subscriber
        except IntegrityError:  # two requests for a new address at once: the second updates
            continue
    raise ValidationError({"email": "Please try again."})


def _send_confirmation(subscriber, actor):
    from marketplace_ops.services.notifications import notify

    url = absolute(reverse("statuspage:confirm", args=[confirm_token(subscriber)]))
    notify(event="statuspage.confirm", recipients=[subscriber.email], acting_user=actor, resource=subscriber,
           context={"confirm_url": url, "subscriber": subscriber,
                    "max_age_hours": settings.STATUSPAGE_CONFIRM_MAX_AGE_HOURS,
                    "component_names": _names(subscriber.pending_component_ids)})


def _names(ids) -> list[str]:
    from marketplace_ops.models import Component

    if not ids:
        return []
    return list(Component.objects.filter(pk__in=ids, is_public=True).order_by("display_order", "name")
                .values_list("name", flat=True))


def subscriber_confirm(*, token: str, acting_user=None) -> Subscriber:
    """Apply the pending selection; a second click on the same link changes nothing."""
    actor = resolve_actor(acting_user)
    with transaction.atomic():
        subscriber = _load(token, salt=CONFIRM_SALT, max_age=settings.STATUSPAGE_CONFIRM_MAX_AGE_HOURS * 3600)
        if subscriber.status == SubscriberStatus.UNSUBSCRIBED:
            raise ValidationError("You unsubscribed after this link was sent. Subscribe again to get a new one.",
                                  code="unsubscribed")
        subscriber.status = SubscriberStatus.CONFIRMED
        subscriber.confirmed_at = subscriber.confirmed_at or timezone.now()
        subscriber.all_components = subscriber.pending_all_components
        save_with_history(subscriber, acting_user=actor, reason="Subscription confirmed")
        ids = _clean_ids_still_public(subscriber.pending_component_ids)
        subscriber.components.set([] if subscriber.all_components else ids)
        audit_log(event_type="statuspage.subscribe_confirmed", action="update", acting_user=actor, resource=subscriber)
    return subscriber


def _clean_ids_still_public(ids):
    from marketplace_ops.models import Component

    return list(Component.objects.filter(pk__in=ids or [], is_public=True).values_list("pk", flat=True))


def subscriber_unsubscribe(*, token: str, acting_user=None) -> Subscriber:
    """One click: the address receives nothing more (idempotent)."""
    actor = resolve_actor(acting_user)
    with transaction.atomic():
        subscriber = _load(token, salt=UNSUBSCRIBE_SALT)
        if subscriber.status != SubscriberStatus.UNSUBSCRIBED:
            _unsubscribe(subscriber, actor, reason="Unsubscribed by link")
    return subscriber


def subscriber_remove(*, subscriber, acting_user, reason: str = "Unsubscribed by staff") -> Subscriber:
    with transaction.atomic():
        subscriber = Subscriber.objects.select_for_update().get(pk=subscriber.pk)
        if subscriber.status != SubscriberStatus.UNSUBSCRIBED:
            _unsubscribe(subscriber, resolve_actor(acting_user), reason=reason)
    return subscriber


def _unsubscribe(subscriber, actor, *, reason):
    subscriber.status = SubscriberStatus.UNSUBSCRIBED
    subscriber.unsubscribed_at = timezone.now()
    save_with_history(subscriber, acting_user=actor, reason=reason)
    audit_log(event_type="statuspage.unsubscribed", action="update", acting_user=actor, resource=subscriber,
              details={"reason": reason})


def subscribers_for(component_ids) -> list[Subscriber]:
    """Confirmed subscribers of all components, or of any of these."""
    from django.db.models import Q

    qs = Subscriber.objects.filter(status=SubscriberStatus.CONFIRMED)
    qs = qs.filter(Q(all_components=True) | Q(components__in=list(component_ids))).distinct()
    return list(qs.order_by("id"))


def announce(*, key: str, kind: str, subject_key: str, component_ids, context: dict, payload=None) -> Announcement | None:
    """Write the ledger row and the subscribers' outbox rows (caller's transaction); None if
    this key was announced already."""
    from marketplace_ops.actors import system_user
    from marketplace_ops.services.notifications import notify

    if Announcement.objects.filter(key=key).exists():
        return None
    recipients = subscribers_for(component_ids)
    by_address = {s.email: s for s in recipients}
    rows = []
    with transaction.atomic():
        announcement = Announcement.objects.create(key=key, kind=kind, subject_key=subject_key, payload=payload or {})
        if recipients:
            rows = notify(
                event=f"statuspage.{kind}", recipients=list(by_address), context=context, acting_user=system_user(),
                per_recipient_context=lambda r: recipient_context(by_address[r.address.lower()]),
            )
        announcement.recipient_count = len(rows)
        announcement.save(update_fields=["recipient_count"])
    return announcement


def sweep_window(cursor, now):
    """Where the sweep looks: back to the last sweep minus a margin (late commits), never
    before the status page was switched on."""
    lookback = timedelta(minutes=settings.STATUSPAGE_SWEEP_LOOKBACK_MINUTES)
    return max(cursor.started_at, cursor.swept_at - lookback)


def announcements_sweep(*, now=None) -> int:
    from incidents.statuspage.announcements import run_sweep

    return run_sweep(now=now or timezone.now())
