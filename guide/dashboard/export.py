"""The dashboard's tables as CSV: UTF-8 with a byte-order mark (so Excel reads Vietnamese), fields
separated by ";" (Excel with Vietnamese settings lists with ";", and reads a "," file as one column),
headers in the visitor's language, cells guarded against formulas (spreadsheet.py)."""

import datetime as dt
import io

from flask import current_app
from flask_babel import gettext as _

from .. import spreadsheet
from ..tallies.classify import ARRIVAL_SOURCES
from . import judge
from .figures import DateRange, Figures
from .gathering import ALL_COLUMNS
from .present import display

SEPARATOR = ";"

# The commune's days, one line each.
DAILY_COLUMNS = ("visitors", "views", "wizard_starts", "outcomes", "portal", *ARRIVAL_SOURCES)


def csv_response(header: list[str], rows: list[list], filename: str):
    buffer = io.StringIO()
    writer = spreadsheet.Writer(buffer, delimiter=SEPARATOR)
    writer.writerow(header)
    for row in rows:
        writer.writerow(row)
    response = current_app.response_class("\ufeff" + buffer.getvalue(), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def district_csv(rows: list[judge.Judged], period: DateRange, labels: dict[str, str]):
    """Every commune's figures, every column, and why it needs attention."""
    return csv_response(
        [_("From"), _("To"), *[labels[c] for c in ALL_COLUMNS], _("Needs attention")],
        [
            [period.start, period.end, *[display(row.now.value(c), c) for c in ALL_COLUMNS], "; ".join(row.reasons)]
            for row in rows
        ],
        f"thong-ke-{period.start}-{period.end}.csv",
    )


def commune_csv(slug: str, days: list[tuple[dt.date, Figures]], period: DateRange, labels: dict[str, str]):
    """A commune's figures, day by day."""
    rows: list[list] = [[day, *[row.value(c) for c in DAILY_COLUMNS]] for day, row in days]
    return csv_response(
        [_("Day"), *[labels[c] for c in DAILY_COLUMNS]], rows, f"thong-ke-{slug}-{period.start}-{period.end}.csv"
    )


def kind_of(column: str) -> str:
    """How a figure is written in a workbook (workbook.FORMATS)."""
    if column in judge.RATES:
        return "share"
    return "decimal" if column == "reach_per_1000" else "count"
