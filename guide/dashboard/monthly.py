"""Dossier figures compared like with like: they are uploaded by calendar month, so a month is set
beside the month before and the same month a year earlier, never beside a window of days. For the
province, two months are compared only over the same communes: 2 communes' figures beside 102's
would be a fall that never happened."""

import datetime as dt
from dataclasses import dataclass

from .. import dossiers
from ..dossiers import MonthShare
from . import figures, judge
from .figures import Figures

DOSSIER_FIGURES = ("received", "online_share", "postal_share")


@dataclass(frozen=True)
class Month:
    first: dt.date  # the month's first day
    figures: Figures  # its dossiers added up (dossiers None: no commune has figures)
    communes: frozenset[str]  # the communes with figures that month

    def change(self, column: str, other: "Month") -> judge.Change | None:
        """How a figure moved from `other`; None unless both months hold the same communes."""
        if not self.communes or self.communes != other.communes:
            return None
        return judge.change(column, self.figures.value(column), other.figures.value(column))


@dataclass(frozen=True)
class Compared:
    now: Month
    before: Month  # the month before
    year_ago: Month  # the same month a year earlier


def month_of(connection, slug: str | None, first: dt.date, communes) -> Month:
    """One month's dossiers: a commune's, or (None) every registered commune's added up."""
    registered = {commune.slug for commune in communes}
    shares = {s: t for s, t in dossiers.by_commune(connection, first, first).items() if s in registered}
    if slug is not None:
        shares = {slug: shares[slug]} if slug in shares else {}
    rows = [Figures(s, "", dossiers=totals) for s, totals in shares.items()]
    return Month(first, figures.total(rows), frozenset(shares))


def compared(connection, slug: str | None, first: dt.date, communes) -> Compared:
    return Compared(
        month_of(connection, slug, first, communes),
        month_of(connection, slug, months_back(first, 1), communes),
        month_of(connection, slug, months_back(first, 12), communes),
    )


def with_changes(months: list[MonthShare]) -> list[tuple[MonthShare, dict[str, judge.Change | None]]]:
    """A commune's months, each with how its figures moved from the calendar month before (none
    when that month has no figures)."""
    by_month = {month.month: month for month in months}
    rows = []
    for month in months:
        before = by_month.get(months_back(month.month, 1))
        rows.append(
            (
                month,
                {
                    column: judge.change(column, getattr(month, column), getattr(before, column)) if before else None
                    for column in DOSSIER_FIGURES
                },
            )
        )
    return rows


def months_back(day: dt.date, months: int) -> dt.date:
    """The first day of the month `months` before `day`'s."""
    index = day.year * 12 + day.month - 1 - months
    return dt.date(index // 12, index % 12 + 1, 1)
