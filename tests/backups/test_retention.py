"""GFS retention with restic's keep-within-* semantics, over generated histories.

Expected sets are computed independently (group by calendar period, take the newest) rather
than by replaying the algorithm."""

import time
from datetime import UTC, date, datetime, timedelta

import pytest

from backups.retention import Duration, Record, Rules, decide, go_add_date, parse_duration, to_remove

ZERO = Duration()


def at(d: date, hour=2, minute=0) -> datetime:
    return datetime(d.year, d.month, d.day, hour, minute, tzinfo=UTC)


def daily_history(start: date, end: date, *, hour=2, skip=lambda d: False, series="db", start_id=1):
    records, ident, day = [], start_id, start
    while day <= end:
        if not skip(day):
            records.append(Record(id=ident, time=at(day, hour), series=series, verified=True))
            ident += 1
        day += timedelta(days=1)
    return records


def kept_dates(decisions):
    return {d.record.time.date() for d in decisions.values() if d.keep}


def newest_per(days, key):
    best = {}
    for day in days:
        k = key(day)
        if k not in best or day > best[k]:
            best[k] = day
    return set(best.values())


def test_parse_duration():
    assert parse_duration("30d") == Duration(days=30)
    assert parse_duration("1y6m") == Duration(years=1, months=6)
    assert str(parse_duration("3m")) == "3m"
    for bad in ("", "30", "3w", "-1d", "d30"):
        with pytest.raises(ValueError):
            parse_duration(bad)


def test_calendar_arithmetic_normalises_like_go():
    assert go_add_date(at(date(2026, 5, 31)), months=-3).date() == date(2026, 3, 3)
    assert go_add_date(at(date(2024, 2, 29)), years=-1).date() == date(2023, 3, 1)
    assert go_add_date(at(date(2026, 1, 15)), months=-13).date() == date(2024, 12, 15)


def test_eight_years_of_daily_backups_keep_exactly_the_gfs_set():
    end = date(2026, 12, 3)
    records = daily_history(date(2018, 12, 1), end)
    started = time.perf_counter()
    decisions = decide(records)
    assert time.perf_counter() - started < 2

    days = [r.time.date() for r in records]
    # boundaries are exclusive and measured from the newest backup (2026-12-03 02:00)
    daily = {d for d in days if d > date(2026, 11, 3)}
    weekly = newest_per([d for d in days if d > date(2026, 9, 3)], lambda d: d.isocalendar()[:2])
    monthly = newest_per([d for d in days if d > date(2025, 12, 3)], lambda d: (d.year, d.month))
    yearly = newest_per([d for d in days if d > date(2019, 12, 3)], lambda d: d.year)
    expected = daily | weekly | monthly | yearly

    assert kept_dates(decisions) == expected
    assert len(daily) == 30
    assert date(2019, 12, 31) in expected and date(2018, 12, 31) not in expected
    removed = {r.time.date() for r in to_remove(decisions)}
    assert removed == set(days) - expected
    newest = max(decisions.values(), key=lambda d: d.record.time)
    assert any(reason.startswith("daily within 30d") for reason in newest.reasons)


def test_several_per_day_and_gaps_keep_the_newest_of_each_period():
    end = date(2026, 6, 30)
    records, ident = [], 1
    day = date(2024, 1, 1)
    while day <= end:
        # a 10-day outage in June 2026 and every Wednesday missing
        if not (date(2026, 6, 10) <= day <= date(2026, 6, 19)) and day.weekday() != 2:
            for hour in (1, 9, 17):
                records.append(Record(id=ident, time=at(day, hour), series="db"))
                ident += 1
        day += timedelta(days=1)
    decisions = decide(records)
    kept = [d.record for d in decisions.values() if d.keep]
    # never two kept on the same day, and always the 17:00 one
    assert len({r.time.date() for r in kept}) == len(kept)
    assert {r.time.hour for r in kept} == {17}
    days = sorted({r.time.date() for r in records})
    daily = {d for d in days if d > date(2026, 5, 31)}
    weekly = newest_per([d for d in days if d > date(2026, 3, 30)], lambda d: d.isocalendar()[:2])
    monthly = newest_per([d for d in days if d > date(2025, 6, 30)], lambda d: (d.year, d.month))
    yearly = newest_per(days, lambda d: d.year)
    assert kept_dates(decisions) == daily | weekly | monthly | yearly
    assert date(2026, 6, 15) not in kept_dates(decisions)


