"""The outbox. `notify(...)` renders and writes rows in the caller's transaction and enqueues
delivery on commit; `deliver(...)` sends claimed rows once; `sweep_pending()` re-enqueues what
was left (e.g. the broker was down at commit)."""

import logging
import smtplib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.module_loading import import_string

from marketplace_ops.actors import resolve_actor
from marketplace_ops.choices import NotificationChannel, NotificationStatus
from marketplace_ops.models import DistributionList, Notification
from marketplace_ops.registry import registry

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
ENQUEUE_GRACE = timedelta(seconds=90)  # the sweep leaves fresh rows to the on-commit enqueue
STALE_CLAIM = timedelta(minutes=15)
SWEEP_LIMIT = 5000
DELIVERY_ERRORS = (smtplib.SMTPException, OSError, TimeoutError)


class UnknownEventType(ValueError):
    pass


@dataclass(frozen=True)
class Recipient:
    address: str
    user: object | None = None
    distribution_list: DistributionList | None = None


def backoff(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min … capped at 1 h."""
    return timedelta(seconds=min(30 * 2 ** max(attempts - 1, 0), 3600))


def resolve_recipients(recipients: Iterable, *, channel: str = NotificationChannel.EMAIL) -> list[Recipient]:
    """Users, addresses, groups and distribution lists → unique recipients (first one wins)."""
    seen: dict[str, Recipient] = {}
    user_only: dict[int, Recipient] = {}

    def add(address, user=None, dlist=None):
        address = (address or "").strip()
        if channel == NotificationChannel.IN_APP:
            if user is not None and user.pk not in user_only:
                user_only[user.pk] = Recipient(address=address, user=user, distribution_list=dlist)
            return
        if not address:
            return
        key = address.lower()
        if key not in seen:
            seen[key] = Recipient(address=address, user=user, distribution_list=dlist)

    for item in recipients:
        if item is None:
            continue
        if isinstance(item, str):
            add(item)
        elif isinstance(item, DistributionList):
            members = item.members.select_related("user").order_by("id")
            for member in members.iterator(chunk_size=2000):
                if member.user_id and not member.user.is_active:
                    continue
                add(member.email or member.user.email if member.user_id else member.email, member.user, item)
        elif isinstance(item, Group):
            for user in item.user_set.filter(is_active=True).order_by("id").iterator(chunk_size=2000):
                add(_address_for(user, channel), user)
        elif hasattr(item, "get_username"):
            add(_address_for(item, channel), item)
        else:
            raise TypeError(f"Cannot notify {item!r}: give users, addresses, groups or distribution lists.")
    return list(seen.values()) + list(user_only.values())


def _address_for(user, channel):
    if channel == NotificationChannel.SMS:
        return getattr(getattr(user, "ops_profile", None), "phone", "") or ""
    return user.email


def subscribed_lists(*, event: str, components: Iterable = ()) -> list[DistributionList]:
    """Active lists that receive `event` for any of `components` (lists with no components get all)."""
    component_ids = {getattr(c, "pk", c) for c in components}
    lists = DistributionList.objects.filter(is_active=True).prefetch_related("components")
    chosen = []
    for dlist in lists:
        if not dlist.wants(event):
            continue
        own = {c.pk for c in dlist.components.all()}
        if not own or not component_ids or own & component_ids:
            chosen.append(dlist)
    return chosen


def _templates(event: str) -> tuple[str, str, str]:
    if event not in registry.event_types:
        raise UnknownEventType(f"Unknown notification event '{event}'; register it in the app's ready().")
    app, name = event.split(".", 1)
    base = f"{app}/email/{name}"
    return f"{base}.subject.txt", f"{base}.txt", f"{base}.html"


def render(event: str, context: dict) -> tuple[str, str, str]:
    subject_t, text_t, html_t = _templates(event)
    ctx = {"site_url": settings.SITE_URL, **context}
    subject = " ".join(render_to_string(subject_t, ctx).split())[:300]
    text = render_to_string(text_t, ctx)
    try:
        html = render_to_string(html_t, ctx)
    except Exception as exc:  # an HTML part is optional
        if exc.__class__.__name__ != "TemplateDoesNotExist":
            raise
        html = ""
    return subject, text, html


def notify(
    *,
    event: str,
    recipients: Iterable,
    context: dict,
    acting_user=None,
    channel: str = NotificationChannel.EMAIL,
    resource=None,
    link: str = "",
    headers: dict | None = None,
    per_recipient_context: Callable[[Recipient], dict] | None = None,
) -> list[Notification]:
    """Write one outbox row per recipient in the caller's transaction; deliver after commit."""
    resolved = resolve_recipients(recipients, channel=channel)
    if not resolved:
        return []
    now = timezone.now()
    creator = resolve_actor(acting_user)
    shared = None if per_recipient_context else render(event, context)
    rows = []
    for recipient in resolved:
        if per_recipient_context:
            extra = per_recipient_context(recipient)
            subject, text, html = render(event, {**context, **extra, "recipient": recipient})
            row_headers = {**(headers or {}), **extra.get("headers", {})}
        else:
            subject, text, html = shared
            row_headers = headers or {}
        in_app = channel == NotificationChannel.IN_APP
        rows.append(
            Notification(
                event=event,
                channel=channel,
                recipient_user=recipient.user,
                recipient_address=recipient.address,
                distribution_list=recipient.distribution_list,
                subject=subject,
                body_text=text,
                body_html=html,
                headers=row_headers,
                link=link,
                resource_type=resource._meta.label if resource is not None else "",
                resource_id=str(resource.pk) if resource is not None else "",
                status=NotificationStatus.SENT if in_app else NotificationStatus.PENDING,
                sent_at=now if in_app else None,
                next_attempt_at=None if in_app else now + ENQUEUE_GRACE,
                created_by=creator,
            )
        )
    with transaction.atomic():
        created = Notification.objects.bulk_create(rows, batch_size=1000)
        ids = [row.pk for row in created if row.status == NotificationStatus.PENDING]
        if ids:
            transaction.on_commit(lambda: enqueue_delivery(ids))
    return created


def enqueue_delivery(ids: list[int]) -> None:
    """Send batches to Celery; if the broker is down, leave rows due for the sweep."""
    from marketplace_ops.tasks import deliver_notifications

    size = settings.NOTIFICATION_BATCH_SIZE
    for start in range(0, len(ids), size):
        batch = ids[start : start + size]
        try:
            deliver_notifications.delay(batch)
        except Exception as exc:  # broker unreachable: the sweep delivers later
            logger.warning("Could not enqueue %d notifications (%s); the sweep will retry.", len(batch), exc)
            Notification.objects.filter(id__in=batch, status=NotificationStatus.PENDING).update(
                next_attempt_at=timezone.now()
            )


def _claim(ids: list[int]) -> list[Notification]:
    now = timezone.now()
    with transaction.atomic():
        rows = list(
            Notification.objects.select_for_update(skip_locked=True)
            .filter(id__in=ids, status=NotificationStatus.PENDING)
            .order_by("id")
        )
        if rows:
            Notification.objects.filter(id__in=[r.id for r in rows]).update(
                status=NotificationStatus.SENDING, claimed_at=now
            )
    return rows


def _record_failure(row: Notification, error: Exception) -> bool:
    """Back to pending with a backoff, or failed for good. Returns True if it will be retried."""
    attempts = row.attempts + 1
    retry = attempts < MAX_ATTEMPTS
    Notification.objects.filter(id=row.id, status=NotificationStatus.SENDING).update(
        status=NotificationStatus.PENDING if retry else NotificationStatus.FAILED,
        attempts=attempts,
        last_error=f"{error.__class__.__name__}: {error}"[:2000],
        next_attempt_at=timezone.now() + backoff(attempts) + ENQUEUE_GRACE if retry else None,
        claimed_at=None,
    )
    return retry


def _mark_sent(row: Notification):
    Notification.objects.filter(id=row.id, status=NotificationStatus.SENDING).update(
        status=NotificationStatus.SENT, attempts=row.attempts + 1, sent_at=timezone.now(), last_error=""
    )


def _email_message(row: Notification, connection) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject=row.subject,
        body=row.body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[row.recipient_address],
        headers={"X-Marketplace-Ops-Notification": str(row.id), **(row.headers or {})},
        connection=connection,
    )
    if row.body_html:
        message.attach_alternative(row.body_html, "text/html")
    return message


