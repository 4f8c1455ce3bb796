"""The commune registry (content/communes.yaml): today's communes and the units merged into them.

Since 1 July 2025 there are no districts and many communes were merged. A link made with a former
unit's slug (an old poster, a Zalo message) must keep working, so every former slug is an alias that
redirects permanently to today's commune.
"""

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .content import ContentError, Languages, Problem
from .content.positions import Positions

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
KINDS = {"xa", "phuong", "dac-khu", "thi-tran"}


@dataclass(frozen=True)
class Place:
    """An office a resident can go to: the service centre or the post office. Every field optional."""

    name: str | None = None
    address: str | None = None
    phone: str | None = None
    hours: dict[str, str] = field(default_factory=dict)
    map: str | None = None

    def is_known(self) -> bool:
        return any((self.name, self.address, self.phone, self.hours, self.map))


@dataclass(frozen=True)
class FormerUnit:
    slug: str
    name: str
    kind: str


@dataclass(frozen=True)
class Commune:
    slug: str
    name: str
    kind: str
    population: int | None = None
    service_centre: Place = field(default_factory=Place)
    post_office: Place = field(default_factory=Place)
    former: tuple[FormerUnit, ...] = ()


@dataclass(frozen=True)
class Registry:
    communes: tuple[Commune, ...]
    province: dict[str, str]
    aliases: dict[str, str]  # former slug -> today's slug

    def find(self, slug: str) -> tuple[Commune | None, bool]:
        """The commune a slug names today, and whether the slug is a former one (so: redirect)."""
        for commune in self.communes:
            if commune.slug == slug:
                return commune, False
        target = self.aliases.get(slug)
        if target is None:
            return None, False
        return self.get(target), True

    def get(self, slug: str) -> Commune | None:
        return next((commune for commune in self.communes if commune.slug == slug), None)


def _place(data, where: str, complain, languages: Languages) -> Place:
    if data is None:
        return Place()
    if not isinstance(data, dict):
        complain(f"{where} must be a mapping")
        return Place()
    unknown = set(data) - {"name", "address", "phone", "hours", "map"}
    if unknown:
        complain(f"{where} has unknown fields: {', '.join(sorted(unknown))}")
    hours = data.get("hours") or {}
    if isinstance(hours, str):
        hours = {languages.default: hours}
    map_link = data.get("map")
    if map_link and not str(map_link).startswith("https://"):
        complain(f"{where}.map must be an https:// link")
    return Place(
        name=_text(data.get("name")),
        address=_text(data.get("address")),
        phone=_text(data.get("phone")),
        hours=languages.in_every_language({str(k): str(v) for k, v in hours.items()})
        if isinstance(hours, dict) and hours
        else {},
        map=_text(map_link),
    )


def _text(value) -> str | None:
    return str(value).strip() or None if value is not None else None


def load_registry(path: Path, languages: Languages) -> Registry:
    """Read and validate the registry; raise ContentError naming every problem with its line."""
    problems: list[Problem] = []
    try:
        text = path.read_text(encoding="utf-8")
        data = yaml.safe_load(text) or {}
    except (OSError, yaml.YAMLError) as error:
        raise ContentError([Problem(path, f"cannot read the registry: {error}")]) from None
    if not isinstance(data, dict) or not isinstance(data.get("communes"), list):
        raise ContentError([Problem(path, "expected a mapping with a `communes:` list")])
    positions = Positions(text)

    communes: list[Commune] = []
    aliases: dict[str, str] = {}
    for index, entry in enumerate(data["communes"]):

        def complain(message: str, *within) -> None:
            problems.append(Problem(path, message, positions.line("communes", index, *within)))  # noqa: B023

        where = f"communes[{index}]"
        if not isinstance(entry, dict):
            complain(f"{where} must be a mapping")
            continue
        slug, name, kind = entry.get("slug"), entry.get("name"), entry.get("kind")
        if not isinstance(slug, str) or not SLUG.match(slug):
            complain(f"{where}: slug {slug!r} must be lowercase ASCII words joined by hyphens", "slug")
            continue
        where = f"commune {slug!r}"
        if not name:
            complain(f"{where} has no name")
        if kind not in KINDS:
            complain(f"{where}: kind must be one of {', '.join(sorted(KINDS))}", "kind")
        population = entry.get("population")
        if population is not None and (not isinstance(population, int) or population <= 0):
            complain(f"{where}: population must be a positive whole number", "population")
            population = None
        former = []
        for number, unit in enumerate(entry.get("former") or []):
            unit_slug = unit.get("slug") if isinstance(unit, dict) else None
            if not isinstance(unit_slug, str) or not SLUG.match(unit_slug):
                complain(f"{where}: a former unit needs an ASCII slug", "former", number)
                continue
            former.append(FormerUnit(unit_slug, str(unit.get("name") or unit_slug), str(unit.get("kind") or "xa")))
            if unit_slug != slug:  # a commune that kept its name lists itself; that is no alias
                if unit_slug in aliases:
                    complain(
                        f"{where}: former slug {unit_slug!r} is already an alias of {aliases[unit_slug]!r}",
                        "former",
                        number,
                    )
                aliases[unit_slug] = slug
        communes.append(
            Commune(
                slug=slug,
                name=str(name or slug),
                kind=str(kind),
                population=population,
                service_centre=_place(entry.get("service_centre"), f"{where}.service_centre", complain, languages),
                post_office=_place(entry.get("post_office"), f"{where}.post_office", complain, languages),
                former=tuple(former),
            )
        )

    slugs = [commune.slug for commune in communes]
    for slug in {s for s in slugs if slugs.count(s) > 1}:
        problems.append(Problem(path, f"commune slug {slug!r} appears more than once"))
    for alias, target in aliases.items():
        if alias in slugs:
            problems.append(Problem(path, f"former slug {alias!r} of {target!r} is another commune's slug"))
    if problems:
        raise ContentError(problems)
    province = data.get("province") or {}
    province = province if isinstance(province, dict) else {languages.default: str(province)}
    return Registry(tuple(communes), languages.in_every_language(province), aliases)
