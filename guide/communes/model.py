"""What the registry holds, and the lookups the site makes in it (all of them dictionary lookups).

A `Commune` is a unit of today (since 1 July 2025: xã, phường, đặc khu; no districts). A
`FormerUnit` is one of the units merged into it; a unit split between several communes is one
FormerUnit listed under each of them. A former unit answers to two slugs: its own (unique in the
registry, e.g. `ea-bar-buon-don`) and the slug of its name (`ea-bar`), which several units may
share. `Registry.resolve` says what a slug names: today's commune, one commune a former name went
to (redirect), or several (the choice page).
"""

import datetime
import functools
from dataclasses import dataclass

from ..text import fold, slugify

MERGED_ON = datetime.date(2025, 7, 1)  # the day the communes were merged and the districts ended


# The kinds an official name may start with ("Huyện Krông A Na", "Thị Xã Buôn Hồ"), folded, longest first.
KIND_WORDS = (
    ("thanh pho", "thanh-pho"),
    ("thi xa", "thi-xa"),
    ("thi tran", "thi-tran"),
    ("dac khu", "dac-khu"),
    ("tinh", "tinh"),
    ("huyen", "huyen"),
    ("quan", "quan"),
    ("phuong", "phuong"),
    ("xa", "xa"),
)


def split_kind(official: str) -> tuple[str | None, str]:
    """("huyen", "Krông A Na") for "Huyện Krông A Na", ("phuong", "9") for "Phường 9"; (None, the
    name) when it does not start with its kind, so that each language can say the kind its own way."""
    words = official.split()
    for folded, kind in KIND_WORDS:
        size = folded.count(" ") + 1
        if len(words) > size and fold(" ".join(words[:size])) == folded:
            return kind, " ".join(words[size:])
    return None, official


@dataclass(frozen=True)
class Province:
    code: str
    name: str  # the official name with its kind: "Tỉnh Đắk Lắk", "Thành phố Huế"

    @property
    def kind(self) -> str:
        return "thanh-pho" if fold(self.name).startswith("thanh pho") else "tinh"

    @property
    def short(self) -> str:
        """The name without its kind: "Đắk Lắk"."""
        words = self.name.split()
        return " ".join(words[2:] if self.kind == "thanh-pho" else words[1:]) or self.name


@dataclass(frozen=True)
class FormerUnit:
    slug: str  # its own slug: unique in the registry
    name: str  # without its kind: "Buôn Trấp"
    kind: str  # xa, phuong, thi-tran (huyen for the island districts that had no commune)
    code: str | None = None  # the NSO code it had
    district: str | None = None  # the former district, with its kind: "Huyện Krông A Na"
    province: str | None = None  # the former province, where it was another one: "Tỉnh Phú Yên"

    @property
    def key(self) -> str:
        return self.code or self.slug


@dataclass(frozen=True)
class Commune:
    slug: str
    name: str
    kind: str  # xa, phuong, dac-khu
    code: str | None = None
    province: Province | None = None
    former: tuple[FormerUnit, ...] = ()

    def __hash__(self) -> int:  # the slug is unique in a registry
        return hash(self.slug)

    def __eq__(self, other) -> bool:
        return isinstance(other, Commune) and other.slug == self.slug and other.code == self.code


@dataclass(frozen=True)
class Landing:
    """Where a former unit went: one commune, or several if it was split (the data's default first)."""

    unit: FormerUnit
    communes: tuple[Commune, ...]

    @property
    def split(self) -> bool:
        return len(self.communes) > 1


@dataclass(frozen=True)
class Resolution:
    """What a slug in /xa/<slug>/ names."""

    commune: Commune | None = None  # today's commune (its page), or the one a former name went to
    former: Landing | None = None  # set when the slug was a former unit's and it went to one commune
    choices: tuple[Landing, ...] = ()  # set when the slug could mean several communes

    @property
    def is_former(self) -> bool:
        return self.former is not None


class Registry:
    """Today's communes, indexed by slug, by NSO code and by every former name."""

    def __init__(self, communes: tuple[Commune, ...], landings: tuple[Landing, ...]):
        self.communes = communes
        self.by_slug = {commune.slug: commune for commune in communes}
        self.by_code = {commune.code: commune for commune in communes if commune.code}
        self.landings = landings
        self.provinces = tuple({c.province.code: c.province for c in communes if c.province}.values())
        own: dict[str, Landing] = {}
        by_name: dict[str, list[Landing]] = {}
        for landing in landings:
            own[landing.unit.slug] = landing
            by_name.setdefault(slug_of(landing.unit.name), []).append(landing)
        self._own = own
        self._by_name = {slug: tuple(found) for slug, found in by_name.items()}
        # What each commune's page says about other former units that had its name (Hòa Phú of
        # Tây Hòa is in Sơn Thành now, not in today's Hòa Phú).
        self._namesakes = {
            commune.slug: tuple(
                landing for landing in self._by_name.get(commune.slug, ()) if commune not in landing.communes
            )
            for commune in communes
        }

    @property
    def province(self) -> Province | None:
        """The province, when the registry holds one (the shipped one does)."""
        return self.provinces[0] if len(self.provinces) == 1 else None

    @property
    def aliases(self) -> dict[str, tuple[str, ...]]:
        """Every slug a former unit answers to, and today's communes it may mean."""
        slugs = {**{slug: (landing,) for slug, landing in self._own.items()}, **self._by_name}
        return {
            slug: tuple(dict.fromkeys(c.slug for landing in found for c in landing.communes))
            for slug, found in slugs.items()
            if slug not in self.by_slug
        }

    def get(self, slug: str) -> Commune | None:
        return self.by_slug.get(slug)

    def by_slug_or_code(self, key: str) -> Commune | None:
        return self.by_slug.get(key) or self.by_code.get(key)

    def resolve(self, slug: str) -> Resolution:
        commune = self.by_slug.get(slug)
        if commune is not None:
            return Resolution(commune)
        own = self._own.get(slug)
        found = (own,) if own is not None else self._by_name.get(slug, ())
        targets = {c.slug for landing in found for c in landing.communes}
        if len(targets) == 1:
            return Resolution(found[0].communes[0], former=found[0])
        return Resolution(choices=found)

    def find(self, slug: str) -> tuple[Commune | None, bool]:
        """The commune a slug names today, and whether the slug is a former one (so: redirect).
        A former name that could mean several communes names none here: see `resolve`."""
        found = self.resolve(slug)
        return found.commune, found.is_former

    def landing(self, slug: str) -> Landing | None:
        """A former unit by its own slug or, where only one unit had it, its name's slug."""
        own = self._own.get(slug)
        if own is not None:
            return own
        found = self._by_name.get(slug, ())
        return found[0] if len(found) == 1 else None

    @functools.cached_property
    def example(self) -> FormerUnit | None:
        """A former unit to show in the finder's hint, one the finder finds by its name alone: a
        former town (thị trấn) of the province itself where there is one, else any unit of its former
        districts."""
        units = [landing.unit for landing in self.landings if landing.unit.district and not landing.unit.province]
        unique = [unit for unit in units if len(self._by_name.get(slug_of(unit.name), ())) == 1]
        towns = [unit for unit in unique if unit.kind == "thi-tran"]
        return min(towns or unique, key=FormerUnit.key.fget, default=None)

    def namesakes(self, commune: Commune) -> tuple[Landing, ...]:
        """Former units that had this commune's name but went elsewhere."""
        return self._namesakes.get(commune.slug, ())


def slug_of(name: str) -> str:
    return slugify(name)
