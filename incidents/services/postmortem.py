"""Post-incident reviews and their action items."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from incidents.choices import URGENT_SEVERITIES, ActionItemStatus, PostmortemStatus, TimelineKind
from incidents.models import ActionItem, Postmortem
from incidents.notifications import send, users_by_ids
from incidents.services.common import add_timeline, lock
from marketplace_ops.actors import resolve_actor
from marketplace_ops.history import save_with_history
from marketplace_ops.services.audit import audit_log

FIELDS = ("summary", "root_cause", "contributing_factors", "impact", "lessons_learned")


def postmortem_save(*, incident, acting_user, finish: bool = False, **fields) -> Postmortem:
    """Create or update the review; `finish=True` makes it final (all sections required)."""
    unknown = set(fields) - set(FIELDS)
    if unknown:
        raise ValidationError({"__all__": f"Unknown review fields: {', '.join(sorted(unknown))}."})
    actor = resolve_actor(acting_user)
    with transaction.atomic():
        incident = lock(incident)
        review, _ = Postmortem.objects.get_or_create(incident=incident, defaults={"author": actor})
        review = Postmortem.objects.select_for_update().get(pk=review.pk)
        for name, value in fields.items():
            setattr(review, name, value or "")
        if finish:
            if incident.is_open:
                raise ValidationError({"status": "Resolve the incident before finishing its review."})
            review.status = PostmortemStatus.FINAL
            review.finished_at = timezone.now()
        review.full_clean(exclude=["incident", "author"])
        save_with_history(review, acting_user=actor, reason="Review finished" if finish else "Review edited")
        if fields.get("root_cause") and not incident.root_cause:
            incident.root_cause = fields["root_cause"]
            save_with_history(incident, acting_user=actor, reason="Root cause from the review")
        if finish:
            add_timeline(incident, kind=TimelineKind.NOTE, acting_user=actor, message="Post-incident review finished.")
            audit_log(event_type="incident.review_finished", action="update", acting_user=actor, resource=incident)
    return review


def review_required(incident) -> bool:
    return incident.severity in URGENT_SEVERITIES


def action_item_add(*, incident, description, owner, due_date, acting_user) -> ActionItem:
    if not (description or "").strip():
        raise ValidationError({"description": "Describe the action."})
    if due_date is None:
        raise ValidationError({"due_date": "Give a due date."})
    item = ActionItem(incident=incident, description=description.strip()[:300], owner=owner, due_date=due_date)
    save_with_history(item, acting_user=acting_user, reason="Action item added")
    return item


def action_item_set_status(*, item, status, acting_user) -> ActionItem:
    if status not in ActionItemStatus.values:
        raise ValidationError({"status": f"Status must be one of {', '.join(ActionItemStatus.values)}."})
    item.status = status
    save_with_history(item, acting_user=acting_user, reason=f"Action item {status}")
    return item


def action_items_remind(*, today=None, limit: int = 1000) -> int:
    """Remind owners of overdue open action items, at most once a day each."""
    today = today or timezone.localdate()
    sent = 0
    with transaction.atomic():
        items = list(
            ActionItem.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(status__in=[ActionItemStatus.OPEN, ActionItemStatus.IN_PROGRESS], due_date__lt=today)
            .exclude(last_reminded_on=today)
            .select_related("incident", "owner")
            .order_by("due_date", "id")[:limit]
        )
        for item in items:
            owners = users_by_ids([item.owner_id]) or users_by_ids([item.incident.commander_id, item.incident.assignee_id])
            send(event="incidents.action_item_overdue", incident=item.incident, recipients=owners,
                 context={"item": item, "days_overdue": (today - item.due_date).days})
            ActionItem.objects.filter(pk=item.pk).update(last_reminded_on=today)
            sent += 1
    return sent
