"""The one history mechanism: simple-history with user, client IP and reason on every row.

Domain models declare `history = tracked_history()`. Inside a request the user and IP come
from the middleware; in Celery and commands `acting_as(...)` (or `save_with_history`) supplies
the system actor and a reason. A row is never written with an empty user.
"""

from django.db import models
from django.dispatch import receiver
from simple_history.models import HistoricalRecords
from simple_history.signals import pre_create_historical_record

from marketplace_ops.actors import current_actor, resolve_actor


class IPAddressHistoricalModel(models.Model):
    """Abstract base of every historical table: where the change came from."""

    ip_address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        abstract = True


def tracked_history(**kwargs) -> HistoricalRecords:
    kwargs.setdefault("bases", [IPAddressHistoricalModel])
    kwargs.setdefault("history_change_reason_field", models.TextField(null=True))
    return HistoricalRecords(**kwargs)


@receiver(pre_create_historical_record)
def _fill_actor(sender, instance, history_instance, **kwargs):
    ctx = current_actor()
    if history_instance.history_user_id is None:
        history_instance.history_user = resolve_actor(None)
    if not history_instance.history_change_reason:
        history_instance.history_change_reason = ctx.reason or _default_reason(ctx)
    if hasattr(history_instance, "ip_address") and not history_instance.ip_address:
        history_instance.ip_address = ctx.ip_address


def _default_reason(ctx) -> str | None:
    if ctx.via in ("web", "api"):
        return None
    return f"{ctx.via}: no reason given"


def save_with_history(instance, *, acting_user, reason: str | None = None, **save_kwargs):
    """Save a tracked model recording `acting_user` (or the system actor) and `reason`."""
    instance._history_user = resolve_actor(acting_user)
    if reason:
        instance._change_reason = reason
    instance.save(**save_kwargs)
    return instance
