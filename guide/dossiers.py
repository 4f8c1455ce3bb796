"""The inspection's own measure: how many dossiers each commune received in a month, and how many
of them came online and by post, as exported from the one-stop software (iGate) or the portal's
statistics. `flask dossiers import FILE.csv` loads them; the dashboard shows the online and postal
shares beside the reach (DESIGN.md, "The dashboard"). Counts per commune and month only: nothing
about a person.

The file (UTF-8, with or without the BOM Excel writes; commas, or Excel's semicolons), for example:

    commune,month,received,online,postal
    ea-na,2026-01,412,88,14
    24538,2026-01,230,31,6

`commune` is today's slug or its NSO code, `month` YYYY-MM, the counts whole numbers with
online + postal ≤ received. Every line is checked first and every problem reported with its line;
one problem and nothing is written. A month imported again replaces that commune's month, so
importing the same file twice leaves the same table.
"""

import csv
import datetime as dt
import io
import random
import re
from dataclasses import asdict, dataclass
from pathlib import Path

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy.dialects import postgresql, sqlite

from . import clock, db
from .communes import Registry
from .content.problems import Problem

HEADER = ("commune", "month", "received", "online", "postal")
MAX_COUNT = 1_000_000  # a commune's month is thousands at most: more is a column mixed up

dossier_month = sa.Table(
    "dossier_month",
    db.metadata,
    sa.Column("commune", sa.String(80), primary_key=True),  # today's slug
    sa.Column("month", sa.Date, primary_key=True),  # its first day
    sa.Column("received", sa.Integer, nullable=False),
    sa.Column("online", sa.Integer, nullable=False),
    sa.Column("postal", sa.Integer, nullable=False),
    # Made by `flask tallies demo`, not imported: never mixed with real figures (see fill_demo).
    sa.Column("demo", sa.Boolean, nullable=False, default=False),
    sa.CheckConstraint("online >= 0 AND postal >= 0 AND online + postal <= received", name="dossier_counts"),
)


# --- what the dashboard reads ------------------------------------------------------------------


class _Shares:
    received: int
    online: int
    postal: int

    @property
    def online_share(self) -> float | None:
        """Online ÷ received, 0 to 1; None when nothing was received."""
        return self.online / self.received if self.received else None

    @property
    def postal_share(self) -> float | None:
        return self.postal / self.received if self.received else None


@dataclass(frozen=True)
class Totals(_Shares):
    received: int
    online: int
    postal: int
    demo: bool = False  # some of these figures are demo data


@dataclass(frozen=True)
class MonthShare(_Shares):
    month: dt.date  # its first day
    received: int
    online: int
    postal: int
    demo: bool = False


def first_of(month: dt.date) -> dt.date:
    return month.replace(day=1)


def monthly(connection: sa.Connection, commune: str, first_month: dt.date, last_month: dt.date) -> list[MonthShare]:
    """A commune's months from first_month to last_month (both included), oldest first; a month
    with no figures imported is left out (not zero: it is not known)."""
    c = dossier_month.c
    rows = connection.execute(
        sa.select(c.month, c.received, c.online, c.postal, c.demo)
        .where(c.commune == commune, c.month.between(first_of(first_month), first_of(last_month)))
        .order_by(c.month)
    )
    return [MonthShare(row.month, row.received, row.online, row.postal, bool(row.demo)) for row in rows]


def by_commune(connection: sa.Connection, first_month: dt.date, last_month: dt.date) -> dict[str, Totals]:
    """Each commune's sums over the months from first_month to last_month (both included) that
    have figures; communes with none are absent."""
    c = dossier_month.c
    rows = connection.execute(
        sa.select(
            c.commune,
            sa.func.sum(c.received).label("received"),
            sa.func.sum(c.online).label("online"),
            sa.func.sum(c.postal).label("postal"),
            sa.func.max(sa.case((c.demo, 1), else_=0)).label("demo"),
        )
        .where(c.month.between(first_of(first_month), first_of(last_month)))
        .group_by(c.commune)
    )
    return {row.commune: Totals(int(row.received), int(row.online), int(row.postal), bool(row.demo)) for row in rows}


def last_month(connection: sa.Connection) -> dt.date | None:
    """The newest month any commune has figures for."""
    return connection.execute(sa.select(sa.func.max(dossier_month.c.month))).scalar()


# --- reading a file ----------------------------------------------------------------------------


@dataclass(frozen=True)
class DossierMonth:
    commune: str  # today's slug
    month: dt.date  # its first day
    received: int
    online: int
    postal: int