def test_windows_are_measured_from_the_newest_backup_not_from_now():
    # backups stopped 100 days "ago": restic still keeps the 30 days before the newest one
    records = daily_history(date(2026, 1, 1), date(2026, 3, 31))
    rules = Rules(daily=Duration(days=30), weekly=ZERO, monthly=ZERO, yearly=ZERO)
    decisions = decide(records, {"db": rules})
    assert kept_dates(decisions) == {date(2026, 3, 1) + timedelta(days=i) for i in range(31)} - {date(2026, 3, 1)}


def test_weekly_buckets_are_iso_weeks_across_the_new_year():
    # 2020-12-28 .. 2021-01-03 is ISO week 2020-W53; 2021-01-04 starts 2021-W01
    records = daily_history(date(2020, 12, 26), date(2021, 1, 5))
    rules = Rules(daily=ZERO, weekly=Duration(months=3), monthly=ZERO, yearly=ZERO)
    assert kept_dates(decide(records, {"db": rules})) == {date(2020, 12, 27), date(2021, 1, 3), date(2021, 1, 5)}


def test_month_boundary_uses_calendar_months():
    # newest on 31 May: "3m" reaches back to 3 March (Go normalisation of 31 February)
    records = daily_history(date(2026, 2, 20), date(2026, 5, 31))
    rules = Rules(daily=ZERO, weekly=ZERO, monthly=Duration(months=3), yearly=ZERO)
    assert kept_dates(decide(records, {"db": rules})) == {
        date(2026, 3, 31), date(2026, 4, 30), date(2026, 5, 31),
    }
    rules = Rules(daily=ZERO, weekly=Duration(months=3), monthly=ZERO, yearly=ZERO)
    kept = kept_dates(decide(records, {"db": rules}))
    assert min(kept) == date(2026, 3, 8)  # Sunday closing ISO week 10; 3..8 March after the boundary


def test_chain_rule_keeps_the_full_and_incrementals_a_kept_incremental_needs():
    records, ident = [], 1
    day = date(2026, 1, 1)
    while day <= date(2026, 3, 31):
        full_id = ident
        records.append(Record(id=ident, time=at(day, 0), kind="full", series="db-full", family="db",
                              verified=True))
        ident += 1
        parent = full_id
        for hour in range(1, 24):
            records.append(Record(id=ident, time=at(day, hour), kind="incremental", parent_id=parent,
                                  series="db-incr", family="db"))
            parent = ident
            ident += 1
        day += timedelta(days=1)
    only_daily = Rules(daily=Duration(days=7), weekly=ZERO, monthly=ZERO, yearly=ZERO)
    full_rules = Rules(daily=Duration(days=3), weekly=ZERO, monthly=ZERO, yearly=ZERO)
    decisions = decide(records, {"db-incr": only_daily, "db-full": full_rules})
    kept = {d.record.id for d in decisions.values() if d.keep}
    by_day = {}
    for r in records:
        by_day.setdefault(r.time.date(), []).append(r)
    expected = set()
    for d, members in by_day.items():
        if d > date(2026, 3, 24):  # 7 days of incrementals: the 23:00 one and its whole chain
            expected |= {r.id for r in members}
    assert kept == expected
    full_mar_26 = next(r for r in by_day[date(2026, 3, 26)] if r.kind == "full")
    assert any("needed by kept incremental" in reason for reason in decisions[full_mar_26.id].reasons)


def test_differential_keeps_its_full_and_the_newest_verified_full_is_never_deleted():
    old_full = Record(id=1, time=at(date(2010, 1, 1)), kind="full", series="db", family="db", verified=True)
    unverified = [Record(id=10 + i, time=at(date(2026, 1, 1) + timedelta(days=i)), kind="full",
                         series="db", family="db") for i in range(3)]
    diff_full = Record(id=2, time=at(date(2011, 1, 1)), kind="full", series="db", family="db")
    diff = Record(id=3, time=at(date(2026, 1, 2), 12), kind="differential", parent_id=2, series="db-diff",
                  family="db")
    decisions = decide([old_full, *unverified, diff_full, diff])
    assert decisions[1].keep and decisions[1].reasons == ["newest verified full"]
    assert decisions[2].keep and decisions[2].reasons == ["needed by kept differential #3"]
    assert all(decisions[r.id].keep for r in unverified)


def test_runs_that_failed_verification_never_fill_a_bucket():
    good = Record(id=1, time=at(date(2026, 1, 1), 1), series="db", verified=True)
    bad = Record(id=2, time=at(date(2026, 1, 1), 5), series="db", verification_failed=True)
    old_bad = Record(id=3, time=at(date(2025, 1, 1), 5), series="db", verification_failed=True)
    decisions = decide([good, bad, old_bad])
    assert any(r.startswith("daily") for r in decisions[1].reasons)
    assert decisions[2].reasons == ["failed verification; kept for inspection within 30d"]
    assert not decisions[3].keep
