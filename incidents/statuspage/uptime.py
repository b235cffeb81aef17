"""Uptime from impact intervals: pure functions (no database), so the numbers are testable.

An interval is (start, end, impact). For each UTC day the minutes of each impact are the
union of the intervals of that impact, where overlapping intervals count once and a worse
impact hides a milder one at the same minute. The day's colour is its worst impact; the
uptime percentage is 100 × (1 − weighted downtime / minutes observed), with the weights in
`choices.DOWNTIME_WEIGHT` (major outage 1, partial 0.3, degraded and maintenance 0).
"""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from incidents.statuspage.choices import DOWNTIME_WEIGHT, RANK, worst

DAY = timedelta(days=1)


@dataclass
class DayUptime:
    day: date
    worst: str = "operational"
    minutes: dict = field(default_factory=dict)  # impact -> minutes (float)
    observed_minutes: float = 1440.0
    incidents: list = field(default_factory=list)  # [(id, title)] touching the day

    @property
    def downtime_minutes(self) -> float:
        return sum(DOWNTIME_WEIGHT.get(k, 0.0) * v for k, v in self.minutes.items())

    @property
    def impact_minutes(self) -> int:
        return round(sum(v for k, v in self.minutes.items() if RANK.get(k, 0) > 1))

    @property
    def uptime_pct(self) -> float | None:
        if self.observed_minutes <= 0:
            return None
        return 100.0 * (1 - self.downtime_minutes / self.observed_minutes)


def _segments(intervals, start: datetime, end: datetime):
    """Elementary segments of [start, end) with the worst impact covering each."""
    points = {start, end}
    clipped = []
    for s, e, impact, *_ in intervals:
        s, e = max(s, start), min(e, end)
        if s < e:
            clipped.append((s, e, impact))
            points.update((s, e))
    ordered = sorted(points)
    for a, b in zip(ordered, ordered[1:], strict=False):
        covering = [impact for s, e, impact in clipped if s <= a and e >= b]
        if covering:
            yield a, b, worst(*covering)


def day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def compute_days(intervals, *, days: int, today: date, now: datetime, since: datetime | None = None) -> list[DayUptime]:
    """`days` UTC days ending with `today`. `intervals` are (start, end, impact[, id, title]);
    minutes after `now` and before `since` (e.g. the component's creation) are not observed."""
    first = today - timedelta(days=days - 1)
    out = []
    by_day: dict[date, list] = {}
    for item in intervals:
        s, e = item[0], item[1]
        d = max(s.astimezone(UTC).date(), first)
        last = min(e.astimezone(UTC).date(), today)
        while d <= last:
            by_day.setdefault(d, []).append(item)
            d += DAY
    for i in range(days):
        d = first + timedelta(days=i)
        lo, hi = day_start(d), min(day_start(d) + DAY, now)
        if since and since > lo:
            lo = min(since, hi)
        observed = max((hi - lo).total_seconds() / 60, 0.0)
        row = DayUptime(day=d, observed_minutes=observed)
        items = by_day.get(d, [])
        for a, b, impact in _segments(items, lo, hi) if hi > lo else ():
            row.minutes[impact] = row.minutes.get(impact, 0.0) + (b - a).total_seconds() / 60
        row.worst = worst(*row.minutes.keys())
        seen = set()
        for item in items:
            if len(item) >= 5 and item[3] not in seen and item[0] < hi and item[1] > lo:
                seen.add(item[3])
                row.incidents.append((item[3], item[4]))
        out.append(row)
    return out


def uptime_percentage(days_rows: list[DayUptime]) -> float | None:
    observed = sum(r.observed_minutes for r in days_rows)
    if observed <= 0:
        return None
    down = sum(r.downtime_minutes for r in days_rows)
    return 100.0 * (1 - down / observed)


def format_pct(value: float | None) -> str:
    if value is None:
        return "no data"
    # Never round an outage up to 100 %.
    text = f"{value:.2f}"
    if text == "100.00" and value < 100.0:
        text = "99.99"
    return f"{text}%"
