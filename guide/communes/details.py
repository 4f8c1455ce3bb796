"""What no dataset holds about a commune, kept by the people who know it: its service centre
(address, phones, opening hours per weekday, a map link), the post offices that take dossiers by
public post, and its population with the source and year. Entered on the dashboard (commune staff
their own commune, province users any), stored here, in the database: the deployment's data, never
a tracked file. Every change is kept (who, when, the field, old → new); "still correct" moves the
date on without a change, so a resident sees how fresh the details are.

Staff names only: nothing about a resident is stored.
"""

import datetime as dt
import json
import re
from dataclasses import asdict, dataclass, field, replace

import sqlalchemy as sa

from .. import db

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")  # datetime.weekday()'s order
CONFIRMED = "confirmed"  # the history's field for "still correct"
_TIME_RANGE = re.compile(r"([0-9]{1,2})[:h.]?([0-9]{2})?\s*(?:-|–|—|đến|to)\s*([0-9]{1,2})[:h.]?([0-9]{2})?", re.I)

commune_detail = sa.Table(
    "commune_detail",
    db.metadata,
    sa.Column("commune", sa.String(64), primary_key=True),
    sa.Column("data", sa.Text, nullable=False),  # JSON: the Details below, without the date
    sa.Column("updated_on", sa.Date, nullable=False),
)

commune_detail_change = sa.Table(
    "commune_detail_change",
    db.metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("commune", sa.String(64), nullable=False, index=True),
    sa.Column("at", sa.DateTime, nullable=False),
    sa.Column("staff", sa.String(80), nullable=False),  # a staff account's name
    sa.Column("field", sa.String(60), nullable=False),
    sa.Column("old", sa.Text, nullable=False, server_default=""),
    sa.Column("new", sa.Text, nullable=False, server_default=""),
)


@dataclass(frozen=True)
class TimeRange:
    start: dt.time
    end: dt.time

    def __str__(self) -> str:
        return f"{self.start.hour}:{self.start.minute:02d}–{self.end.hour}:{self.end.minute:02d}"

    def holds(self, moment: dt.time) -> bool:
        return self.start <= moment < self.end


def time_range(text: str) -> TimeRange | None:
    """ "7:00–11:30", "7h-11h30", "13.30 đến 17" as a range, or None when it is not one that ends
    after it starts."""
    match = _TIME_RANGE.fullmatch(text.strip())
    if not match:
        return None
    h1, m1, h2, m2 = (int(part or 0) for part in match.groups())
    if h1 > 23 or h2 > 24 or m1 > 59 or m2 > 59:
        return None
    start, end = dt.time(h1, m1), dt.time(23, 59) if h2 == 24 else dt.time(h2, m2)
    return TimeRange(start, end) if start < end else None


@dataclass(frozen=True)
class Office:
    """The service centre or a post office. Every field optional; a page shows only what is here."""

    name: str = ""
    address: str = ""
    phones: tuple[str, ...] = ()
    hours: dict[str, tuple[str, str]] = field(default_factory=dict)  # weekday -> (morning, afternoon)
    hours_text: str = ""  # a post office's hours as its staff write them
    map: str = ""

    def is_known(self) -> bool:
        return any((self.name, self.address, self.phones, self.hours, self.hours_text, self.map))

    def open_at(self, moment: dt.datetime) -> bool | None:
        """Open at this moment by its weekly hours; None when it has none."""
        if not self.hours:
            return None
        today = self.hours.get(WEEKDAYS[moment.weekday()], ("", ""))
        ranges = [time_range(text) for text in today if text]
        return any(r.holds(moment.time()) for r in ranges if r)

    def week(self) -> list[tuple[tuple[str, ...], tuple[str, str]]]:
        """The hours by runs of days alike: [(("mon", …, "fri"), ("7:00–11:30", "13:30–17:00")), …]."""
        runs: list[tuple[list[str], tuple[str, str]]] = []
        for day in WEEKDAYS:
            hours = self.hours.get(day, ("", ""))
            if runs and runs[-1][1] == hours and WEEKDAYS.index(runs[-1][0][-1]) == WEEKDAYS.index(day) - 1:
                runs[-1][0].append(day)
            else:
                runs.append(([day], hours))
        return [(tuple(days), hours) for days, hours in runs if any(hours)]


@dataclass(frozen=True)
class Details:
    centre: Office = field(default_factory=Office)
    post_offices: tuple[Office, ...] = ()
    population: int | None = None
    population_source: str = ""
    population_year: int | None = None
    updated_on: dt.date | None = None

    def is_known(self) -> bool:
        return self.centre.is_known() or any(office.is_known() for office in self.post_offices)

    @property
    def phones(self) -> tuple[str, ...]:
        """The commune's own numbers: its centre's, else its post offices'."""
        return self.centre.phones or tuple(p for office in self.post_offices for p in office.phones)


NOTHING = Details()


