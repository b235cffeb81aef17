"""What happens after a change is applied: audit, stakeholders, cache, subscribers (on commit)."""

import hashlib
import hmac
import json
import logging

import requests
from django.conf import settings
from django.core.cache import cache
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from configuration import crypto
from configuration.choices import DeliveryStatus
from configuration.models import Subscriber, WebhookDelivery
from marketplace_ops.services.audit import audit_log
from marketplace_ops.services.notifications import backoff

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Config-Signature"


def snapshot_cache_key(environment: str, revision: int, stamp: str = "") -> str:
    """Per revision; the stamp (the environment row's updated_at) keeps a reset database from
    reading an older database's snapshot of the same revision number."""
    digest = hashlib.sha256(stamp.encode()).hexdigest()[:16]
    return f"configuration:snapshot:{environment}:r{revision}:{digest}"


def latest_pointer_key(environment: str) -> str:
    return f"configuration:snapshot-latest:{environment}"


def invalidate_snapshot(environment: str):
    """Drop the cached snapshot of the previous revision (new revisions get new keys anyway)."""
    old = cache.get(latest_pointer_key(environment))
    cache.delete_many([k for k in (old, latest_pointer_key(environment)) if k])


def after_apply(*, environment: str, revision: int, keys: list[str], change_set, acting_user, action="apply"):
    from configuration.notifications import notify_changeset_applied

    audit_log(
        event_type="configuration.changeset_applied" if change_set else "configuration.restored",
        action=action,
        acting_user=acting_user,
        resource=change_set,
        resource_type="" if change_set else "configuration.ConfigEnvironment",
        resource_id="" if change_set else environment,
        details={"environment": environment, "revision": revision, "keys": sorted(keys)},
    )
    if change_set is not None:
        notify_changeset_applied(change_set=change_set, acting_user=acting_user)
    deliveries = webhook_create_deliveries(
        environment=environment, revision=revision, keys=keys, change_set_id=getattr(change_set, "pk", None)
    )
    transaction.on_commit(lambda: invalidate_snapshot(environment))
    if deliveries:
        ids = [d.pk for d in deliveries]
        transaction.on_commit(lambda: _enqueue(ids))


def _enqueue(ids):
    from configuration.tasks import deliver_webhook

    for delivery_id in ids:
        try:
            deliver_webhook.delay(delivery_id)
        except Exception as exc:  # broker down: the sweep re-enqueues pending deliveries
            logger.warning("could not enqueue webhook delivery %s (%r); the sweep will retry", delivery_id, exc, exc_info=True)


def webhook_create_deliveries(*, environment: str, revision: int, keys: list[str], change_set_id) -> list:
    subscribers = list(Subscriber.objects.filter(environment=environment, is_active=True).order_by("id"))
    now = timezone.now()
    payload = {"environment": environment, "revision": revision, "changed_keys": sorted(keys),
               "change_set_id": change_set_id, "applied_at": now.isoformat()}
    rows = []
    for subscriber in subscribers:
        delivery = WebhookDelivery(subscriber=subscriber, change_set_id=change_set_id, environment=environment,
                                   revision=revision, payload=payload, next_attempt_at=now)
        delivery.save()
        rows.append(delivery)
    return rows


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def webhook_attempt(*, delivery_id: int) -> bool | None:
    """One POST. True = delivered (or already was), False = failed and will retry, None = gave up."""
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update(skip_locked=True).select_related("subscriber")
            .filter(pk=delivery_id).first()
        )
        if delivery is None:
            return False  # another worker holds it
        if delivery.status != DeliveryStatus.PENDING:
            return delivery.status == DeliveryStatus.DELIVERED
        body = json.dumps({**delivery.payload, "delivery_id": delivery.pk}, cls=DjangoJSONEncoder,
                          sort_keys=True).encode()
        secret = crypto.decrypt_value(delivery.subscriber.secret_ciphertext)
        delivery.attempts += 1
        try:
            response = requests.post(
                delivery.subscriber.url,
                data=body,
                headers={"Content-Type": "application/json", SIGNATURE_HEADER: sign(secret, body),
                         "X-Config-Delivery": str(delivery.pk)},
                timeout=settings.CONFIG_WEBHOOK_TIMEOUT,
            )
            delivery.last_status_code = response.status_code
            ok = 200 <= response.status_code < 300
            delivery.last_error = "" if ok else f"HTTP {response.status_code}"
        except requests.RequestException as exc:
            ok = False
            delivery.last_error = f"{exc.__class__.__name__}: {exc}"[:1000]
        if ok:
            delivery.status, delivery.delivered_at, delivery.next_attempt_at = DeliveryStatus.DELIVERED, timezone.now(), None
        elif delivery.attempts >= settings.CONFIG_WEBHOOK_MAX_ATTEMPTS:
            delivery.status, delivery.next_attempt_at = DeliveryStatus.FAILED, None
        else:
            delivery.next_attempt_at = timezone.now() + backoff(delivery.attempts)
        delivery._change_reason = f"attempt {delivery.attempts}"
        delivery.save()
    if delivery.status == DeliveryStatus.FAILED:
        logger.warning("webhook delivery %s to %s failed after %s attempts", delivery.pk, delivery.subscriber.name,
                       delivery.attempts)
        return None
    return ok


def webhook_next_delay(delivery_id: int) -> float | None:
    """Seconds until the next attempt of a still-pending delivery (None when finished)."""
    row = WebhookDelivery.objects.filter(pk=delivery_id, status=DeliveryStatus.PENDING).values("next_attempt_at").first()
    if row is None or row["next_attempt_at"] is None:
        return None
    return max((row["next_attempt_at"] - timezone.now()).total_seconds(), 0.0)


def webhook_due_ids(limit: int = 500) -> list[int]:
    return list(
        WebhookDelivery.objects.filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=timezone.now())
        .order_by("next_attempt_at").values_list("id", flat=True)[:limit]
    )
