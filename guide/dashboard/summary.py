"""What the province page says first: the month's online share of the province against its target,
the communes below their target (farthest first), those with no figures for the month, and the
three to start with, and why. The month is the newest with dossier figures: they are uploaded after
the month ends, so the calendar month under way has none yet."""

import datetime as dt
from dataclasses import dataclass

from .. import dossiers
from . import figures, gathering, judge, targets
from .figures import DateRange, Figures
from .monthly import months_back

START_WITH = 3  # communes named as the place to start


@dataclass
class Summary:
    month: DateRange
    province: Figures  # every commune's figures for the month, added up
    target: float | None  # the target set for every commune, 0 to 1
    communes: int  # how many communes the province has
    below: list[judge.Judged]  # below their target, farthest first
    without: list[Figures]  # no dossier figures for the month
    start_with: list[judge.Judged]  # the flagged communes to start with, most flags first

    @property
    def with_figures(self) -> int:
        return self.communes - len(self.without)

    @property
    def points_to_target(self) -> float | None:
        """How far the province's online share is below the target, in points (0 once reached)."""
        share = self.province.online_share
        return None if self.target is None or share is None else max(0.0, (self.target - share) * 100)


def summary_month(connection, today: dt.date) -> DateRange:
    """The newest month with dossier figures; last month while none are uploaded."""
    first = dossiers.last_month(connection) or months_back(today, 1)
    return figures.month_range(first, today)


def summarise(connection, today: dt.date, communes, portal_keys) -> Summary:
    month = summary_month(connection, today)
    before = figures.month_range(months_back(month.start, 1), today)
    rows = gathering.judged_rows(connection, month, communes, portal_keys, before)
    below = [row for row in rows if judge.BELOW_TARGET in row.flags]
    below.sort(key=lambda row: (-row.points_to_target, row.now.name))
    return Summary(
        month=month,
        province=figures.total([row.now for row in rows]),
        target=targets.target_of(targets.all_targets(connection), targets.EVERY_COMMUNE),
        communes=len(rows),
        below=below,
        without=sorted((row.now for row in rows if row.now.dossiers is None), key=lambda row: row.name),
        start_with=start_with(rows),
    )


def start_with(rows: list[judge.Judged]) -> list[judge.Judged]:
    """The flagged communes to start with: the most flags, then the farthest below target, then the
    most dossiers received (where help reaches the most residents)."""
    flagged = [row for row in rows if row.flags]
    flagged.sort(
        key=lambda row: (-len(row.flags), -(row.points_to_target or 0), -(row.now.received or 0), row.now.name)
    )
    return flagged[:START_WITH]
