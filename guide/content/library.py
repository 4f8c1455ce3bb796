"""The library: every guide in every language, with the data beside them (topics, the outbound-link
allow-list, search words), read from content/ once at start-up. A guide missing in a language is
shown in the default language, with a notice.

`guides` reads one guide, `journeys` links journeys to their steps, `schema` reads and checks
every YAML file.
"""

import dataclasses
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from ..text import SLUG, fold
from .guides import Guide, load_guide
from .journeys import place_journeys
from .languages import Languages, load_languages
from .placeholders import filled
from .problems import ContentError, Problem
from .schema import AnyOf, ListOf, MapOf, Record, Test, Text, read_yaml

Words = Callable[[str], dict[str, str]]  # a language -> what each placeholder says in it
_WORD = re.compile(r"\w+")
HTTPS_ADDRESS = re.compile(r"^https://[^/\s?#]+\.[^/\s?#]+(/\S*)?$")


@dataclass(frozen=True)
class Link:
    key: str
    url: str
    label: dict[str, str]


@dataclass
class Library:
    languages: Languages
    guides: dict[str, dict[str, Guide]]  # language -> slug -> guide
    topics: dict[str, dict[str, str]]  # topic key -> language -> name (every language), in display order
    links: dict[str, Link]
    synonyms: tuple[tuple[str, ...], ...] = ()  # content/search-synonyms.yaml: words a search takes as one
    ignored: dict[str, tuple[str, ...]] = dataclasses.field(default_factory=dict)  # language -> words
    words: Words | None = None  # what the placeholders say in a language: for wizard texts too

    def filled(self, text: str, language: str) -> str:
        return filled(text, self.words(language)) if self.words else text

    @property
    def originals(self) -> dict[str, Guide]:
        """The guides in the default language, which every other language falls back to."""
        return self.guides[self.languages.default]

    def guide(self, slug: str, locale: str) -> tuple[Guide | None, bool]:
        """The guide in `locale`, else in the default language; the flag says it fell back."""
        found = self.guides.get(locale, {}).get(slug)
        if found is not None:
            return found, False
        fallback = self.originals.get(slug)
        return fallback, fallback is not None and locale != self.languages.default

    def all_in(self, locale: str) -> list[Guide]:
        """Every guide a reader of `locale` can open: theirs, else the default language's."""
        slugs = list(self.originals) + [s for s in self.guides.get(locale, {}) if s not in self.originals]
        return [self.guide(slug, locale)[0] for slug in slugs]

    def by_topic(self, locale: str) -> list[tuple[str, str, list[Guide]]]:
        """[(topic key, topic name, guides in order)], topics in their display order."""
        guides = self.all_in(locale)
        grouped = []
        for key, names in self.topics.items():
            members = sorted((g for g in guides if g.topic == key), key=lambda g: (g.order, g.title))
            if members:
                grouped.append((key, names[locale], members))
        return grouped

    def top(self, locale: str, count: int = 6) -> list[Guide]:
        """The first guides of every topic, round by round: the home page's "start here"."""
        topic_rank = {key: rank for rank, key in enumerate(self.topics)}
        return sorted(self.all_in(locale), key=lambda g: (g.order, topic_rank.get(g.topic, len(topic_rank)), g.title))[
            :count
        ]


def load_topics(path: Path, languages: Languages, problems: list[Problem]) -> dict[str, dict[str, str]]:
    default = languages.default
    names = Record({default: Text(numbers=True)}, required=(default,), others=True)
    shape = MapOf(names, message=f"each topic needs a name per language: `key: {{{{{default}: …}}}}`")
    document = read_yaml(path, shape)
    problems.extend(document.problems())
    return {
        key: languages.in_every_language({str(lang): str(name) for lang, name in given.items()})
        for key, given in (document.data or {}).items()
    }


def load_links(path: Path, languages: Languages, problems: list[Problem]) -> dict[str, Link]:
    link = Record(
        {
            "url": Text(pattern=HTTPS_ADDRESS, message="url must be an https:// address, not {value!r}"),
            "label": AnyOf(MapOf(Text(numbers=True)), Text(numbers=True)),
        },
        required=("url",),
    )
    keys = Text(pattern=SLUG, message="the key must be an ASCII slug")
    shape = MapOf(link, key=keys, expected="`key: {url: https://…, label: {vi: …, en: …}}` entries")
    document = read_yaml(path, shape, label=lambda place, _data: f"link {place[0]!r}" if place else None)
    problems.extend(document.problems())
    links = {}
    for key, entry in (document.data or {}).items():
        label = entry["label"] or {}
        label = label if isinstance(label, dict) else {languages.default: label}
        links[key] = Link(key, entry["url"], languages.in_every_language({languages.default: key, **label}))
    return links


def _is_group(words: tuple[str, ...]) -> bool:
    return len(words) >= 2 and all(_WORD.search(word) for word in words)


def search_words_shape(languages: Languages) -> Record:
    group = Test(
        ListOf(Text()), _is_group, message="a synonym group lists two or more words, `[căn cước, CCCD]`, not {value!r}"
    )
    ignore = MapOf(
        ListOf(Text()),
        key=Text(pattern=re.compile(f"^(?:{'|'.join(languages.codes)})$")),
        message=f"`ignore` lists words per language: `{{{{vi: [làm, …]}}}}` (languages: {', '.join(languages.codes)})",
    )
    return Record(
        {"synonyms": ListOf(group), "ignore": ignore},
        unknown="expected `synonyms: [[word, word, …], …]` and `ignore: {vi: [word, …]}`",
    )


def load_search_words(path: Path, languages: Languages, problems: list[Problem]) -> tuple[tuple, dict]:
    """content/search-synonyms.yaml, if there is one: `synonyms`, groups of words a search takes as one,
    and `ignore`, per language, words that say nothing about what is sought."""
    if not path.exists():
        return (), {}
    document = read_yaml(path, search_words_shape(languages))
    data = document.data or {}
    seen: dict[str, str] = {}
    for index, group in enumerate(data.get("synonyms") or ()):
        for word in group:
            key = " ".join(_WORD.findall(fold(word)))  # as the search cuts it into words
            if key in seen:
                document.complain(f"{word!r} is already in the group of {seen[key]!r}", "synonyms", index)
            seen.setdefault(key, group[0])
    problems.extend(document.problems())
    if not document.ok:
        return (), {}
    return tuple(data["synonyms"] or ()), data["ignore"] or {}


def load_library(content_dir: Path, words: Words | None = None, links_added: Iterable[Link] = ()) -> Library:
    """Read every guide and the data beside them; raise ContentError listing every problem.
    `words(language)` fills the placeholders (none filled without it); `links_added` are the
    deployment's own links (its portal), in place of links.yaml's entries of the same key."""
    languages = load_languages(content_dir)
    problems: list[Problem] = []
    topics = load_topics(content_dir / "topics.yaml", languages, problems)
    links = load_links(content_dir / "links.yaml", languages, problems)
    for link in links_added:
        links[link.key] = Link(link.key, link.url, languages.in_every_language(link.label))
    guides: dict[str, dict[str, Guide]] = {}
    for language in languages.codes:
        guides[language] = {}
        for path in sorted((content_dir / language / "guides").glob("*.md")):
            guide = load_guide(path, language, topics, problems, words(language) if words else None)
            if guide is not None:
                guides[language][guide.slug] = guide
    place_journeys(guides, languages.default, problems)
    synonyms, ignored = load_search_words(content_dir / "search-synonyms.yaml", languages, problems)
    if problems:
        raise ContentError(problems)
    return Library(languages, guides, topics, links, synonyms, ignored, words)
