"""The languages the site speaks, from content/languages.yaml, in display order.

The first is the default: its pages have no URL prefix, and everything missing in another language
falls back to it. Every other language lives under `/<code>`. Adding one is content, not code: an
entry here, `content/<code>/guides/`, texts keyed by the code in the wizards, and a message
catalogue in guide/translations/<code>/ (DESIGN.md, "Languages").
"""

import re
from dataclasses import dataclass
from pathlib import Path

from .problems import ContentError
from .schema import ListOf, Record, Test, Text, read_yaml

CODE = re.compile(r"^[a-z]{2,3}$")  # ISO 639-1 or -3: vi, en, rad (Ê Đê), mnc (M'nông)
# Interface strings are written in English in the code: English needs no catalogue.
SOURCE_LANGUAGE = "en"
# Path segments a language code may not take: they are the site's own.
RESERVED = frozenset({"xa", "ra", "static"})


@dataclass(frozen=True)
class Language:
    code: str
    name: str  # in the language itself, for the language switcher


@dataclass(frozen=True)
class Languages:
    all: tuple[Language, ...]

    @property
    def default(self) -> str:
        return self.all[0].code

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(language.code for language in self.all)

    @property
    def prefixed(self) -> tuple[str, ...]:
        """The codes that live under a URL prefix: all but the default."""
        return self.codes[1:]

    def of_path(self, path: str) -> str:
        """The language a URL path is in, from its first segment."""
        first = path.lstrip("/").partition("/")[0]
        return first if first in self.prefixed else self.default

    def prefix(self, code: str) -> str:
        return "" if code == self.default else f"/{code}"

    def in_every_language(self, texts: dict[str, str]) -> dict[str, str]:
        """`texts` by language, each missing one filled with the default's (the fallback)."""
        return {code: texts.get(code) or texts.get(self.default, "") for code in self.codes}


LANGUAGE = Record(
    {
        "code": Test(
            Text(pattern=CODE),
            lambda code: code not in RESERVED,
            message="code {value!r} must be a two- or three-letter code",
        ),
        "name": Text(numbers=True),
    },
    required=("code", "name"),
    called="the language",
)
LANGUAGES = ListOf(LANGUAGE, at_least=1, expected="a list of `- {code: vi, name: Tiếng Việt}` entries")


def load_languages(content_dir: Path) -> Languages:
    document = read_yaml(content_dir / "languages.yaml", LANGUAGES)
    languages: dict[str, Language] = {}
    for entry in document.data or ():
        if entry["code"] in languages:
            document.complain(f"language {entry['code']!r} is listed twice", *entry.place)
        languages.setdefault(entry["code"], Language(entry["code"], entry["name"]))
    if not document.ok or not languages:
        raise ContentError(document.problems())
    return Languages(tuple(languages.values()))
