"""Grandfather-father-son retention, pure functions over lightweight records.

The rules are restic's `forget --keep-within-daily/-weekly/-monthly/-yearly`:

- the runs of one series (one policy) are sorted newest first;
- a rule "keep within 30d daily" considers the runs whose time is strictly after
  `newest - 30d` (measured back from the newest backup, not from now, with calendar
  arithmetic like Go's `AddDate`), and keeps the newest run of each calendar day;
- weekly buckets are ISO weeks (ISO year × 100 + ISO week), monthly are calendar months,
  yearly calendar years; all in UTC.

Then two safety rules on top:

- the chain rule: a kept incremental or differential keeps every run it depends on (its
  parent, the parent's parent … up to the full), even when that run belongs to another series;
- the newest verified full of each family (target) is never deleted.

A run never decided "keep" by any rule is removed. Runs that failed verification are no
backup and never fill a bucket; they are kept for inspection while within the daily window.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

DURATION_RE = re.compile(r"^(?:(\d+)y)?(?:(\d+)m)?(?:(\d+)d)?(?:(\d+)h)?$")


@dataclass(frozen=True)
class Duration:
    """A restic duration: years, months, days, hours ("7y", "3m", "30d", "1y6m", "36h")."""

    years: int = 0
    months: int = 0
    days: int = 0
    hours: int = 0

    def __str__(self):
        parts = [(self.years, "y"), (self.months, "m"), (self.days, "d"), (self.hours, "h")]
        text = "".join(f"{value}{unit}" for value, unit in parts if value)
        return text or "0d"

    @property
    def is_zero(self) -> bool:
        return not (self.years or self.months or self.days or self.hours)


def parse_duration(text: str) -> Duration:
    """"30d" -> Duration(days=30); raises ValueError for anything else."""
    text = (text or "").strip().lower()
    match = DURATION_RE.match(text)
    if not text or not match:
        raise ValueError(f"'{text}' is not a duration like 30d, 3m, 1y or 1y6m (y/m/d/h)")
    years, months, days, hours = (int(group or 0) for group in match.groups())
    return Duration(years=years, months=months, days=days, hours=hours)


def go_add_date(moment: datetime, *, years=0, months=0, days=0) -> datetime:
    """Calendar arithmetic like Go's time.AddDate: out-of-range days normalise forward
    (31 May minus 3 months = 31 Feb = 3 March)."""
    month_index = moment.month - 1 + months
    year = moment.year + years + month_index // 12
    month = month_index % 12 + 1
    base = date(year, month, 1) + timedelta(days=moment.day - 1 + days)
    return moment.replace(year=base.year, month=base.month, day=base.day)


def subtract(moment: datetime, duration: Duration) -> datetime:
    shifted = go_add_date(moment, years=-duration.years, months=-duration.months, days=-duration.days)
    return shifted - timedelta(hours=duration.hours)


def _day(moment: datetime) -> int:
    return moment.year * 10000 + moment.month * 100 + moment.day


def _week(moment: datetime) -> int:
    iso_year, iso_week, _ = moment.isocalendar()
    return iso_year * 100 + iso_week


def _month(moment: datetime) -> int:
    return moment.year * 100 + moment.month


def _year(moment: datetime) -> int:
    return moment.year


BUCKETS = (("daily", _day), ("weekly", _week), ("monthly", _month), ("yearly", _year))


@dataclass(frozen=True)
class Rules:
    """keep-within-daily/-weekly/-monthly/-yearly; defaults from the source document."""

    daily: Duration = Duration(days=30)
    weekly: Duration = Duration(months=3)
    monthly: Duration = Duration(years=1)
    yearly: Duration = Duration(years=7)

    @classmethod
    def parse(cls, *, daily="30d", weekly="3m", monthly="1y", yearly="7y") -> "Rules":
        return cls(
            daily=parse_duration(daily),
            weekly=parse_duration(weekly),
            monthly=parse_duration(monthly),
            yearly=parse_duration(yearly),
        )


@dataclass(frozen=True)
class Record:
    """What retention needs to know about a run."""

    id: int
    time: datetime
    kind: str = "full"  # full / incremental / differential
    parent_id: int | None = None
    series: str = "default"  # one policy
    family: str = "default"  # one target: the newest verified full of each is protected
    verified: bool = False
    verification_failed: bool = False


@dataclass
class Decision:
    record: Record
    reasons: list[str] = field(default_factory=list)

    @property
    def keep(self) -> bool:
        return bool(self.reasons)


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)


def apply_series(records: Iterable[Record], rules: Rules) -> dict[int, list[str]]:
    """restic's keep-within-* over one series: {id: [reasons it is kept]} (empty = not kept)."""
    ordered = sorted(records, key=lambda r: (_utc(r.time), r.id), reverse=True)
    reasons: dict[int, list[str]] = {r.id: [] for r in ordered}
    candidates = [r for r in ordered if not r.verification_failed]
    if not candidates:
        newest_any = ordered[0] if ordered else None
        if newest_any is not None:
            _keep_failed_in_window(ordered, _utc(newest_any.time), rules, reasons)
        return reasons
    newest = _utc(candidates[0].time)
    for name, bucket in BUCKETS:
        within = getattr(rules, name)
        if within.is_zero:
            continue
        boundary = subtract(newest, within)
        last = None
        for record in candidates:
            moment = _utc(record.time)
            if not moment > boundary:
                continue
            value = bucket(moment)
            if value != last:
                last = value
                reasons[record.id].append(f"{name} within {within} (newest of {_label(name, moment)})")
    _keep_failed_in_window(ordered, newest, rules, reasons)
    return reasons


