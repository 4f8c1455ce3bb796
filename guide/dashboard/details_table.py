"""The province's view of commune details: which commune has what (phone, hours, address, post
office, population, last updated), how many are complete, and the same columns as CSV, out and in.

The import is all or nothing: every line is checked first, each problem named with its line, and
one problem means nothing is written. An empty cell leaves what is on record; opening hours are
entered on each commune's form, not imported.
"""

import csv
import datetime as dt
import io
from collections.abc import Callable
from dataclasses import dataclass, replace

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..communes import Commune, Registry
from ..communes.details import Details, Office
from ..communes.model import split_kind
from ..spreadsheet import unguarded
from ..text import fold
from .details_form import LIMITS, MAX_POPULATION, is_phone, number_between
from .export import csv_response as write_csv

MAX_BYTES = 2 * 1024 * 1024
# The table's columns: (key, heading); the CSV's header is the keys (so a file round-trips whatever
# the language it was downloaded in), its second column the commune's name, for people.
COLUMNS = (
    ("phone", _l("Phone")),
    ("hours", _l("Opening hours")),
    ("address", _l("Address")),
    ("post_office", _l("Post office")),
    ("population", _l("Population")),
    ("updated_on", _l("Last updated")),
)
CSV_HEADER = ("commune", "name", "address", "phone", "post_office", "post_office_address", "post_office_phone",
              "population", "population_source", "population_year", "hours", "updated_on")  # fmt: skip
FIELD_LABELS = {
    "name": _l("name"), "address": _l("address"), "phones": _l("phones"), "map": _l("map link"),
    "hours_text": _l("opening hours"), "population": _l("population"), "population_source": _l("population: source"),
    "population_year": _l("population: year"), "confirmed": _l("marked still correct"),
}  # fmt: skip


@dataclass(frozen=True)
class Row:
    commune: Commune
    details: Details

    def value(self, column: str):
        d, centre = self.details, self.details.centre
        return {
            "phone": ", ".join(centre.phones),
            "hours": bool(centre.hours),
            "address": centre.address,
            "post_office": ", ".join(p.name or p.address for p in d.post_offices),
            "population": d.population,
            "updated_on": d.updated_on,
        }[column]


def field_label(key: str) -> str:
    """ "centre.hours.mon" -> "Service centre: opening hours (Monday)", for the history."""
    parts = key.split(".")
    if parts[0] == "centre":
        where = _("Service centre")
    elif parts[0] == "post_office":
        where, parts = _("Post office %(num)s", num=parts[1]), parts[1:]
    else:
        return str(FIELD_LABELS.get(key, key))
    what = str(FIELD_LABELS.get(parts[1], parts[1]))
    return f"{where}: {what}" + (f" ({parts[2]})" if len(parts) > 2 else "")


def table(communes, on_record: dict[str, Details]) -> list[Row]:
    return [Row(c, on_record.get(c.slug, Details())) for c in communes]


def counts(rows: list[Row]) -> dict[str, int]:
    return {key: sum(1 for row in rows if row.value(key)) for key, _label in COLUMNS}


def sorted_rows(rows: list[Row], column: str) -> list[Row]:
    """By name; by a column, those missing it first (what to chase), then by name."""
    by_name = sorted(rows, key=lambda row: fold(row.commune.name))
    if column not in dict(COLUMNS):
        return by_name
    return sorted(by_name, key=lambda row: bool(row.value(column)))


def csv_response(rows: list[Row]):
    lines = []
    for row in rows:
        d, centre = row.details, row.details.centre
        post = d.post_offices[0] if d.post_offices else Office()
        hours = "; ".join(f"{day}: {' / '.join(p for p in parts if p)}" for day, parts in centre.hours.items())
        lines.append([row.commune.slug, row.commune.name, centre.address, ", ".join(centre.phones), post.name,
                      post.address, ", ".join(post.phones), d.population, d.population_source, d.population_year,
                      hours, d.updated_on])  # fmt: skip
    return write_csv(list(CSV_HEADER), lines, "thong-tin-xa.csv")


@dataclass
class Read:
    updates: dict[str, Callable[[Details], Details]]
    problems: list[str]


