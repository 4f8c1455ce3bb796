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

from ..text import SLUG
from .guides import SOURCE_KEY_PREFIX, Guide, load_guide
from .journeys import place_journeys
from .languages import Languages, load_languages
from .placeholders import filled
from .problems import ContentError, Problem
from .schema import AnyOf, MapOf, Record, Text, read_yaml
from .search_words import FILE_NAME as SEARCH_WORDS
from .search_words import SearchWords, load_search_words

Words = Callable[[str], dict[str, str]]  # a language -> what each placeholder says in it
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
    search_words: SearchWords = dataclasses.field(default_factory=SearchWords)  # content/search-words.yaml
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
        if key.startswith(SOURCE_KEY_PREFIX):
            problems.append(Problem(path, f"link {key!r}: keys starting {SOURCE_KEY_PREFIX!r} are the guides' sources"))
        label = entry["label"] or {}
        label = label if isinstance(label, dict) else {languages.default: label}
        links[key] = Link(key, entry["url"], languages.in_every_language({languages.default: key, **label}))
    return links


def source_links(guides: dict[str, dict[str, Guide]], languages: Languages) -> dict[str, Link]:
    """The guides' sources join the allow-list, so that a source link goes out through /ra/ like a
    body link; each is as reviewed as the guide that cites it."""
    found: dict[str, Link] = {}
    for by_slug in guides.values():
        for guide in by_slug.values():
            for source in guide.sources:
                if source.url and source.key not in found:
                    label = languages.in_every_language({languages.default: source.title})
                    found[source.key] = Link(source.key, source.url, label)
    return found


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
    links.update(source_links(guides, languages))
    search_words = load_search_words(content_dir / SEARCH_WORDS, languages, problems)
    if problems:
        raise ContentError(problems)
    return Library(languages, guides, topics, links, search_words, words)