class ImportRefused(Exception):
    """A file with problems: nothing was written. Carries every problem found."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(problem) for problem in problems))


_MONTH = re.compile(r"(\d{4})-(\d{2})")
_WHOLE = re.compile(r"\d+")


def read(path: Path, data: bytes, registry: Registry, today: dt.date) -> list[DossierMonth]:
    """The months a file gives, or ImportRefused with every problem, each with its line (1 is the header)."""
    reader = _reader(path, _decoded(path, data))
    problems: list[Problem] = []
    months: dict[tuple[str, dt.date], int] = {}  # (commune, month) -> the line that gave it
    found: list[DossierMonth] = []
    start = reader.line_num + 1
    for row in reader:
        line, start = start, reader.line_num + 1  # a quoted value may span lines: report its first
        values = [value.strip() for value in row]
        if not any(values):
            continue  # a blank line, or Excel's ",,,,"
        month, complaints = _checked(values, registry, today)
        if month is not None:
            earlier = months.setdefault((month.commune, month.month), line)
            if earlier == line:
                found.append(month)
            else:
                complaints = [
                    f"{month.commune} {month.month:%Y-%m} is given twice, here and on line {earlier}: give it once"
                ]
        problems += [Problem(path, complaint, line) for complaint in complaints]
    if not found and not problems:
        problems.append(Problem(path, "no figures after the first line: one line per commune and month", start))
    if problems:
        raise ImportRefused(problems)
    return found


def _decoded(path: Path, data: bytes) -> str:
    """The file's text, or ImportRefused at the line where it stops being UTF-8."""
    try:
        return data.decode("utf-8-sig")  # Excel's "CSV UTF-8" starts with a byte order mark
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise ImportRefused(
            [Problem(path, "this is not UTF-8 text: save it from Excel as “CSV UTF-8 (Comma delimited)”", line)]
        ) from None


def _reader(path: Path, text: str):
    """A CSV reader past the header, with commas or Excel's semicolons; ImportRefused if the header is not HEADER."""
    first_line = text.partition("\n")[0]
    # Excel where the decimal mark is a comma (Vietnamese settings) separates values with ";".
    delimiter = ";" if ";" in first_line and "," not in first_line else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = next(reader, None)
    if header is None:
        raise ImportRefused([Problem(path, f"the file is empty: its first line must be {','.join(HEADER)}", 1)])
    if tuple(name.strip().lower() for name in header) != HEADER:
        raise ImportRefused(
            [Problem(path, f"the first line must be {','.join(HEADER)}, not {delimiter.join(header)}", 1)]
        )
    return reader


def _checked(values: list[str], registry: Registry, today: dt.date) -> tuple[DossierMonth | None, list[str]]:
    """(the month a line gives, []), or (None, everything wrong with the line)."""
    if len(values) != len(HEADER):
        return None, [f"{len(values)} values where there should be {len(HEADER)} ({','.join(HEADER)})"]
    key, month_text, *count_texts = values
    commune, commune_complaint = _commune(key, registry)
    month, month_complaint = _month(month_text, today)
    counts, count_complaints = _counts(count_texts)
    complaints = [c for c in (commune_complaint, month_complaint) if c] + count_complaints
    if complaints:
        return None, complaints
    return DossierMonth(commune, month, counts["received"], counts["online"], counts["postal"]), []


def _counts(texts: list[str]) -> tuple[dict[str, int], list[str]]:
    """(received, online and postal by name, what is wrong with them)."""
    counts, complaints = {}, []
    for name, value in zip(HEADER[2:], texts):
        if not _WHOLE.fullmatch(value):
            complaints.append(f"{name} “{value}” is not a whole number: write digits only, like 120")
        elif int(value) > MAX_COUNT:
            complaints.append(f"{name} {value} is more than a commune receives in a month: is it the right column?")
        else:
            counts[name] = int(value)
    if len(counts) == 3 and counts["online"] + counts["postal"] > counts["received"]:
        complaints.append(
            f"online ({counts['online']}) plus postal ({counts['postal']}) is more than received "
            f"({counts['received']}): online and postal dossiers are among those received"
        )
    return counts, complaints


def _commune(key: str, registry: Registry) -> tuple[str | None, str | None]:
    """(today's slug, None), or (None, what is wrong)."""
    if not key:
        return None, "no commune: give its slug (as in /xa/<slug>/) or its NSO code"
    commune = registry.by_slug_or_code(key)
    if commune is not None:
        return commune.slug, None
    former = registry.resolve(key).commune
    if former is not None:
        return None, f"“{key}” is a former commune, now part of {former.name}: give today's commune, “{former.slug}”"
    return None, f"no commune “{key}” in the registry: give its slug (as in /xa/<slug>/) or its NSO code"


