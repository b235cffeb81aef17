"""Key rotation: re-encrypt every ciphertext with the first key of CONFIG_ENCRYPTION_KEYS and
recompute HMACs (they change when the HMAC key is derived from the first encryption key)."""

from django.db import transaction

from configuration import crypto
from configuration.models import ChangeSetOperation, ConfigurationItem, Subscriber
from marketplace_ops.history import save_with_history
from marketplace_ops.services.audit import audit_log

BATCH = 500


def _value_of(row):
    return crypto.decrypt_value(row.ciphertext) if row.sensitive else row.value


def _rotate_rows(queryset, *, save):
    count, last = 0, 0
    while True:
        batch = list(queryset.filter(pk__gt=last).order_by("pk")[:BATCH])
        if not batch:
            return count
        for row in batch:
            changed = False
            if getattr(row, "sensitive", False) and row.ciphertext:
                row.ciphertext = crypto.rotate(row.ciphertext)
                changed = True
            if hasattr(row, "value_hmac") and (row.op != "delete" if hasattr(row, "op") else True):
                new = crypto.value_hmac(_value_of(row))
                changed = changed or new != row.value_hmac
                row.value_hmac = new
            if changed:
                save(row)
                count += 1
        last = batch[-1].pk


@transaction.atomic
def config_rotate_keys(*, acting_user) -> dict:
    """Re-encrypt items, their history rows, pending operations and subscriber secrets."""
    hist = ConfigurationItem.history.model
    op_hist = ChangeSetOperation.history.model
    counts = {
        "items": _rotate_rows(ConfigurationItem.objects.all(),
                              save=lambda r: save_with_history(r, acting_user=acting_user, reason="key rotation")),
        "item_history": _rotate_rows(hist.objects.exclude(history_type="-"), save=lambda r: hist.objects.filter(
            pk=r.pk).update(ciphertext=r.ciphertext, value_hmac=r.value_hmac)),
        "operations": _rotate_rows(ChangeSetOperation.objects.all(), save=lambda r: ChangeSetOperation.objects.filter(
            pk=r.pk).update(ciphertext=r.ciphertext, value_hmac=r.value_hmac)),
        "operation_history": _rotate_rows(op_hist.objects.all(), save=lambda r: op_hist.objects.filter(
            pk=r.pk).update(ciphertext=r.ciphertext, value_hmac=r.value_hmac)),
    }
    subs = 0
    for sub in Subscriber.objects.order_by("pk").iterator(chunk_size=BATCH):
        sub.secret_ciphertext = crypto.rotate(sub.secret_ciphertext)
        save_with_history(sub, acting_user=acting_user, reason="key rotation")
        subs += 1
    counts["subscribers"] = subs
    audit_log(event_type="configuration.keys_rotated", action="rotate", acting_user=acting_user,
              resource_type="configuration.ConfigurationItem", resource_id="*", details=counts)
    return counts
