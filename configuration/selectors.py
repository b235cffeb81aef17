"""Non-trivial reads: the gateway snapshot (cached per revision), compare, widgets."""

from django.conf import settings
from django.core.cache import cache

from configuration.choices import ChangeSetState
from configuration.models import ChangeSet, ChangeSetApproval, ConfigEnvironment, ConfigurationItem
from configuration.services.common import check_environment
from configuration.services.publish import snapshot_cache_key


def _build_snapshot(environment: str) -> dict:
    """Items consistent with one revision (re-read if a write landed in between)."""
    for _ in range(5):
        rev = ConfigEnvironment.objects.filter(name=environment).values_list("revision", flat=True).first() or 0
        rows = list(ConfigurationItem.objects.filter(environment=environment)
                    .values_list("key", "value", "ciphertext", "sensitive", "revision"))
        rev_after = ConfigEnvironment.objects.filter(name=environment).values_list("revision", flat=True).first() or 0
        if rev == rev_after and all(r[4] <= rev for r in rows):
            break
    return {
        "revision": rev,
        "items": {k: v for k, v, _c, s, _r in rows if not s},
        "secrets": {k: c for k, _v, c, s, _r in rows if s},  # ciphertext only: the cache never holds plaintext
    }


def gateway_snapshot(environment: str) -> dict:
    check_environment(environment)
    rev = ConfigEnvironment.objects.filter(name=environment).values_list("revision", flat=True).first() or 0
    key = snapshot_cache_key(environment, rev)
    snap = cache.get(key)
    if snap is None:
        snap = _build_snapshot(environment)
        cache.set(snapshot_cache_key(environment, snap["revision"]), snap, settings.CONFIG_SNAPSHOT_CACHE_SECONDS)
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
