"""Reading a file of dossier figures, as the one-stop software exports it: CSV (UTF-8, or Excel's
"CSV UTF-8" with its byte order mark; commas, or the semicolons of Excel set to Vietnamese) or
.xlsx (its first sheet). At most MAX_BYTES, refused before it is read; then streamed a line at a
time, so memory holds the months found, never the file.

The header is the first line that names the five columns (title lines above it are skipped),
compared without case or accents, in any order, other columns ignored: commune `commune`, `xã`,
`xã/phường`, `đơn vị`, `tên đơn vị`; month `month`, `tháng`, `kỳ`; received `received`, `tiếp
nhận`, `tổng tiếp nhận`, `tổng số hồ sơ tiếp nhận`; online `online`, `trực tuyến`; postal `postal`,
`bưu chính`, `bưu chính công ích`. For example:

    Xã/Phường;Tháng;Tổng tiếp nhận;Trực tuyến;Bưu chính
    Xã Ea Na;11/2026;412;88;14

A line per commune and month, online + postal ≤ received; a total line (its first value "Tổng
cộng", "Tổng" or "Total") is skipped. Every line is checked and every problem reported with its
line (in the page's language); one problem and nothing is written. A month imported again
replaces that commune's month.
"""

import codecs
import csv
import datetime as dt
import itertools
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO
from xml.etree.ElementTree import ParseError

import openpyxl
import sqlalchemy as sa
from flask_babel import gettext as _
from openpyxl.utils.exceptions import InvalidFileException

from ..communes import Registry
from ..content.problems import Problem
from ..text import fold
from . import cells, store
from .cells import CommuneNames
from .store import DossierMonth

MAX_BYTES = 2 * 1024 * 1024  # years of a province's months fit in a tenth of this
MAX_PROBLEMS = 50  # then the rest of the file is not checked: something is wrong with all of it
MAX_ROWS = 100_000  # an .xlsx's rows (a small file may unzip into many)
MAX_COLUMNS = 50
HEADER_WITHIN = 10  # lines: an export's title lines come before its header
FIELDS = ("commune", "month", "received", "online", "postal")
COLUMN_NAMES = {
    "commune": ("commune", "xa", "xa/phuong", "don vi", "ten don vi"),
    "month": ("month", "thang", "ky"),
    "received": ("received", "tiep nhan", "tong tiep nhan", "tong so ho so tiep nhan"),
    "online": ("online", "truc tuyen"),
    "postal": ("postal", "buu chinh", "buu chinh cong ich"),
}
FIELD_OF = {name: field for field, names in COLUMN_NAMES.items() for name in names}
TOTAL_LINES = {"tong", "tong cong", "cong", "total"}


class ImportRefused(Exception):
    """A file with problems: nothing was written. Carries every problem found."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(problem) for problem in problems))


class _Unreadable(Exception):
    """The file cannot be read on from this line (or at all: line None)."""

    def __init__(self, line: int | None, message: str):
        self.line, self.message = line, message


def labels() -> dict[str, str]:
    """Each field's name in the page's language, for messages."""
    return {
        "commune": _("commune"),
        "month": _("month"),
        "received": _("received"),
        "online": _("online"),
        "postal": _("postal"),
    }


def too_large() -> str:
    return _("the file is larger than 2 MB: import fewer months at once")


def read(name: Path, stream: BinaryIO, registry: Registry, today: dt.date) -> list[DossierMonth]:
    """The months a file gives, or ImportRefused with every problem, each with its line."""
    stream.seek(0, 2)
    size = stream.tell()
    stream.seek(0)
    if size > MAX_BYTES:
        raise ImportRefused([Problem(name, too_large())])
    check = _Lines(name, CommuneNames(registry), today)
    try:
        check.all(_rows(stream))
    except _Unreadable as unreadable:
        check.problems.append(Problem(name, unreadable.message, unreadable.line))
    if check.columns is None and not check.problems:
        check.problems.append(Problem(name, _("the file is empty"), 1))
    elif not check.found and not check.problems:
        check.problems.append(Problem(name, _("no figures after the header: one line per commune and month")))
    if check.problems:
        raise ImportRefused(check.problems)
    return check.found


def import_file(path: Path, registry: Registry, engine: sa.Engine, today: dt.date) -> store.Imported:
    """Check the whole file, then write it, or write nothing (ImportRefused)."""
    with path.open("rb") as stream:
        months = read(path, stream, registry, today)
    return store.write(engine, months)


class _Lines:
    """The checks of a file's lines, one after the other, and what they found."""

    def __init__(self, name: Path, communes: CommuneNames, today: dt.date):
        self.name, self.communes, self.today = name, communes, today
        self.labels = labels()
        self.columns: dict[str, int] | None = None  # field -> its column
        self.problems: list[Problem] = []
        self.found: list[DossierMonth] = []
        self.given: dict[tuple[str, dt.date], int] = {}  # (commune, month) -> the line that gave it

    def all(self, rows: Iterator[tuple[int, list]]) -> None:
        for line, row in rows:
            texts = [cells.as_text(value) for value in row]
            if not any(texts):
                continue  # a blank line, or Excel's ",,,,"
            if self.columns is None:
                self._header(line, texts)
            elif fold(next(text for text in texts if text)) in TOTAL_LINES:  # its first value: in any column
                continue
            else:
                self.problems += [Problem(self.name, complaint, line) for complaint in self._checked(line, row, texts)]
            if len(self.problems) >= MAX_PROBLEMS:
                raise _Unreadable(
                    line, _("more than %(num)s problems: the rest of the file was not checked", num=MAX_PROBLEMS)
                )

    def _header(self, line: int, texts: list[str]) -> None:
        """Take the line as the header if it names the five columns; a problem if none has by HEADER_WITHIN."""
        found: dict[str, list[int]] = {}
        for index, text in enumerate(texts):
            field = FIELD_OF.get(fold(text).replace(" /", "/").replace("/ ", "/"))
            if field:
                found.setdefault(field, []).append(index)
        doubled = [field for field, indexes in found.items() if len(indexes) > 1]
        if doubled:
            names = ", ".join(self.labels[field] for field in doubled)
            raise _Unreadable(line, _("two columns for %(names)s: keep one", names=names))
        if len(found) == len(FIELDS):
            self.columns = {field: indexes[0] for field, indexes in found.items()}
        elif line >= HEADER_WITHIN or found:
            missing = ", ".join(self.labels[field] for field in FIELDS if field not in found)
            raise _Unreadable(
                line,
                _(
                    "the header does not name the columns %(missing)s: name them like "
                    "Xã, Tháng, Tiếp nhận, Trực tuyến, Bưu chính (or commune, month, received, online, postal)",
                    missing=missing,
                ),
            )

    def _checked(self, line: int, row: list, texts: list[str]) -> list[str]:
        """What is wrong with a line (nothing: its month is kept)."""
        too_long = [text for text in texts if len(text) > cells.MAX_CELL]
        if too_long:
            return [_("a value of %(num)s characters: at most %(max)s", num=len(too_long[0]), max=cells.MAX_CELL)]
        if len(row) <= max(self.columns.values()):
            return [_("only %(num)s values on this line: every line gives all five columns", num=len(row))]
        values = {field: row[index] for field, index in self.columns.items()}
        commune, commune_complaint = self.communes.find(cells.as_text(values["commune"]))
        month, month_complaint = cells.month_of(values["month"], self.today)
        counts, complaints = {}, [c for c in (commune_complaint, month_complaint) if c]
        for field in FIELDS[2:]:
            counts[field], complaint = cells.count_of(self.labels[field], values[field])
            complaints += [complaint] if complaint else []
        if not complaints and counts["online"] + counts["postal"] > counts["received"]:
            complaints.append(
                _(
                    "online (%(online)s) plus postal (%(postal)s) is more than received (%(received)s): "
                    "online and postal dossiers are among those received",
                    **counts,
                )
            )
        if complaints:
            return complaints
        earlier = self.given.setdefault((commune, month), line)
        if earlier != line:
            return [
                _(
                    "%(commune)s %(month)s is given twice, here and on line %(line)s: give it once",
                    commune=commune,
                    month=f"{month:%m/%Y}",
                    line=earlier,
                )
            ]
        self.found.append(DossierMonth(commune, month, counts["received"], counts["online"], counts["postal"]))
        return []


