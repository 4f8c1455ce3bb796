"""The dashboard's figures, computed from the tally counters: plain functions over a connection.

The counters hold daily totals per commune, kind, subject, source and locale (see guide/tallies).
"Visitors" over a range is the sum of each day's unique visitors: the same person on two days
counts twice, because nothing links one day to the next (that is the point of the daily salt).
"""

import datetime as dt
import statistics
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import sqlalchemy as sa

from .. import clock, db, dossiers
from ..communes import details
from ..dossiers import Totals
from ..tallies.classify import ARRIVAL_SOURCES
from ..tallies.store import tally, tally_month

MAX_DAYS = 366
MIN_USEFUL_ANSWERS = 10  # fewer answers to "was this useful?" are not shown as a share
QUERY_TIMEOUT_MS = 10_000  # a year for 166 communes takes well under a second


@dataclass
class Figures:
    """What a commune (or the whole district) did over a date range."""

    slug: str
    name: str
    population: int | None = None
    visitors: int = 0
    views: int = 0
    wizard_starts: int = 0
    outcomes: int = 0
    portal: int = 0
    useful_yes: int = 0
    useful_no: int = 0
    arrivals: dict[str, int] = field(default_factory=dict)
    dossiers: Totals | None = None  # the months' dossiers, where the province imported them

    @property
    def useful_answers(self) -> int:
        return self.useful_yes + self.useful_no

    @property
    def useful_share(self) -> float | None:
        """Hidden below MIN_USEFUL_ANSWERS: a handful of answers says nothing about a page."""
        return self.useful_yes / self.useful_answers if self.useful_answers >= MIN_USEFUL_ANSWERS else None

    @property
    def reach_per_1000(self) -> float | None:
        return self.visitors * 1000 / self.population if self.population else None

    @property
    def completion(self) -> float | None:
        """Wizards finished ÷ started."""
        return self.outcomes / self.wizard_starts if self.wizard_starts else None

    @property
    def click_through(self) -> float | None:
        """Visits to the portal ÷ visitors."""
        return self.portal / self.visitors if self.visitors else None

    @property
    def received(self) -> int | None:
        """None where no figures were imported: no figures is not 0 dossiers."""
        return self.dossiers.received if self.dossiers else None

    @property
    def online_share(self) -> float | None:
        return self.dossiers.online_share if self.dossiers else None

    @property
    def postal_share(self) -> float | None:
        return self.dossiers.postal_share if self.dossiers else None

    def value(self, column: str):
        if column in ARRIVAL_SOURCES:
            return self.arrivals.get(column, 0)
        return getattr(self, column)


@dataclass(frozen=True)
class DateRange:
    start: dt.date
    end: dt.date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def each_day(self) -> list[dt.date]:
        return [self.start + dt.timedelta(days=i) for i in range(self.days)]


def previous(period: DateRange) -> DateRange:
    """The period of the same length just before."""
    return DateRange(period.start - dt.timedelta(days=period.days), period.start - dt.timedelta(days=1))


def parse_range(today: dt.date, period: str | None, start: str | None, end: str | None) -> tuple[DateRange, bool]:
    """The range asked for, and whether the request made sense (else: the last 30 days)."""
    if start or end:
        try:
            first, last = dt.date.fromisoformat(start or ""), dt.date.fromisoformat(end or "")
        except ValueError:
            return DateRange(today - dt.timedelta(days=29), today), False
        if first <= last and (last - first).days < MAX_DAYS:
            return DateRange(first, last), True
        return DateRange(today - dt.timedelta(days=29), today), False
    days = {"7": 7, "30": 30, "90": 90}.get(period or "30")
    if days is None:
        return DateRange(today - dt.timedelta(days=29), today), False
    return DateRange(today - dt.timedelta(days=days - 1), today), True


def month_range(first: dt.date, today: dt.date) -> DateRange:
    """The month beginning on `first`, up to today if it is this month."""
    after = _next_month(first)
    return DateRange(first, min(after - dt.timedelta(days=1), today))


def parse_month(today: dt.date, month: str | None) -> tuple[DateRange, bool]:
    """The month asked for (YYYY-MM, begun by today), and whether the request made sense (else:
    last month, the one a monthly report is about)."""
    last_month = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    if month is None:
        return month_range(last_month, today), True
    try:
        first = dt.date.fromisoformat(f"{month.strip()}-01")
    except ValueError:
        return month_range(last_month, today), False
    if first > today or first.year < 2000:
        return month_range(last_month, today), False
    return month_range(first, today), True


