"""The dashboard's tables as an Excel workbook (.xlsx, openpyxl): headers in the visitor's language,
counts as numbers, shares as percentages, days as dates, the header row frozen. Text that a
spreadsheet would run as a formula is guarded as in the CSV (spreadsheet.py)."""

import datetime as dt
import io

from flask import current_app
from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from .. import spreadsheet
from . import judge
from .export import DAILY_COLUMNS, kind_of
from .figures import DateRange, Figures
from .gathering import ALL_COLUMNS

MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# How a column's cells are written: a number format, or None for text.
FORMATS = {"date": "dd/mm/yyyy", "count": "0", "share": "0%", "decimal": "0.0", "text": None}


def cell_value(value, kind: str):
    """A cell as its type: numbers stay numbers (no figure is an empty cell, never 0), text is text."""
    if value is None or value == "":
        return None
    if kind == "text" or not isinstance(value, (int, float, dt.date)):
        return spreadsheet.cell(str(value))
    return value


def xlsx_response(title: str, header: list[str], kinds: list[str], rows: list[list], filename: str):
    book = Workbook()
    sheet = book.active
    sheet.title = title[:31]  # Excel's limit on a sheet's name
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([cell_value(value, kind) for value, kind in zip(row, kinds, strict=True)])
    for column, kind in enumerate(kinds, start=1):
        number_format = FORMATS[kind]
        letter = sheet.cell(row=1, column=column).column_letter
        sheet.column_dimensions[letter].width = max(10, min(40, len(str(header[column - 1])) + 2))
        if number_format:
            for (cell,) in sheet.iter_rows(min_row=2, min_col=column, max_col=column):
                cell.number_format = number_format
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    book.save(buffer)
    response = current_app.response_class(buffer.getvalue(), mimetype=MIMETYPE)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def district_xlsx(rows: list[judge.Judged], period: DateRange, labels: dict[str, str]):
    """Every commune's figures, every column, and why it needs attention: the CSV's table, typed."""
    figures = ALL_COLUMNS[1:]  # after the commune's name
    return xlsx_response(
        _("Reach by commune"),
        [_("From"), _("To"), labels["name"], *[labels[c] for c in figures], _("Needs attention")],
        ["date", "date", "text", *[kind_of(c) for c in figures], "text"],
        [
            [period.start, period.end, row.now.name, *[row.now.value(c) for c in figures], "; ".join(row.reasons)]
            for row in rows
        ],
        f"thong-ke-{period.start}-{period.end}.xlsx",
    )


def commune_xlsx(slug: str, days: list[tuple[dt.date, Figures]], period: DateRange, labels: dict[str, str]):
    """A commune's figures, day by day."""
    return xlsx_response(
        _("Day by day"),
        [_("Day"), *[labels[c] for c in DAILY_COLUMNS]],
        ["date", *["count" for _c in DAILY_COLUMNS]],
        [[day, *[row.value(c) for c in DAILY_COLUMNS]] for day, row in days],
        f"thong-ke-{slug}-{period.start}-{period.end}.xlsx",
    )
