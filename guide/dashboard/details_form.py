"""A commune's details as staff type them on the dashboard, checked field by field: a message beside
each wrong field, in the page's language, and nothing saved while any is wrong.

Opening hours: one row for Monday to Friday (most centres keep the same hours all week), a row of
its own for each weekday that differs, and Saturday and Sunday; each a morning and an afternoon time
range ("7:00–11:30"). Population, its source and year: province users only.
"""

import datetime as dt
import re
from dataclasses import dataclass, field

from flask_babel import gettext as _
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict

from ..communes.details import WEEKDAYS, Details, Office, time_range
from ..text import whole_number

WORKING_DAYS = WEEKDAYS[:5]
PARTS = ("morning", "afternoon")
MAX_PHONES = 3
MAX_POST_OFFICES = 2
LIMITS = {"name": 120, "address": 200, "map": 300, "hours_text": 100, "population_source": 200}
_PHONE_SEPARATORS = re.compile(r"[\s.\-()]")
_PHONE = re.compile(r"(?:\+84|0)[0-9]{8,10}")  # 0… or +84…, 9 to 11 digits in all
_THOUSANDS = re.compile(r"[.,\s]")  # the separators people write in 12.345 or 12 345
MAX_POPULATION = 5_000_000


class DetailsForm(FlaskForm):
    """Its CSRF token; the fields are read by `parse` (their number varies with the offices)."""


class ConfirmForm(FlaskForm):
    """ "Still correct": the CSRF token only."""


@dataclass
class Parsed:
    details: Details | None
    errors: dict[str, str] = field(default_factory=dict)  # the form field's name -> what is wrong


def _text(form: MultiDict, name: str, limit: str, errors: dict) -> str:
    value = " ".join(form.get(name, "").split())
    if len(value) > LIMITS[limit]:
        errors[name] = _("This is too long: at most %(count)s characters.", count=LIMITS[limit])
    return value


def is_phone(text: str) -> bool:
    """A Vietnamese number as people write it: 0262 3 123 456, (0262) 3.123.456, +84 262 3123456."""
    return len(text) <= 30 and bool(_PHONE.fullmatch(_PHONE_SEPARATORS.sub("", text)))


def _phones(form: MultiDict, name: str, errors: dict) -> tuple[str, ...]:
    phones = [" ".join(p.split()) for p in form.getlist(name)[:MAX_PHONES] if p.strip()]  # the centre's, or one
    for phone in phones:
        if not is_phone(phone):
            errors[name] = _("A phone number starts with 0 or +84 and has 9 to 11 digits.")
    return tuple(phones)


def _map(form: MultiDict, name: str, errors: dict) -> str:
    link = form.get(name, "").strip()
    if link and (not link.startswith("https://") or len(link) > LIMITS["map"] or any(c.isspace() for c in link)):
        errors[name] = _("A map link must start with https:// (copy it from the map's Share button).")
    return link


def _range(form: MultiDict, name: str, errors: dict) -> str:
    text = form.get(name, "").strip()
    if not text:
        return ""
    found = time_range(text) if len(text) <= 40 else None
    if found is None:
        errors[name] = _("Write a time range such as 7:00–11:30; the end must come after the start.")
        return text
    return str(found)


def _hours(form: MultiDict, errors: dict) -> dict[str, tuple[str, str]]:
    """The week from the form's rows: a working day without a row of its own takes Monday–Friday's."""
    common = tuple(_range(form, f"hours-weekdays-{part}", errors) for part in PARTS)
    week = {}
    for day in WEEKDAYS:
        own = tuple(_range(form, f"hours-{day}-{part}", errors) for part in PARTS)
        hours = own if any(own) or day not in WORKING_DAYS else common
        if any(hours):
            week[day] = hours
    return week


def _office(form: MultiDict, prefix: str, errors: dict, weekly: bool) -> Office:
    return Office(
        name=_text(form, f"{prefix}-name", "name", errors),
        address=_text(form, f"{prefix}-address", "address", errors),
        phones=_phones(form, f"{prefix}-phone", errors),
        hours=_hours(form, errors) if weekly else {},
        hours_text="" if weekly else _text(form, f"{prefix}-hours", "hours_text", errors),
        map=_map(form, f"{prefix}-map", errors),
    )


def number_between(text: str, lowest: int, highest: int) -> int | None:
    """A whole number as people write one ("12345", "12.345", "12 345"), from `lowest` to `highest`."""
    number = whole_number(_THOUSANDS.sub("", text), most_digits=9)
    return number if number is not None and lowest <= number <= highest else None


def _whole(form: MultiDict, name: str, lowest: int, highest: int, message: str, errors: dict) -> int | None:
    text = form.get(name, "").strip()
    if not text:
        return None
    number = number_between(text, lowest, highest)
    if number is None:
        errors[name] = message
    return number


def parse(form: MultiDict, before: Details, may_set_population: bool, today: dt.date) -> Parsed:
    """The details the form says, or the errors; what this user may not set stays as `before`."""
    errors: dict[str, str] = {}
    centre = _office(form, "centre", errors, weekly=True)
    posts = tuple(_office(form, f"post-{n}", errors, weekly=False) for n in range(1, MAX_POST_OFFICES + 1))
    population = (before.population, before.population_source, before.population_year)
    if may_set_population:
        population = (
            _whole(form, "population", 1, MAX_POPULATION, _("The population is a whole number."), errors),
            _text(form, "population-source", "population_source", errors),
            _whole(form, "population-year", 2019, today.year, _("The year has four digits, such as 2025."), errors),
        )
    if errors:
        return Parsed(None, errors)
    return Parsed(Details(centre, tuple(p for p in posts if p.is_known()), *population, before.updated_on))


def weekdays_apart(values: dict, errors: dict) -> bool:
    """Whether the form's rows for single working days are in use (and so shown open)."""
    names = [f"hours-{day}-{part}" for day in WORKING_DAYS for part in PARTS]
    return any(values.get(name) or name in errors for name in names)


def form_values(details: Details) -> dict[str, str]:
    """The form's fields filled from what is on record (the phones apart: a list)."""
    centre, values = details.centre, {}
    values |= {"centre-name": centre.name, "centre-address": centre.address, "centre-map": centre.map}
    working = {centre.hours.get(day, ("", "")) for day in WORKING_DAYS}
    common = working.pop() if len(working) == 1 else ("", "")
    for part, text in zip(PARTS, common, strict=True):
        values[f"hours-weekdays-{part}"] = text
    for day in WEEKDAYS:
        own = centre.hours.get(day, ("", ""))
        if day not in WORKING_DAYS or own != common:
            for part, text in zip(PARTS, own, strict=True):
                values[f"hours-{day}-{part}"] = text
    for n, post in enumerate(details.post_offices, 1):
        values |= {f"post-{n}-name": post.name, f"post-{n}-address": post.address, f"post-{n}-hours": post.hours_text}
        values[f"post-{n}-phone"] = post.phones[0] if post.phones else ""  # one number each
    if details.population:
        values["population"] = str(details.population)
    values["population-source"] = details.population_source
    values["population-year"] = str(details.population_year or "")
    return values