def total(rows: list[Figures]) -> Figures:
    """The province: every commune's figures added up (its population only when every commune has one)."""
    whole = Figures("", "")
    for row in rows:
        for name in ("visitors", "views", "wizard_starts", "outcomes", "portal", "useful_yes", "useful_no"):
            setattr(whole, name, getattr(whole, name) + getattr(row, name))
        for source, count in row.arrivals.items():
            whole.arrivals[source] = whole.arrivals.get(source, 0) + count
    if rows and all(row.population for row in rows):
        whole.population = sum(row.population for row in rows)
    shares = [row.dossiers for row in rows if row.dossiers]
    if shares:
        whole.dossiers = Totals(
            sum(s.received for s in shares),
            sum(s.online for s in shares),
            sum(s.postal for s in shares),
            any(s.demo for s in shares),
        )
    return whole


@contextmanager
def reading() -> Iterator[sa.Connection]:
    """A connection for the dashboard's sums. On PostgreSQL they get room to work in memory (with
    the default work_mem, a year for 100 communes sorts on disk, 0.76 s, instead of hashing, 0.3 s),
    and a bound: a query held up (by a lock, a runaway plan) is cancelled after QUERY_TIMEOUT_MS, and
    the dashboard answers "try again" (blueprint.database_unavailable) instead of holding a worker. On
    SQLite readers never wait for the writer (WAL); a lock is waited out for db.LOCK_WAIT_MS at most."""
    with db.engine().connect() as connection:
        if connection.dialect.name == "postgresql":  # SET LOCAL: this transaction only
            connection.exec_driver_sql("SET LOCAL work_mem = '32MB'")
            connection.exec_driver_sql(f"SET LOCAL statement_timeout = {int(QUERY_TIMEOUT_MS)}")
        yield connection


# The counter kinds that add straight to one figure (outbound clicks and arrivals need more).
_FIGURE_OF_KIND = {
    "visitors": "visitors",
    "view": "views",
    "wizard_start": "wizard_starts",
    "wizard_outcome": "outcomes",
    "useful_yes": "useful_yes",
    "useful_no": "useful_no",
}


def _sums(table: sa.Table, by: str, where, portal_keys: frozenset[str]) -> sa.Select:
    """The counts the figures are made of, summed by the column `by` (commune or day), kind and
    source (outbound clicks only to the portal). Summed in the database: a year of a large province
    (Thanh Hóa's 166 communes) is some 16,000 (commune, kind, subject, source) groups, about 40 ms
    to fetch row by row, where the figures need a dozen rows per commune. Summed first in the key's
    order, then again without the subject: on SQLite that reads the month sums with no sort (48 ms
    for the year, against 68 ms summed at once without the subject)."""
    wanted = sa.or_(
        table.c.kind.in_([*_FIGURE_OF_KIND, "arrival"]),
        sa.and_(table.c.kind == "outbound", table.c.subject.in_(sorted(portal_keys))),
    )
    key = (table.c[by], table.c.kind, table.c.subject, table.c.source)
    sums = sa.select(*key, sa.func.sum(table.c["count"]).label("n")).where(where, wanted).group_by(*key).subquery()
    again = (sums.c[by], sums.c.kind, sums.c.source)
    return sa.select(*again, sa.func.sum(sums.c.n)).group_by(*again)


def _add(figures: Figures, kind: str, source: str, count: int) -> None:
    """Adds one of _sums' rows to a commune's (or a day's) figures."""
    if kind in _FIGURE_OF_KIND:
        name = _FIGURE_OF_KIND[kind]
        setattr(figures, name, getattr(figures, name) + count)
    elif kind == "outbound":
        figures.portal += count
    elif kind == "arrival":
        figures.arrivals[source] = figures.arrivals.get(source, 0) + count


@dataclass(frozen=True)
class Reading:
    """How a range's sums are read: the month sums of `months`, plus the days of `added`, minus the
    days of `taken` (days of those months outside the range)."""

    months: DateRange | None  # first days of the first and the last month
    added: list[DateRange]
    taken: list[DateRange]


def reading_plan(period: DateRange, today: dt.date) -> Reading:
    """The cheapest way to read a range: whole months from the month sums; a partial month by its
    own days or, when fewer, by its month's sum less the days outside the range. Days after
    `today` have nothing counted yet, so they cost nothing to leave out: this month, read up to
    today, is its month sum alone."""
    months, added, taken = [], [], []
    month = period.start.replace(day=1)
    while month <= period.end:
        after = _next_month(month)
        inside = DateRange(max(month, period.start), min(after - dt.timedelta(days=1), period.end))
        outside = [
            DateRange(month, inside.start - dt.timedelta(days=1)),
            DateRange(inside.end + dt.timedelta(days=1), min(after - dt.timedelta(days=1), today)),
        ]
        outside = [days for days in outside if days.start <= days.end]
        if sum(days.days for days in outside) < inside.days:
            months.append(month)
            taken += outside
        else:
            added.append(inside)
        month = after
    return Reading(_span(months), added, taken)