def _keep_failed_in_window(ordered, newest, rules, reasons):
    boundary = subtract(newest, rules.daily)
    for record in ordered:
        if record.verification_failed and _utc(record.time) > boundary:
            reasons[record.id].append(f"failed verification; kept for inspection within {rules.daily}")


def _label(name: str, moment: datetime) -> str:
    if name == "daily":
        return moment.strftime("day %Y-%m-%d")
    if name == "weekly":
        iso_year, iso_week, _ = moment.isocalendar()
        return f"ISO week {iso_year}-W{iso_week:02d}"
    if name == "monthly":
        return moment.strftime("month %Y-%m")
    return moment.strftime("year %Y")


def decide(records: Iterable[Record], rules_by_series: dict[str, Rules] | None = None) -> dict[int, Decision]:
    """Every record -> Decision(keep?, reasons). Series use their own rules (default: source doc)."""
    records = list(records)
    rules_by_series = rules_by_series or {}
    by_id = {r.id: r for r in records}
    decisions = {r.id: Decision(record=r) for r in records}

    series: dict[str, list[Record]] = {}
    for record in records:
        series.setdefault(record.series, []).append(record)
    for name, members in series.items():
        for record_id, reasons in apply_series(members, rules_by_series.get(name, Rules())).items():
            decisions[record_id].reasons.extend(reasons)

    families: dict[str, list[Record]] = {}
    for record in records:
        if record.kind == "full" and record.verified:
            families.setdefault(record.family, []).append(record)
    for members in families.values():
        newest = max(members, key=lambda r: (_utc(r.time), r.id))
        decisions[newest.id].reasons.append("newest verified full")

    # Chain rule: walk up from every kept run (kept ancestors may themselves add ancestors).
    for record in sorted(records, key=lambda r: (_utc(r.time), r.id), reverse=True):
        if not decisions[record.id].keep:
            continue
        parent_id, child = record.parent_id, record
        while parent_id is not None and parent_id in by_id:
            parent = decisions[parent_id]
            reason = f"needed by kept {child.kind} #{child.id}"
            if reason not in parent.reasons:
                parent.reasons.append(reason)
            child = parent.record
            parent_id = child.parent_id
    return decisions


def to_remove(decisions: dict[int, Decision]) -> list[Record]:
    return sorted((d.record for d in decisions.values() if not d.keep), key=lambda r: (r.time, r.id))
