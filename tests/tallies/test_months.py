"""The month sums beside the daily counters: written with them, rebuilt from them, and read by the
district view for a range's whole months, on SQLite and PostgreSQL. Whatever the range, the
figures are the ones the days alone give."""

import datetime as dt
import random
from collections import Counter
from types import SimpleNamespace

import sqlalchemy as sa

from guide import db
from guide.dashboard import figures
from guide.tallies.store import add_counts, rebuild_months, salt, tally, tally_month, visitor

COMMUNES = [SimpleNamespace(slug=slug, name=slug, population=None) for slug in ("ea-na", "krong-ana", "dur-kmal")]
PORTAL = frozenset({"dich-vu-cong"})
FIRST_DAY = dt.date(2025, 12, 20)
DAYS = 80  # to 9 March 2026: three month ends, February's short one among them
LAST_DAY = FIRST_DAY + dt.timedelta(days=DAYS - 1)  # "today": nothing is counted after it


def random_counts(seed: int) -> Counter:
    rng = random.Random(seed)
    counts = Counter()
    for _ in range(600):
        day = FIRST_DAY + dt.timedelta(days=rng.randrange(DAYS))
        kind, subject, source = rng.choice(
            [
                ("view", "nop-qua-buu-dien", ""),
                ("view", "home", ""),
                ("visitors", "", ""),
                ("wizard_start", "cach-nop", ""),
                ("wizard_outcome", "cach-nop:buu-dien", ""),
                ("outbound", "dich-vu-cong", ""),
                ("outbound", "vneid", ""),
                ("arrival", "", rng.choice(["zalo", "poster"])),
                ("useful_yes", "nop-qua-buu-dien", ""),
                ("useful_no", "home", ""),
                ("useful_reason", "home", "kho-hieu"),  # no figure of the district's: read by the commune page
                ("search", "", ""),
            ]
        )
        counts[(day, rng.choice(COMMUNES).slug, kind, subject, source, rng.choice(["vi", "en"]))] += rng.randint(1, 5)
    return counts


FIELD_OF_KIND = {
    "view": "views",
    "visitors": "visitors",
    "wizard_start": "wizard_starts",
    "wizard_outcome": "outcomes",
    "useful_yes": "useful_yes",
    "useful_no": "useful_no",
}


def from_days_alone(counts: Counter, period: figures.DateRange) -> dict[str, figures.Figures]:
    """The figures added up here, counter by counter, from the days in the period."""
    table = {c.slug: figures.Figures(c.slug, c.name) for c in COMMUNES}
    for (day, commune, kind, subject, source, _locale), n in counts.items():
        if not period.start <= day <= period.end:
            continue
        row = table[commune]
        if kind == "outbound" and subject in PORTAL:
            row.portal += n
        elif kind == "arrival":
            row.arrivals[source] = row.arrivals.get(source, 0) + n
        elif kind in FIELD_OF_KIND:
            setattr(row, FIELD_OF_KIND[kind], getattr(row, FIELD_OF_KIND[kind]) + n)
    return table


def times_read(plan: figures.Reading, day: dt.date) -> int:
    """How many times a day's counters are added by a reading plan (taken days count -1)."""
    count = sum(day in days.each_day() for days in plan.added) - sum(day in days.each_day() for days in plan.taken)
    if plan.months is not None and plan.months.start <= day.replace(day=1) <= plan.months.end:
        count += 1
    return count


def test_a_reading_plan_reads_each_day_of_the_range_once_and_no_other_counted_day():
    today = LAST_DAY
    window = [FIRST_DAY - dt.timedelta(days=40) + dt.timedelta(days=i) for i in range(DAYS + 40)]
    for start_offset in range(0, DAYS, 3):
        for length in range(1, DAYS - start_offset + 1, 4):
            start = FIRST_DAY + dt.timedelta(days=start_offset)
            period = figures.DateRange(start, start + dt.timedelta(days=length - 1))
            plan = figures.reading_plan(period, today)
            for day in window:  # (days after today have nothing counted: the plan may leave them in)
                assert times_read(plan, day) == (period.start <= day <= period.end), (period, day)
            read = sum(d.days for d in plan.added + plan.taken)
            assert read <= period.days and read <= 2 * 15 + 1, (period, plan)  # never more than half a month a side


def test_a_year_to_today_reads_at_most_a_few_days_one_by_one():
    plan = figures.reading_plan(figures.DateRange(dt.date(2025, 12, 3), dt.date(2026, 12, 2)), dt.date(2026, 12, 2))
    assert plan.months == figures.DateRange(dt.date(2025, 12, 1), dt.date(2026, 12, 1))
    assert plan.added == [] and plan.taken == [figures.DateRange(dt.date(2025, 12, 1), dt.date(2025, 12, 2))]


def test_the_district_figures_from_month_sums_are_the_figures_of_the_days(engine):
    counts = random_counts(seed=7)
    with engine.begin() as connection:  # written as the recorder writes: in several transactions
        for half in (0, 1):
            add_counts(connection, Counter({key: n for i, (key, n) in enumerate(counts.items()) if i % 2 == half}))
    rng = random.Random(3)
    periods = [figures.DateRange(dt.date(2026, 1, 1), dt.date(2026, 2, 28))]  # exactly two months
    for _ in range(40):
        start = FIRST_DAY + dt.timedelta(days=rng.randrange(DAYS))
        periods.append(figures.DateRange(start, start + dt.timedelta(days=rng.randrange(70))))
    with engine.connect() as connection:
        for period in periods:
            expected = from_days_alone(counts, period)
            for row in figures.by_commune(connection, period, COMMUNES, PORTAL, today=LAST_DAY):
                assert row == expected[row.slug], period


def test_rebuilding_the_month_sums_gives_what_the_writes_gave(engine):
    with engine.begin() as connection:
        add_counts(connection, random_counts(seed=11))
        written = sorted(tuple(row) for row in connection.execute(sa.select(tally_month)))
        rebuild_months(connection)
        assert sorted(tuple(row) for row in connection.execute(sa.select(tally_month))) == written
        assert len(written) > 50


def test_a_version_3_database_gets_month_sums_of_the_days_it_already_counted(tmp_path):
    engine = db.make_engine(f"sqlite:///{tmp_path / 'old.sqlite3'}")
    counts = random_counts(seed=5)
    with engine.begin() as connection:  # as releases before the month sums made it
        connection.exec_driver_sql("CREATE TABLE schema_version (version INTEGER PRIMARY KEY)")
        connection.exec_driver_sql("INSERT INTO schema_version VALUES (1), (2), (3)")
        for table in (tally, visitor, salt):
            connection.execute(sa.schema.CreateTable(table))
        connection.execute(
            sa.insert(tally),
            [
                dict(zip(("day", "commune", "kind", "subject", "source", "locale"), k), count=n)
                for k, n in counts.items()
            ],
        )
    assert db.create_schema(engine) == db.head()
    period = figures.DateRange(dt.date(2026, 1, 1), dt.date(2026, 1, 31))
    with engine.connect() as connection:
        assert figures.reading_plan(period, LAST_DAY) == figures.Reading(
            figures.DateRange(period.start, period.start), [], []
        )
        rows = {row.slug: row for row in figures.by_commune(connection, period, COMMUNES, PORTAL, today=LAST_DAY)}
    assert rows == from_days_alone(counts, period)
    assert sum(row.views for row in rows.values()) > 0
    engine.dispose()
