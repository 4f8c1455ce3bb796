"""The values of one line of a dossier file, checked: the commune (by today's slug, NSO code or name
as written: "Xã Ea Kar", "Phường Tân Lập", "Ea Kar"), the month (2026-11, 11/2026, 11-2026,
T11/2026, or a date cell of Excel's) and the counts (ASCII digits only: "１２" and "١٢" are not
numbers here, whatever str.isdigit says). Each check answers (value, None) or (None, what is wrong,
in the page's language)."""

import datetime as dt
import re

from flask_babel import gettext as _

from ..communes import Commune, Registry
from ..communes.model import split_kind
from ..text import fold, slugify, whole_number

MAX_COUNT = 1_000_000  # a commune's month is thousands at most: more is a column mixed up
MAX_CELL = 200  # characters in one value: a commune's name or a count is far shorter

_ISO_MONTH = re.compile(r"([0-9]{4})-([0-9]{2})")
_MONTH_YEAR = re.compile(r"(?:t|thang)? ?([0-9]{1,2}) ?[/-] ?([0-9]{4})")  # folded: "t11/2026", "thang 11/2026"


def as_text(value) -> str:
    """A cell as text: CSV gives text, an .xlsx cell may be a number or a date."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split())  # also the no-break spaces of a copied name


class CommuneNames:
    """Today's communes by slug, NSO code and name (folded, with or without its kind)."""

    def __init__(self, registry: Registry):
        self.registry = registry
        self.by_name: dict[str, list[Commune]] = {}
        for commune in registry.communes:
            self.by_name.setdefault(fold(commune.name), []).append(commune)

    def find(self, text: str) -> tuple[str | None, str | None]:
        """(today's slug, None), or (None, what is wrong)."""
        if not text:
            return None, _("no commune: give its name (like “Xã Ea Kar”), its slug or its NSO code")
        found = self.registry.by_slug_or_code(text)
        if found is None and text.isascii() and text.isdigit():
            found = self.registry.by_code.get(text.zfill(5))  # a code whose leading zeros a spreadsheet dropped
        if found is not None:
            return found.slug, None
        kind, name = split_kind(text)
        named = [c for c in self.by_name.get(fold(name), ()) if kind in (None, c.kind)]
        if len(named) == 1:
            return named[0].slug, None
        if named:
            return None, _(
                "several communes are called “%(name)s”: write “Xã %(name)s” or “Phường %(name)s”", name=name
            )
        return None, self._not_today(text, name)

    def _not_today(self, text: str, name: str) -> str:
        """What to say of a name no commune of today has: a former one's, or none."""
        found = self.registry.resolve(slugify(name))
        if found.is_former:
            return _(
                "“%(key)s” is a former commune, now part of %(today)s: give today's commune, “%(slug)s”",
                key=text,
                today=found.commune.name,
                slug=found.commune.slug,
            )
        if found.choices:
            today = ", ".join(dict.fromkeys(c.name for landing in found.choices for c in landing.communes))
            return _(
                "“%(key)s” is a former commune, now split between %(today)s: give today's commune",
                key=text,
                today=today,
            )
        return _("no commune “%(key)s” in the province: give its name, its slug or its NSO code", key=text)


def month_of(value, today: dt.date) -> tuple[dt.date | None, str | None]:
    """(the month's first day, None), or (None, what is wrong)."""
    if isinstance(value, dt.datetime | dt.date):
        year, number = value.year, value.month
    else:
        text = as_text(value)
        iso = _ISO_MONTH.fullmatch(text)
        written = _MONTH_YEAR.fullmatch(fold(text))
        if iso:
            year, number = int(iso[1]), int(iso[2])
        elif written:
            year, number = int(written[2]), int(written[1])
        else:
            year, number = 0, 0
        if not 1 <= number <= 12 or year < 2000:
            return None, _("month “%(text)s” is not a month: write it like 11/2026 or 2026-11", text=text)
    month = dt.date(year, number, 1)
    if month > today.replace(day=1):
        return None, _("month %(month)s has not begun yet", month=f"{month:%m/%Y}")
    return month, None


def count_of(label: str, value) -> tuple[int | None, str | None]:
    """(a count, None), or (None, what is wrong). `label` names the column in the message."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    number = value if type(value) is int else whole_number(as_text(value))  # bool is an int: not a count
    if number is None or number < 0:
        return None, _(
            "%(column)s “%(value)s” is not a whole number: write digits only, like 120",
            column=label,
            value=as_text(value),
        )
    if number > MAX_COUNT:
        return None, _(
            "%(column)s %(value)s is more than a commune receives in a month: is it the right column?",
            column=label,
            value=number,
        )
    return number, None