def deliver(ids: list[int]) -> tuple[list[int], list[int]]:
    """Send the given rows that are still pending, over one SMTP connection.

    Returns (sent ids, ids to retry). A row marked sent is never sent again.
    """
    rows = _claim(ids)
    sent, retry = [], []
    emails = [r for r in rows if r.channel == NotificationChannel.EMAIL]
    others = [r for r in rows if r.channel != NotificationChannel.EMAIL]
    if emails:
        connection = get_connection(fail_silently=False)
        try:
            connection.open()
        except DELIVERY_ERRORS as exc:
            retry.extend(row.id for row in emails if _record_failure(row, exc))
            emails = []
        try:
            for row in emails:
                try:
                    _email_message(row, connection).send()
                except DELIVERY_ERRORS as exc:
                    if _record_failure(row, exc):
                        retry.append(row.id)
                    continue
                _mark_sent(row)
                sent.append(row.id)
        finally:
            try:
                connection.close()
            except DELIVERY_ERRORS:
                pass
    for row in others:
        try:
            sms_backend().send(to=row.recipient_address, body=row.body_text, notification_id=row.id)
        except Exception as exc:  # a backend failure must never block the batch
            if _record_failure(row, exc):
                retry.append(row.id)
            continue
        _mark_sent(row)
        sent.append(row.id)
    return sent, retry


def sms_backend():
    return import_string(settings.SMS_BACKEND)()


def sweep_pending(*, limit: int = SWEEP_LIMIT) -> int:
    """Re-enqueue pending rows whose attempt is due, and free claims a dead worker left."""
    now = timezone.now()
    Notification.objects.filter(status=NotificationStatus.SENDING, claimed_at__lt=now - STALE_CLAIM).update(
        status=NotificationStatus.PENDING, claimed_at=None, next_attempt_at=now
    )
    ids = list(
        Notification.objects.filter(status=NotificationStatus.PENDING, next_attempt_at__lte=now)
        .order_by("next_attempt_at", "id")
        .values_list("id", flat=True)[:limit]
    )
    if ids:
        # Push the next sweep's look past this one, so a slow worker is not enqueued twice.
        Notification.objects.filter(id__in=ids, status=NotificationStatus.PENDING).update(
            next_attempt_at=now + ENQUEUE_GRACE
        )
        enqueue_delivery(ids)
    return len(ids)


def notification_retry(*, notification: Notification, acting_user) -> None:
    """Admin action: give a failed row a fresh set of attempts."""
    Notification.objects.filter(id=notification.id, status=NotificationStatus.FAILED).update(
        status=NotificationStatus.PENDING, attempts=0, next_attempt_at=timezone.now(), last_error=""
    )
    transaction.on_commit(lambda: enqueue_delivery([notification.id]))


def inbox_mark_read(*, user, ids: Iterable[int]) -> int:
    return Notification.objects.filter(recipient_user=user, id__in=list(ids), read_at__isnull=True).update(
        read_at=timezone.now()
    )
