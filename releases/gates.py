"""The deploy gate: approvals, maintenance window, notice period and freeze periods.

Read-only. `deploy_gate(release, at)` says whether the release may deploy now and, if not,
why and from when it would.
"""

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django.db.models import Q
from django.utils import timezone

from marketplace_ops.models import MaintenancePolicy
from marketplace_ops.services import calendar
from releases.choices import ReleaseStatus, ReleaseType

MAX_SEARCH_STEPS = 25  # freezes back to back are bounded
POLICY_BY_TYPE = {
    ReleaseType.MAJOR: "major-update",
    ReleaseType.MINOR: "minor-update",
    ReleaseType.PATCH: "minor-update",
    ReleaseType.HOTFIX: "emergency-fix",
}


def fmt(moment: datetime) -> str:
    return f"{moment.astimezone(UTC):%Y-%m-%d %H:%M} UTC"


def default_policy_slug(release) -> str:
    if release.release_type == ReleaseType.PATCH and release.is_security_patch:
        return "security-patch"
    return POLICY_BY_TYPE[release.release_type]


def effective_policy(release) -> MaintenancePolicy | None:
    if release.maintenance_policy_id:
        return release.maintenance_policy
    return MaintenancePolicy.objects.filter(slug=default_policy_slug(release)).first()


def freezes_covering(component_id: int, at: datetime):
    from releases.models import FreezePeriod

    return (
        FreezePeriod.objects.filter(start__lte=at, end__gt=at)
        .filter(Q(components__isnull=True) | Q(components=component_id))
        .distinct()
        .order_by("-end")
    )


@dataclass
class GateResult:
    ok: bool
    reasons: list[str] = field(default_factory=list)
    hints: list[str] = field(default_factory=list)
    next_pass_at: datetime | None = None

    @property
    def message(self) -> str:
        if self.ok:
            return "The deploy gate is open."
        text = "Cannot deploy: " + "; ".join(self.reasons)
        if self.hints:
            text += ". " + "; ".join(self.hints)
        if self.next_pass_at:
            text += f". Earliest deployment: {fmt(self.next_pass_at)}"
        return text + "."


def _window_text(kinds) -> str:
    return "/".join(kinds) + " maintenance window" if kinds else "maintenance window"


def _next_pass(release, kinds, earliest: datetime) -> tuple[datetime | None, str]:
    """First moment ≥ earliest inside an allowed window and outside every freeze."""
    candidate = earliest
    for _ in range(MAX_SEARCH_STEPS):
        occurrence = calendar.window_containing(candidate, kind=kinds) or calendar.next_window(candidate, kind=kinds)
        if occurrence is None:
            return None, ""
        moment = max(candidate, occurrence.start)
        freeze = freezes_covering(release.component_id, moment).first()
        if freeze is None:
            if moment == occurrence.start:
                return moment, f"next {occurrence.start:%A} window opens {fmt(occurrence.start)}"
            return moment, f"{occurrence.start:%A} window open from {fmt(moment)} to {fmt(occurrence.end)}"
        candidate = freeze.end
    return None, ""


def deploy_gate(release, at: datetime | None = None) -> GateResult:
    at = at or timezone.now()
    result = GateResult(ok=False)
    if release.status != ReleaseStatus.APPROVED:
        result.reasons.append(f"the release is {release.get_status_display().lower()}, not approved")
    missing = release.missing_roles()
    if missing:
        result.reasons.append("approvals missing from " + ", ".join(missing))
    if release.is_emergency:
        # Hotfixes / critical security patches deploy any time, even in a freeze.
        result.ok = not result.reasons
        return result

    policy = effective_policy(release)
    kinds = list(policy.allowed_window_kinds or []) if policy else []
    if release.scheduled_start is None:
        result.reasons.append("no scheduled start is set")
        return result
    if calendar.window_containing(at, kind=kinds or None) is None:
        result.reasons.append(f"outside a {_window_text(kinds)}")
    if at < release.scheduled_start:
        result.reasons.append(f"the announced start {fmt(release.scheduled_start)} has not come yet")
    earliest = max(at, release.scheduled_start)

    if policy is not None and not calendar.notice_satisfied(
        policy, notice_at=release.announcement_sent_at, start_at=release.scheduled_start
    ):
        period = policy.notice_description or str(policy.notice_period)
        deadline = calendar.notice_deadline(policy, release.scheduled_start)
        if release.announcement_sent_at is None:
            result.reasons.append(f"the maintenance announcement ({period} notice) has not been sent")
            if at <= deadline:
                result.hints.append(f"send it by {fmt(deadline)} (the sweep sends it before then)")
            else:
                notice_from = at + policy.notice_period
                result.hints.append(f"if sent now, notice period satisfied from {fmt(notice_from)} "
                                    "(reschedule to a window after it)")
                earliest = max(earliest, notice_from)
        else:
            notice_from = release.announcement_sent_at + policy.notice_period
            result.reasons.append(
                f"the maintenance announcement of {fmt(release.announcement_sent_at)} came less than "
                f"{period} before the scheduled start"
            )
            result.hints.append(f"notice period satisfied from {fmt(notice_from)} (reschedule to a window after it)")
            earliest = max(earliest, notice_from)

    freeze = freezes_covering(release.component_id, at).first()
    if freeze is not None:
        result.reasons.append(f"freeze period '{freeze.name}' until {fmt(freeze.end)} ({freeze.reason})")

    if result.reasons:
        next_at, text = _next_pass(release, kinds or None, earliest)
        if text:
            result.hints.insert(0, text)
        result.next_pass_at = next_at
    result.ok = not result.reasons
    return result


_open_kinds_memo: tuple = (None, frozenset())


def open_window_kinds(at: datetime) -> frozenset:
    """Kinds of windows open at `at`, memoised per minute (admin lists ask once per row)."""
    global _open_kinds_memo
    minute = at.replace(second=0, microsecond=0)
    if _open_kinds_memo[0] != minute:
        kinds = frozenset(o.window.kind for o in calendar.windows_between(minute, minute + timedelta(minutes=1)))
        _open_kinds_memo = (minute, kinds)
    return _open_kinds_memo[1]


def gate_summary(release, at: datetime) -> str:
    """A short gate state for lists, without a query per row (uses `in_freeze` when annotated)."""
    if release.status == ReleaseStatus.PLANNED:
        missing = release.missing_roles()
        prefix = "changes requested; " if release.changes_requested else ""
        return f"{prefix}awaiting {', '.join(missing)}" if missing else f"{prefix}ready to approve"
    if release.status != ReleaseStatus.APPROVED:
        return "—"
    if release.is_emergency:
        return "open (emergency)"
    blocked = []
    policy = release.maintenance_policy
    kinds = set(policy.allowed_window_kinds or []) if policy else set()
    open_kinds = open_window_kinds(at)
    if not (open_kinds & kinds if kinds else open_kinds):
        blocked.append("no window")
    if release.scheduled_start is None or at < release.scheduled_start:
        blocked.append("before start")
    if policy and release.scheduled_start and not calendar.notice_satisfied(
        policy, notice_at=release.announcement_sent_at, start_at=release.scheduled_start
    ):
        blocked.append("notice")
    in_freeze = getattr(release, "in_freeze", None)
    if in_freeze is None:
        in_freeze = freezes_covering(release.component_id, at).exists()
    if in_freeze:
        blocked.append("freeze")
    return "open" if not blocked else "blocked: " + ", ".join(blocked)
