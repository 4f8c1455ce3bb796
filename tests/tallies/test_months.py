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
            ]
        )
        counts[(day, rng.choice(COMMUNES).slug, kind, subject, source, rng.choice(["vi", "en"]))] += rng.randint(1, 5)
    return counts


def from_days_alone(counts: Counter, period: figures.DateRange) -> dict[str, figures.Figures]:
    table = {c.slug: figures.Figures(c.slug, c.name) for c in COMMUNES}
    for (day, commune, kind, subject, source, _locale), n in counts.items():
        if period.start <= day <= period.end:
            figures._add(table[commune], kind, subject, source, n, PORTAL)
    return table


def test_a_range_is_its_whole_months_and_the_days_either_side_exactly():
    for start_offset in range(0, 75, 3):
        for length in range(1, 75, 4):
            start = FIRST_DAY + dt.timedelta(days=start_offset)
            period = figures.DateRange(start, start + dt.timedelta(days=length - 1))
            months, edges = figures.whole_months(period)
            covered = [day for edge in edges for day in edge.each_day()]
            if months is not None:
                assert months.start.day == months.end.day == 1
                month = months.start
                while month <= months.end:
                    next_month = figures._next_month(month)
                    covered += figures.DateRange(month, next_month - dt.timedelta(days=1)).each_day()
                    month = next_month
            assert sorted(covered) == period.each_day(), period  # every day once, none outside


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
            for row in figures.by_commune(connection, period, COMMUNES, PORTAL):
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
    assert db.create_schema(engine) == len(db.MIGRATIONS)
    period = figures.DateRange(dt.date(2026, 1, 1), dt.date(2026, 1, 31))
    with engine.connect() as connection:
        assert figures.whole_months(period) == (figures.DateRange(period.start, period.start), [])
        rows = {row.slug: row for row in figures.by_commune(connection, period, COMMUNES, PORTAL)}
    assert rows == from_days_alone(counts, period)
    assert sum(row.views for row in rows.values()) > 0
    engine.dispose()