def _span(months: list[dt.date]) -> DateRange | None:
    """The months read from the month sums: always consecutive (only the first and the last month
    of a range can be read by their days)."""
    return DateRange(months[0], months[-1]) if months else None


def _next_month(day: dt.date) -> dt.date:
    return (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def by_commune(
    connection, period: DateRange, communes, portal_keys: frozenset[str], today: dt.date | None = None
) -> list[Figures]:
    """One row per registered commune (zeros where nothing was counted)."""
    plan = reading_plan(period, today or clock.today())
    queries = []  # (query, +1 or -1)
    for days, sign in ((plan.added, 1), (plan.taken, -1)):
        if days:
            in_days = sa.or_(*(tally.c.day.between(d.start, d.end) for d in days))
            queries.append((_sums(tally, "commune", in_days, portal_keys), sign))
    if plan.months:
        in_months = tally_month.c.month.between(plan.months.start, plan.months.end)
        queries.append((_sums(tally_month, "commune", in_months, portal_keys), 1))
    people = details.populations(connection)  # entered on the dashboard (communes/details.py)
    table = {c.slug: Figures(c.slug, c.name, people.get(c.slug)) for c in communes}
    for query, sign in queries:
        for commune, kind, source, count in connection.execute(query):
            if commune in table:
                _add(table[commune], kind, source, sign * int(count))
    for row in table.values():  # a source whose days were all taken away again
        row.arrivals = {source: count for source, count in row.arrivals.items() if count}
    return list(table.values())


def with_dossiers(connection, rows: list[Figures], period: DateRange) -> list[Figures]:
    """The rows, each with the dossiers imported for its commune over the months the period touches."""
    shares = dossiers.by_commune(connection, period.start, period.end)
    for row in rows:
        row.dossiers = shares.get(row.slug)
    return rows


def daily(connection, commune: str, period: DateRange, portal_keys: frozenset[str]) -> list[tuple[dt.date, Figures]]:
    in_days = sa.and_(tally.c.commune == commune, tally.c.day.between(period.start, period.end))
    days = {day: Figures(commune, day.isoformat()) for day in period.each_day()}
    for day, kind, source, count in connection.execute(_sums(tally, "day", in_days, portal_keys)):
        day = day if isinstance(day, dt.date) else dt.date.fromisoformat(str(day))
        if day in days:
            _add(days[day], kind, source, int(count))
    return sorted(days.items())


def top(connection, commune: str | None, kind: str, period: DateRange, limit: int = 10) -> list[tuple[str, int]]:
    """The most counted subjects of a kind, in a commune or (None) in all of them."""
    total = sa.func.sum(tally.c.count).label("total")
    where = [tally.c.kind == kind, tally.c.day.between(period.start, period.end)]
    if commune is not None:
        where.append(tally.c.commune == commune)
    rows = connection.execute(
        sa.select(tally.c.subject, total)
        .where(*where)
        .group_by(tally.c.subject)
        .order_by(total.desc(), tally.c.subject)
        .limit(limit)
    )
    return [(subject, int(count)) for subject, count in rows]


def by_source(connection, commune: str, kind: str, period: DateRange) -> dict[str, int]:
    """A commune's counts of a kind by source: why readers found pages not useful, say."""
    rows = connection.execute(
        sa.select(tally.c.source, sa.func.sum(tally.c["count"]))
        .where(tally.c.commune == commune, tally.c.kind == kind, tally.c.day.between(period.start, period.end))
        .group_by(tally.c.source)
    )
    return {source: int(count) for source, count in rows}


def median_of(rows: list[Figures], column: str) -> float:
    values = [row.value(column) for row in rows if row.value(column) is not None]
    return statistics.median(values) if values else 0


def sort_rows(rows: list[Figures], column: str, descending: bool) -> list[Figures]:
    if column == "name":
        return sorted(rows, key=lambda r: r.name, reverse=descending)
    # rows without a value (no population, no answers) go last either way
    present = [r for r in rows if r.value(column) is not None]
    absent = [r for r in rows if r.value(column) is None]
    return sorted(present, key=lambda r: (r.value(column), r.name), reverse=descending) + absent
