"""Pluggable SMS backends (settings.SMS_BACKEND). The outbox row is the record either way."""

import logging

import requests
from django.conf import settings

logger = logging.getLogger("marketplace_ops.sms")


class OutboxLogSmsBackend:
    """Default: the message stays in the outbox row and goes to the log. No provider needed."""

    def send(self, *, to: str, body: str, notification_id: int | None = None):
        if not to:
            raise ValueError("no phone number for this recipient")
        logger.info("SMS to %s (notification %s): %s", to, notification_id, body[:160])


class WebhookSmsBackend:
    """POSTs {"to", "body", "notification_id"} to SMS_WEBHOOK_URL; non-2xx or timeout raises."""

    timeout = 5

    def send(self, *, to: str, body: str, notification_id: int | None = None):
        if not settings.SMS_WEBHOOK_URL:
            raise RuntimeError("SMS_WEBHOOK_URL is not set")
        response = requests.post(
            settings.SMS_WEBHOOK_URL,
            json={"to": to, "body": body, "notification_id": notification_id},
            timeout=self.timeout,
        )
        response.raise_for_status()