def _rows(stream: BinaryIO) -> Iterator[tuple[int, list]]:
    """(line number, values) of each line of a CSV or .xlsx file, told apart by their first bytes."""
    start = stream.read(8)
    stream.seek(0)
    if start.startswith(b"PK\x03\x04"):  # a zip: .xlsx
        return _xlsx_rows(stream)
    if start.startswith(b"\xd0\xcf\x11\xe0"):  # Excel 97–2003 (.xls)
        raise _Unreadable(None, _("this is an old Excel file (.xls): save it as .xlsx or as “CSV UTF-8”"))
    return _csv_rows(stream)


def _csv_rows(stream: BinaryIO) -> Iterator[tuple[int, list]]:
    lines = _text_lines(stream)
    first = list(itertools.islice(lines, HEADER_WITHIN))
    # Excel where the decimal mark is a comma (Vietnamese settings) separates values with ";".
    delimiter = ";" if sum(text.count(";") for text in first) > sum(text.count(",") for text in first) else ","
    reader = csv.reader(itertools.chain(first, lines), delimiter=delimiter)
    start = 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error:  # a value over csv's limit (131,072 characters), or a quote never closed
            raise _Unreadable(start, _("a value that does not end: the rest of the file was not read")) from None
        line, start = start, reader.line_num + 1  # a quoted value may span lines: its first is named
        yield line, row


def _text_lines(stream: BinaryIO) -> Iterator[str]:
    """The file's lines as text, or _Unreadable at the line where it stops being UTF-8 text."""
    for number, raw in enumerate(stream, 1):
        if number == 1:
            raw = raw.removeprefix(codecs.BOM_UTF8)  # Excel's "CSV UTF-8" starts with one
        try:
            if b"\0" in raw:
                raise UnicodeDecodeError("utf-8", raw, 0, 1, "NUL")
            yield raw.decode("utf-8")
        except UnicodeDecodeError:
            raise _Unreadable(
                number, _("this is not UTF-8 text: save it from Excel as .xlsx or as “CSV UTF-8 (Comma delimited)”")
            ) from None


def _xlsx_rows(stream: BinaryIO) -> Iterator[tuple[int, list]]:
    """The first sheet's rows (read-only: a row at a time), numbered as Excel numbers them."""
    try:
        book = openpyxl.load_workbook(stream, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, OSError, ParseError):
        raise _Unreadable(None, _("this is not a file Excel can open: save it as .xlsx or as “CSV UTF-8”")) from None
    try:
        rows = book.worksheets[0].iter_rows(max_col=MAX_COLUMNS, values_only=True)
        for number, row in enumerate(rows, 1):
            if number > MAX_ROWS:
                raise _Unreadable(number, _("more than %(num)s rows: import fewer months at once", num=MAX_ROWS))
            yield number, list(row)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, ParseError):
        raise _Unreadable(None, _("this is not a file Excel can open: save it as .xlsx or as “CSV UTF-8”")) from None
    finally:
        book.close()
