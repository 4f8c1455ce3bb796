"""What the dashboard's pages show, gathered from the database: every commune judged against the
province, one commune's days, tops and months, a month's report. Plain functions over a connection,
the registry's communes and the portal's link keys, so each can be tried without a request."""

import datetime as dt
from dataclasses import dataclass

from .. import dossiers
from ..dossiers import MonthShare
from ..tallies.classify import ARRIVAL_SOURCES
from ..text import fold
from . import figures, judge, monthly, targets
from .figures import DateRange, Figures
from .monthly import months_back

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
# The commune page's comparison and the monthly report: each figure, this period and the last (the
# dossier figures, monthly, are compared month with month: monthly.py).
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
)


def judged_rows(
    connection, period: DateRange, communes, portal_keys: frozenset[str], earlier: DateRange | None = None
) -> list[judge.Judged]:
    """Every commune's figures for the period and the one before, judged against the province's
    median, each with its target. With the dossiers imported for the months the period touches;
    the earlier period's only when it is given as a calendar month (a report's): a window of days
    beside the one before would set the same month's figures against themselves."""
    now = figures.with_dossiers(connection, figures.by_commune(connection, period, communes, portal_keys), period)
    before = figures.by_commune(connection, earlier or figures.previous(period), communes, portal_keys)
    if earlier is not None:
        before = figures.with_dossiers(connection, before, earlier)
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
    months: list[tuple[MonthShare, dict]]  # the last twelve months' dossiers, where imported, each with its changes
    latest: monthly.Compared | None  # its newest month with figures, beside the month before and a year before
    own_target: float | None  # the commune's own target online share, 0 to 1


def commune(connection, slug: str, period: DateRange, communes, portal_keys, today: dt.date) -> Commune:
    everyone = judged_rows(connection, period, communes, portal_keys)
    own_target = targets.all_targets(connection).get(slug)
    months = monthly.with_changes(dossiers.monthly(connection, slug, months_back(today, 12), today))[-12:]
    latest = monthly.compared(connection, slug, months[-1][0].month, communes) if months else None
    return Commune(
        days=figures.daily(connection, slug, period, portal_keys),
        mine=next(row for row in everyone if row.now.slug == slug),
        medians={c: figures.median_of([row.now for row in everyone], c) for c in REPORTED},
        top_guides=figures.top(connection, slug, "view", period),
        top_outcomes=figures.top(connection, slug, "wizard_outcome", period),
        not_useful=figures.by_source(connection, slug, "useful_reason", period),
        months=months,
        latest=latest,
        own_target=None if own_target is None else own_target / 100,
    )


@dataclass
class Report:
    shown: judge.Judged  # the commune's figures, or the province's totals
    flagged: list[judge.Judged]  # for the province: the communes that need attention, most flags first
    advice: str  # what to try
    top_guides: list[tuple[str, int]]
    dossiers: monthly.Compared  # the month's dossiers beside the month before and a year before
    communes: int  # how many communes the report covers (1 for a commune's)
    below_target: int  # how many of them are below their target


def report(connection, slug: str | None, month: DateRange, before: DateRange, communes, portal_keys) -> Report:
    """A month beside the one before, for one commune or (None) for the province."""
    rows = judged_rows(connection, month, communes, portal_keys, before)
    top_guides = figures.top(connection, slug, "view", month, limit=3)
    compared = monthly.compared(connection, slug, month.start, communes)
    if slug is not None:
        shown = next(row for row in rows if row.now.slug == slug)
        below = int(judge.BELOW_TARGET in shown.flags)
        return Report(shown, [], shown.advice, top_guides, compared, 1, below)
    flagged = [row for row in rows if row.flags]
    every_target = targets.target_of(targets.all_targets(connection), targets.EVERY_COMMUNE)
    shown = judge.Judged(
        figures.total([row.now for row in rows]), figures.total([row.before for row in rows]), target=every_target
    )
    flagged.sort(key=lambda row: (-len(row.flags), row.now.name))
    below = sum(judge.BELOW_TARGET in row.flags for row in rows)
    return Report(shown, flagged, judge.advice_for(flagged), top_guides, compared, len(rows), below)
