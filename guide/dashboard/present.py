"""How the dashboard's pages put their figures: what the request asks for (range, sorting, a
commune's name), the figures' labels and formats in the visitor's language, and the charts."""

from dataclasses import dataclass

from flask import current_app, request
from flask_babel import gettext as _

from .. import clock
from ..tallies.classify import ARRIVAL_SOURCES
from ..tallies.views import REASONS
from . import charts, figures, judge
from .gathering import ALL_COLUMNS, COLUMNS, Commune
from .labels import subject_label


def portal_keys() -> frozenset[str]:
    """Outbound link keys that lead to a public-service portal: the click-throughs that matter."""
    links = current_app.extensions["guide.library"].links
    return frozenset(key for key, link in links.items() if "dichvucong" in link.url)


def communes():
    return current_app.extensions["guide.registry"].communes


def requested_range() -> tuple[figures.DateRange, bool]:
    return figures.parse_range(clock.today(), request.args.get("ky"), request.args.get("tu"), request.args.get("den"))


@dataclass(frozen=True)
class TableChoice:
    """How the district view's table is asked for: every column or the main ones, sorted by which,
    and the commune name being looked for."""

    every_column: bool
    column: str
    descending: bool
    name_filter: str

    @classmethod
    def requested(cls) -> "TableChoice":
        column = request.args.get("sap-xep", "visitors")
        return cls(
            every_column=request.args.get("cot") == "tat-ca",
            column=column if column in ALL_COLUMNS else "visitors",
            descending=request.args.get("chieu", "giam") != "tang",
            name_filter=request.args.get("xa", "")[:80].strip(),
        )

    @property
    def columns(self) -> tuple[str, ...]:
        return ALL_COLUMNS if self.every_column else COLUMNS

    @property
    def ranked_by(self) -> str:
        """The figure the ranking chart shows: the sorted column, or visitors when sorted by name."""
        return self.column if self.column != "name" else "visitors"


def with_data(columns: tuple[str, ...], rows) -> tuple[str, ...]:
    """The columns some commune has a figure for (no population anywhere: no reach per 1,000)."""
    return tuple(c for c in columns if c == "name" or any(row.now.value(c) is not None for row in rows))


def filters() -> dict[str, str]:
    """The range (and a commune name being looked for), kept in every link of the page."""
    return {k: v for k, v in request.args.items() if k in ("ky", "tu", "den", "xa")}


def column_labels() -> dict[str, str]:
    return {
        "name": _("Commune"),
        "visitors": _("Visitors"),
        "views": _("Page views"),
        "wizard_starts": _("Wizards started"),
        "outcomes": _("Wizards finished"),
        "completion": _("Finished of started"),
        "portal": _("To the portal"),
        "click_through": _("Visitors who went on to the portal"),
        "qr": _("From QR"),
        "poster": _("From posters"),
        "link": _("From shared links"),
        "plan": _("From printed plans"),
        "zalo": _("From Zalo"),
        "facebook": _("From Facebook"),
        "useful_share": _("Found it useful"),
        "reach_per_1000": _("Visitors per 1,000 residents"),
        "received": _("Dossiers received"),
        "online_share": _("Submitted online"),
        "postal_share": _("Submitted by post"),
    }


def display(value, column: str) -> str:
    if value is None:
        return ""
    if column in judge.RATES:
        return f"{value:.0%}"
    if column == "reach_per_1000":
        return f"{value:.1f}"
    if isinstance(value, float):  # a median of counts: 709, or 2152.5 between two communes
        return f"{value:.0f}" if value == int(value) else f"{value:.1f}"
    return str(value)


def labelled(top: list[tuple[str, int]]) -> list[tuple[str, int]]:
    """The most counted subjects, each by its title."""
    return [(subject_label(subject), count) for subject, count in top]


def not_useful_reasons() -> list[tuple[str, str]]:
    """The reasons a reader can give for "not useful" (guide/tallies/views.py), as the form words them."""
    labels = {
        "hard": _("It is hard to understand"),
        "missing": _("Information is missing"),
        "wrong": _("Information is wrong"),
        "other": _("Something else"),
    }
    return [(code, labels[code]) for code in REASONS]


def ranking_chart(rows: list[judge.Judged], column: str, labels: dict[str, str]):
    """Every commune ranked by one figure."""
    return charts.bar_chart(
        "chart-ranking",
        _("Every commune ranked by %(measure)s", measure=labels[column]),
        [(row.now.name, row.now.value(column) or 0) for row in rows],
        lambda value: display(value, column),
    )


def commune_charts(found: Commune, labels: dict[str, str]) -> dict:
    """The commune page's charts: its days, its months' shares (from two months on), its arrivals,
    and its funnel from reading to the portal."""
    days, months, mine = found.days, found.months, found.mine.now
    return {
        "daily_chart": charts.line_chart(
            "chart-daily",
            _("Visitors and page views per day"),
            [day.strftime("%d/%m") for day, _row in days],
            [(labels["visitors"], [r.visitors for _day, r in days]), (labels["views"], [r.views for _day, r in days])],
        ),
        "shares_chart": charts.line_chart(
            "chart-shares",
            _("Share of dossiers submitted online and by post, per month"),
            [month.month.strftime("%m/%Y") for month, _changes in months],
            [
                (labels["online_share"], [round((m.online_share or 0) * 100) for m, _changes in months]),
                (labels["postal_share"], [round((m.postal_share or 0) * 100) for m, _changes in months]),
            ],
        )
        if len(months) > 1
        else None,
        "sources_chart": charts.bar_chart(
            "chart-sources",
            _("Arrivals by source"),
            [(labels[s], mine.arrivals.get(s, 0)) for s in ARRIVAL_SOURCES],
        ),
        "funnel_chart": charts.bar_chart(
            "chart-funnel",
            _("From reading to the portal"),
            [
                (labels["views"], mine.views),
                (labels["wizard_starts"], mine.wizard_starts),
                (labels["outcomes"], mine.outcomes),
                (labels["portal"], mine.portal),
            ],
        ),
    }