def read_csv(data: bytes, registry: Registry, today: dt.date) -> Read:
    """Every line checked; the updates to make, or the problems (and no update)."""
    if len(data) > MAX_BYTES:
        return Read({}, [_("The file is larger than 2 MB.")])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return Read({}, [_("The file is not UTF-8 text: in Excel, save it as “CSV UTF-8”.")])
    delimiter = ";" if text.split("\n", 1)[0].count(";") > text.split("\n", 1)[0].count(",") else ","
    lines = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    header = [cell.strip().lower() for cell in (lines[0] if lines else [])]
    if "commune" not in header:
        return Read({}, [_("Line 1 must name the columns, as the downloaded file does (commune, population, …).")])
    finder = _commune_finder(registry)
    updates, problems = {}, []
    for number, cells in enumerate(lines[1:], 2):
        values = dict(zip(header, (unguarded(cell.strip()) for cell in cells), strict=False))
        if not any(values.values()):
            continue
        slug = finder(values.get("commune", "")) or finder(values.get("name", ""))
        found, wrong = _update(values, today)
        problems += [_("Line %(num)s: %(problem)s", num=number, problem=p) for p in wrong]
        if slug is None:
            problems.append(_("Line %(num)s: no commune %(name)s.", num=number, name=values.get("commune", "")))
        elif slug in updates:
            problems.append(_("Line %(num)s: %(name)s is on an earlier line too.", num=number, name=slug))
        else:
            updates[slug] = found
    return Read({} if problems else updates, problems)


def _commune_finder(registry: Registry) -> Callable[[str], str | None]:
    by_key = {c.slug: c.slug for c in registry.communes} | {c.code: c.slug for c in registry.communes if c.code}
    for c in registry.communes:
        by_key.setdefault(fold(split_kind(c.name)[1]), c.slug)
        by_key.setdefault(fold(c.name), c.slug)

    def find(text: str) -> str | None:
        text = text.strip()
        return by_key.get(text) or by_key.get(fold(split_kind(text)[1])) or by_key.get(fold(text))

    return find


def _update(values: dict[str, str], today: dt.date) -> tuple[Callable[[Details], Details], list[str]]:
    """What a line changes (only its non-empty cells), and what is wrong with it."""
    wrong = []
    # each column's limit is its form field's
    limits = {"address": "address", "post_office": "name", "post_office_address": "address"}
    limits["population_source"] = "population_source"
    for key, field_name in limits.items():
        if len(values.get(key, "")) > LIMITS[field_name]:
            wrong.append(_("%(column)s is too long.", column=key))
    for key in ("phone", "post_office_phone"):
        for phone in filter(None, (p.strip() for p in values.get(key, "").split(","))):
            if not is_phone(phone):
                wrong.append(_("%(phone)s is not a phone number (0… or +84…, 9 to 11 digits).", phone=phone))
    population, year = number_between(values.get("population", ""), 1, MAX_POPULATION), None
    if values.get("population") and population is None:
        wrong.append(_("the population must be a whole number."))
    if values.get("population_year"):
        year = number_between(values["population_year"], 2019, today.year)
        if year is None:
            wrong.append(_("the year must have four digits, such as 2025."))
    return (lambda before: _applied(before, values, population, year)), wrong


def _applied(before: Details, values: dict[str, str], population: int | None, year: int | None) -> Details:
    def phones(key: str, old: tuple) -> tuple:
        given = tuple(p.strip() for p in values.get(key, "").split(",") if p.strip())
        return given or old

    centre = replace(before.centre, address=values.get("address") or before.centre.address,
                     phones=phones("phone", before.centre.phones))  # fmt: skip
    posts = list(before.post_offices) or [Office()]
    posts[0] = replace(posts[0], name=values.get("post_office") or posts[0].name,
                       address=values.get("post_office_address") or posts[0].address,
                       phones=phones("post_office_phone", posts[0].phones))  # fmt: skip
    return replace(
        before,
        centre=centre,
        post_offices=tuple(p for p in posts if p.is_known()),
        population=population or before.population,
        population_source=values.get("population_source") or before.population_source,
        population_year=year or before.population_year,
    )