def _month(text: str, today: dt.date) -> tuple[dt.date | None, str | None]:
    """(the month's first day, None), or (None, what is wrong)."""
    found = _MONTH.fullmatch(text)
    if found is None or not 1 <= int(found[2]) <= 12 or int(found[1]) < 2000:
        return None, f"month “{text}” is not a month written YYYY-MM, like 2026-01"
    month = dt.date(int(found[1]), int(found[2]), 1)
    if month > first_of(today):
        return None, f"month {text} has not begun yet"
    return month, None


# --- writing -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Imported:
    months: int  # commune-months written
    communes: int
    first: dt.date | None
    last: dt.date | None
    demo_removed: int  # demo months deleted: real figures never sit beside demo ones


def write(engine: sa.Engine, months: list[DossierMonth]) -> Imported:
    """Write the months in one transaction, each replacing the same commune's month if there; the
    demo months go (real figures and demo ones are never shown together)."""
    with db.begin_immediate(engine) as connection:
        demo_removed = connection.execute(dossier_month.delete().where(dossier_month.c.demo)).rowcount
        _upsert(connection, [{**asdict(month), "demo": False} for month in months])
    return Imported(
        len(months),
        len({month.commune for month in months}),
        min((month.month for month in months), default=None),
        max((month.month for month in months), default=None),
        demo_removed,
    )


def _upsert(connection: sa.Connection, rows: list[dict]) -> None:
    if not rows:
        return
    insert = (postgresql if connection.dialect.name == "postgresql" else sqlite).insert(dossier_month)
    insert = insert.on_conflict_do_update(
        index_elements=["commune", "month"],
        set_={name: insert.excluded[name] for name in ("received", "online", "postal", "demo")},
    )
    # In key order, so two imports at once never wait on each other's rows in opposite orders.
    connection.execute(insert, sorted(rows, key=lambda row: (row["commune"], row["month"])))


def import_file(path: Path, registry: Registry, engine: sa.Engine, today: dt.date) -> Imported:
    """Check the whole file, then write it, or write nothing (ImportRefused)."""
    return write(engine, read(path, path.read_bytes(), registry, today))


# --- demo data ---------------------------------------------------------------------------------


def fill_demo(connection: sa.Connection, communes, days: int, end: dt.date, seed: int = 2025) -> int:
    """Demo months for `flask tallies demo`: the complete months of the `days` before `end`, for
    each commune, marked demo. The online share starts between 5 % and 40 % and creeps up a point
    or two a month, never past 60 %; a few percent come by post. Refuses (ValueError) to sit
    beside imported figures."""
    c = dossier_month.c
    if connection.execute(sa.select(sa.func.count()).select_from(dossier_month).where(sa.not_(c.demo))).scalar():
        raise ValueError("the database already holds imported dossier figures: demo data would mix with them")
    connection.execute(dossier_month.delete())
    months, month = [], first_of(first_of(end) - dt.timedelta(days=1))  # the last complete month
    for _ in range(max(1, round(days / 30.4))):
        months.insert(0, month)
        month = first_of(month - dt.timedelta(days=1))
    rng = random.Random(seed)
    rows = []
    for commune in communes:
        residents = rng.randint(6_000, 30_000)
        per_month = residents / 1_000 * rng.uniform(8, 25)
        online, rise, postal = rng.uniform(0.05, 0.40), rng.uniform(0.005, 0.02), rng.uniform(0.02, 0.10)
        for number, month in enumerate(months):
            received = max(1, round(rng.gauss(per_month, per_month * 0.1)))
            share = min(0.60, max(0.05, online + rise * number + rng.gauss(0, 0.01)))
            online_count = round(received * share)
            postal_count = min(received - online_count, round(received * postal * rng.uniform(0.8, 1.2)))
            rows.append(
                {
                    "commune": commune.slug,
                    "month": month,
                    "received": received,
                    "online": online_count,
                    "postal": postal_count,
                    "demo": True,
                }
            )
    _upsert(connection, rows)
    return len(rows)


# --- the command -------------------------------------------------------------------------------

dossiers_cli = AppGroup("dossiers", help="Each commune's dossiers per month: received, online, by post.")


@dossiers_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_command(file: Path):
    """Import FILE (CSV: commune,month,received,online,postal), all of it or, with any problem, none."""
    db.create_schema()
    try:
        done = import_file(file, current_app.extensions["guide.registry"], db.engine(), clock.today())
    except ImportRefused as refused:
        for problem in refused.problems:
            click.echo(str(problem), err=True)
        click.echo(f"nothing imported: {len(refused.problems)} problem(s) to fix first", err=True)
        click.get_current_context().exit(1)
    click.echo(
        f"imported {done.months} month(s) for {done.communes} commune(s), {done.first:%Y-%m} to {done.last:%Y-%m}"
        + (f"; the {done.demo_removed} demo month(s) are gone" if done.demo_removed else "")
    )


def init_app(app) -> None:
    app.cli.add_command(dossiers_cli)