def _office(data: dict) -> Office:
    hours = {day: tuple(pair) for day, pair in (data.get("hours") or {}).items() if day in WEEKDAYS}
    return Office(
        data.get("name", ""), data.get("address", ""), tuple(data.get("phones", ())), hours,
        data.get("hours_text", ""), data.get("map", ""),
    )  # fmt: skip


def _from_row(row) -> Details:
    data = json.loads(row.data)
    return Details(
        centre=_office(data.get("centre") or {}),
        post_offices=tuple(_office(office) for office in data.get("post_offices") or ()),
        population=data.get("population"),
        population_source=data.get("population_source", ""),
        population_year=data.get("population_year"),
        updated_on=row.updated_on,
    )


def _to_json(details: Details) -> str:
    data = asdict(replace(details, updated_on=None))
    del data["updated_on"]
    return json.dumps(data, ensure_ascii=False, sort_keys=True)


def read(connection: sa.Connection, commune: str) -> Details:
    row = connection.execute(sa.select(commune_detail).where(commune_detail.c.commune == commune)).first()
    return _from_row(row) if row else NOTHING


def read_all(connection: sa.Connection) -> dict[str, Details]:
    return {row.commune: _from_row(row) for row in connection.execute(sa.select(commune_detail))}


def populations(connection: sa.Connection) -> dict[str, int]:
    return {slug: d.population for slug, d in read_all(connection).items() if d.population}


def flattened(details: Details) -> dict[str, str]:
    """Each field as the history names it and shows it: "centre.phones" -> "0262 3 123 456, …"."""
    flat = {}
    for prefix, office in [("centre", details.centre)] + [
        (f"post_office.{n}", office) for n, office in enumerate(details.post_offices, 1)
    ]:
        flat |= {f"{prefix}.name": office.name, f"{prefix}.address": office.address, f"{prefix}.map": office.map}
        flat[f"{prefix}.phones"] = ", ".join(office.phones)
        flat[f"{prefix}.hours_text"] = office.hours_text
        for day in WEEKDAYS:
            flat[f"{prefix}.hours.{day}"] = " / ".join(part for part in office.hours.get(day, ()) if part)
    flat["population"] = "" if details.population is None else str(details.population)
    flat["population_source"] = details.population_source
    flat["population_year"] = "" if details.population_year is None else str(details.population_year)
    return flat


def changes(old: Details, new: Details) -> list[tuple[str, str, str]]:
    """(field, old, new) for every field that differs."""
    before, after = flattened(old), flattened(new)
    differ = [key for key in {**before, **after} if before.get(key, "") != after.get(key, "")]
    return [(key, before.get(key, ""), after.get(key, "")) for key in differ]


def _store(connection: sa.Connection, commune: str, new: Details, changed: list, staff: str, now: dt.datetime) -> None:
    connection.execute(commune_detail.delete().where(commune_detail.c.commune == commune))
    connection.execute(commune_detail.insert().values(commune=commune, data=_to_json(new), updated_on=now.date()))
    connection.execute(
        commune_detail_change.insert(),
        [dict(commune=commune, at=now, staff=staff, field=f, old=o, new=n) for f, o, n in changed],
    )


def save(engine: sa.Engine, commune: str, new: Details, staff: str, now: dt.datetime) -> int:
    """Store a commune's details and what changed; returns how many fields changed. No change
    is a "still correct": the date moves on, and the history says so."""
    with engine.begin() as connection:
        changed = changes(read(connection, commune), new)
        _store(connection, commune, new, changed or [(CONFIRMED, "", "")], staff, now)
    return len(changed)


def save_all(engine: sa.Engine, updates: dict, staff: str, now: dt.datetime) -> int:
    """An import: each commune's `update(details on record)` stored, all in one transaction (all or
    nothing); communes it leaves unchanged keep their date. Returns how many fields changed."""
    total = 0
    with engine.begin() as connection:
        current = read_all(connection)
        for commune, update in updates.items():
            old = current.get(commune, NOTHING)
            new = update(old)
            changed = changes(old, new)
            if changed:
                _store(connection, commune, new, changed, staff, now)
                total += len(changed)
    return total


def confirm(engine: sa.Engine, commune: str, staff: str, now: dt.datetime) -> None:
    """ "Still correct": the details as they are, dated today."""
    with engine.connect() as connection:
        current = read(connection, commune)
    save(engine, commune, current, staff, now)


@dataclass(frozen=True)
class Change:
    at: dt.datetime
    staff: str
    field: str
    old: str
    new: str


def history(connection: sa.Connection, commune: str, limit: int = 100) -> list[Change]:
    """The commune's changes, newest first."""
    rows = connection.execute(
        sa.select(commune_detail_change)
        .where(commune_detail_change.c.commune == commune)
        .order_by(commune_detail_change.c.id.desc())
        .limit(limit)
    )
    return [Change(row.at, row.staff, row.field, row.old, row.new) for row in rows]
