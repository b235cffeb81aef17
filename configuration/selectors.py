"""Non-trivial reads: the gateway snapshot (cached per revision), compare, widgets."""

from django.conf import settings
from django.core.cache import cache

from configuration.choices import ChangeSetState
from configuration.models import ChangeSet, ChangeSetApproval, ConfigEnvironment, ConfigurationItem
from configuration.services.common import check_environment
from configuration.services.publish import latest_pointer_key, snapshot_cache_key


def _revision_stamp(environment: str) -> tuple[int, str]:
    row = ConfigEnvironment.objects.filter(name=environment).values_list("revision", "updated_at").first()
    return (row[0], row[1].isoformat()) if row else (0, "-")


def _build_snapshot(environment: str) -> dict:
    """Items consistent with one revision (re-read if a write landed in between)."""
    for _ in range(5):
        stamp = _revision_stamp(environment)
        rows = list(ConfigurationItem.objects.filter(environment=environment)
                    .values_list("key", "value", "ciphertext", "sensitive", "revision"))
        if stamp == _revision_stamp(environment) and all(r[4] <= stamp[0] for r in rows):
            break
    return {
        "revision": stamp[0],
        "stamp": stamp[1],
        "items": {k: v for k, v, _c, s, _r in rows if not s},
        "secrets": {k: c for k, _v, c, s, _r in rows if s},  # ciphertext only: the cache never holds plaintext
    }


def gateway_snapshot(environment: str) -> dict:
    check_environment(environment)
    rev, stamp = _revision_stamp(environment)
    snap = cache.get(snapshot_cache_key(environment, rev, stamp))
    if snap is None:
        snap = _build_snapshot(environment)
        key = snapshot_cache_key(environment, snap["revision"], snap["stamp"])
        cache.set(key, snap, settings.CONFIG_SNAPSHOT_CACHE_SECONDS)
        cache.set(latest_pointer_key(environment), key, settings.CONFIG_SNAPSHOT_CACHE_SECONDS)
    return snap


def compare_environments(left: str, right: str) -> dict:
    """Keys only in left / only in right / differing / equal (secrets compared by HMAC)."""
    check_environment(left)
    check_environment(right)
    fields = ("key", "version", "value_hmac", "sensitive", "value")
    lrows = {r["key"]: r for r in ConfigurationItem.objects.filter(environment=left).values(*fields)}
    rrows = {r["key"]: r for r in ConfigurationItem.objects.filter(environment=right).values(*fields)}
    result = {"only_left": [], "only_right": [], "different": [], "equal": []}
    for key in sorted(set(lrows) | set(rrows)):
        a, b = lrows.get(key), rrows.get(key)
        if b is None:
            result["only_left"].append(a)
        elif a is None:
            result["only_right"].append(b)
        elif a["value_hmac"] == b["value_hmac"] and a["sensitive"] == b["sensitive"]:
            result["equal"].append({"key": key, "left": a, "right": b})
        else:
            result["different"].append({"key": key, "left": a, "right": b})
    return result


def pending_changesets():
    return (ChangeSet.objects.filter(state__in=[ChangeSetState.PENDING, ChangeSetState.APPROVED])
            .select_related("author").order_by("-created_at"))


def changesets_awaiting_approval_by(user):
    if not user.has_perm("configuration.approve_changeset"):
        return ChangeSet.objects.none()
    mine = ChangeSetApproval.objects.filter(approver=user).values("change_set_id")
    return (ChangeSet.objects.filter(state=ChangeSetState.PENDING).exclude(author=user).exclude(pk__in=mine)
            .select_related("author").order_by("created_at"))
