"""What the dashboard's pages show, gathered from the database: every commune judged against the
province, one commune's days, tops and months, a month's report. Plain functions over a connection,
the registry's communes and the portal's link keys, so each can be tried without a request."""

import datetime as dt
from dataclasses import dataclass

from .. import dossiers
from ..dossiers import MonthShare
from ..tallies.classify import ARRIVAL_SOURCES
from ..text import fold
from . import figures, judge, targets
from .figures import DateRange, Figures

# The district view's columns: what judges a commune first, the counts behind them on demand.
COLUMNS = ("name", "reach_per_1000", "visitors", "completion", "click_through", "useful_share", "online_share")
ALL_COLUMNS = (
    *COLUMNS,
    "views",
    "wizard_starts",
    "outcomes",
    "portal",
    "received",
    "postal_share",
    *ARRIVAL_SOURCES,
)
# The commune page's comparison and the monthly report: each figure, this period and the last.
REPORTED = (
    "visitors",
    "reach_per_1000",
    "views",
    "wizard_starts",
    "outcomes",
    "completion",
    "portal",
    "click_through",
    "useful_share",
    "received",
    "online_share",
    "postal_share",
)


def judged_rows(
    connection, period: DateRange, communes, portal_keys: frozenset[str], earlier: DateRange | None = None
) -> list[judge.Judged]:
    """Every commune's figures for the period and the one before (of the same length, unless
    given), with the dossiers imported for the months they touch, judged against the province's
    median, each with its target."""
    earlier = earlier or figures.previous(period)
    now = figures.with_dossiers(connection, figures.by_commune(connection, period, communes, portal_keys), period)
    before = figures.with_dossiers(connection, figures.by_commune(connection, earlier, communes, portal_keys), earlier)
    set_targets = targets.all_targets(connection)
    return judge.judge(now, before, {row.slug: targets.target_of(set_targets, row.slug) for row in now})


def sorted_rows(rows: list[judge.Judged], column: str, descending: bool) -> list[judge.Judged]:
    order = {row.slug: i for i, row in enumerate(figures.sort_rows([r.now for r in rows], column, descending))}
    return sorted(rows, key=lambda r: order[r.now.slug])


def named(rows: list[judge.Judged], name_filter: str) -> list[judge.Judged]:
    """The rows whose commune's name or slug holds the text: "buon", "Buôn", "ea" all find their
    communes, accents and case aside. Every row for no text."""
    if not name_filter:
        return rows
    wanted = fold(name_filter)
    return [row for row in rows if wanted in fold(row.now.name) or wanted in row.now.slug]


@dataclass
class District:
    rows: list[judge.Judged]  # named and sorted as asked


def district(
    connection, period: DateRange, communes, portal_keys, *, name_filter: str, column: str, descending: bool
) -> District:
    rows = judged_rows(connection, period, communes, portal_keys)
    return District(sorted_rows(named(rows, name_filter), column, descending))


@dataclass
class Commune:
    days: list[tuple[dt.date, Figures]]
    mine: judge.Judged  # the commune among every commune, judged
    medians: dict[str, float]  # of every commune, for each REPORTED figure
    top_guides: list[tuple[str, int]]  # (subject, count), most read first
    top_outcomes: list[tuple[str, int]]
    not_useful: dict[str, int]  # why readers found pages not useful: reason code -> count
    months: list[MonthShare]  # the last twelve months' dossiers, where imported
    own_target: float | None  # the commune's own target online share, 0 to 1


def commune(connection, slug: str, period: DateRange, communes, portal_keys, today: dt.date) -> Commune:
    everyone = judged_rows(connection, period, communes, portal_keys)
    own_target = targets.all_targets(connection).get(slug)
    return Commune(
        days=figures.daily(connection, slug, period, portal_keys),
        mine=next(row for row in everyone if row.now.slug == slug),
        medians={c: figures.median_of([row.now for row in everyone], c) for c in REPORTED},
        top_guides=figures.top(connection, slug, "view", period),
        top_outcomes=figures.top(connection, slug, "wizard_outcome", period),
        not_useful=figures.by_source(connection, slug, "useful_reason", period),
        months=dossiers.monthly(connection, slug, months_back(today, 11), today),
        own_target=None if own_target is None else own_target / 100,
    )


@dataclass
class Report:
    shown: judge.Judged  # the commune's figures, or the province's totals
    flagged: list[judge.Judged]  # for the province: the communes that need attention, most flags first
    advice: str  # what to try
    top_guides: list[tuple[str, int]]


def report(connection, slug: str | None, month: DateRange, before: DateRange, communes, portal_keys) -> Report:
    """A month beside the one before, for one commune or (None) for the province."""
    rows = judged_rows(connection, month, communes, portal_keys, before)
    top_guides = figures.top(connection, slug, "view", month, limit=3)
    if slug is not None:
        shown = next(row for row in rows if row.now.slug == slug)
        return Report(shown, [], shown.advice, top_guides)
    flagged = [row for row in rows if row.flags]
    shown = judge.Judged(figures.total([row.now for row in rows]), figures.total([row.before for row in rows]))
    flagged.sort(key=lambda row: (-len(row.flags), row.now.name))
    return Report(shown, flagged, judge.advice_for(flagged), top_guides)


def months_back(day: dt.date, months: int) -> dt.date:
    """The first day of the month `months` before `day`'s."""
    index = day.year * 12 + day.month - 1 - months
    return dt.date(index // 12, index % 12 + 1, 1)
