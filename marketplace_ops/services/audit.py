"""The audit log: `audit_log(...)` appends one chained event; `verify_chain()` checks them all."""

import json
import re
from dataclasses import dataclass

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from marketplace_ops.actors import SYSTEM_USERNAME, current_actor
from marketplace_ops.choices import ActorType, AuditOutcome
from marketplace_ops.models import AuditChainHead, AuditEvent

SECRET_KEY_PATTERN = re.compile(r"(secret|password|passwd|token|api[_-]?key|private|credential|authorization)", re.I)
REDACTED = "[redacted]"


def redact(value):
    """Replace values under secret-looking keys, recursively. Secrets never reach the log."""
    if isinstance(value, dict):
        return {
            key: (REDACTED if SECRET_KEY_PATTERN.search(str(key)) else redact(item)) for key, item in value.items()
        }
    if isinstance(value, list | tuple):
        return [redact(item) for item in value]
    return value


def _normalise(details) -> dict:
    return json.loads(json.dumps(redact(details or {}), cls=DjangoJSONEncoder))


def audit_log(
    *,
    event_type: str,
    action: str,
    acting_user=None,
    outcome: str = AuditOutcome.SUCCESS,
    resource=None,
    resource_type: str = "",
    resource_id="",
    resource_name: str = "",
    details: dict | None = None,
    ip_address: str | None = None,
    api_token=None,
) -> AuditEvent:
    """Append an event. `resource` (a model instance) fills type/id/name unless given."""
    ctx = current_actor()
    user = acting_user if acting_user is not None else ctx.user
    token = api_token if api_token is not None else ctx.api_token
    if resource is not None:
        resource_type = resource_type or resource._meta.label
        resource_id = resource_id or str(resource.pk)
        resource_name = resource_name or str(resource)[:300]

    if token is not None:
        actor_type, label = ActorType.API_TOKEN, f"token:{token.name}"
    elif user is not None and getattr(user, "is_authenticated", False):
        is_system = user.get_username() == SYSTEM_USERNAME
        actor_type, label = (ActorType.SYSTEM if is_system else ActorType.USER), user.get_username()
    elif ctx.via in ("celery", "command"):
        actor_type, label, user = ActorType.SYSTEM, SYSTEM_USERNAME, None
    else:
        actor_type, label, user = ActorType.ANONYMOUS, "anonymous", None

    with transaction.atomic():
        head, _ = AuditChainHead.objects.select_for_update().get_or_create(id=1)
        event = AuditEvent(
            sequence=head.last_sequence + 1,
            occurred_at=timezone.now(),
            event_type=event_type,
            outcome=outcome,
            actor_type=actor_type,
            actor_user=user if user is not None and getattr(user, "pk", None) else None,
            actor_label=label[:200],
            api_token_id=getattr(token, "pk", None),
            ip_address=ip_address or ctx.ip_address,
            resource_type=resource_type,
            resource_id=str(resource_id)[:100],
            resource_name=resource_name[:300],
            action=action,
            details=_normalise(details),
            previous_hash=head.last_hash,
        )
        event.content_hash = event.compute_hash()
        event.save()
        AuditChainHead.objects.filter(id=1).update(last_sequence=event.sequence, last_hash=event.content_hash)
    return event


@dataclass
class ChainProblem:
    sequence: int
    event_id: int | None
    problem: str

    def __str__(self):
        return f"audit event #{self.sequence} (id {self.event_id}): {self.problem}"


def verify_chain(*, batch_size: int = 2000) -> tuple[int, ChainProblem | None]:
    """Walk the chain in sequence order in batches; return (events checked, first problem)."""
    expected_previous = "0" * 64
    expected_sequence = 1
    checked = 0
    last_seen = 0
    while True:
        batch = list(AuditEvent.objects.filter(sequence__gt=last_seen).order_by("sequence")[:batch_size])
        if not batch:
            break
        for event in batch:
            if event.sequence != expected_sequence:
                return checked, ChainProblem(
                    expected_sequence, None, f"missing — the chain jumps to #{event.sequence} (event removed)"
                )
            if event.previous_hash != expected_previous:
                return checked, ChainProblem(
                    event.sequence, event.id, "previous-hash link broken (an event before it was edited, removed or reordered)"
                )
            if event.compute_hash() != event.content_hash:
                return checked, ChainProblem(event.sequence, event.id, "content does not match its hash (edited)")
            expected_previous = event.content_hash
            expected_sequence += 1
            checked += 1
            last_seen = event.sequence
    head = AuditChainHead.objects.filter(id=1).first()
    if head and head.last_sequence != last_seen:
        return checked, ChainProblem(
            last_seen + 1, None, f"missing — the chain head records #{head.last_sequence} (latest events removed)"
        )
    if head and head.last_sequence and head.last_hash != expected_previous:
        return checked, ChainProblem(last_seen, None, "the chain head's hash does not match the last event")
    return checked, None
