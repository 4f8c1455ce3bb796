"""Guides, topics and the outbound-link allow-list, read from content/ once at start-up.

Markdown is rendered here, once, never per request (rendering per request is ~30x slower).
Internal links are written without a language or commune prefix; `Guide.html_for(prefix)` adds it.
A guide missing in a language is shown in the default language, with a notice.
"""

import dataclasses
import datetime as dt
import html
import re
import xml.etree.ElementTree as etree
from dataclasses import dataclass
from pathlib import Path

import frontmatter
import markdown
import yaml
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

from ..text import fold, slugify
from .languages import Languages, load_languages
from .positions import Positions
from .problems import ContentError, Problem

AUDIENCES = {"nguoi-dan", "ho-kinh-doanh", "doanh-nghiep"}
REQUIRED = ("title", "summary", "topic", "audience", "updated", "sources")
KNOWN_FIELDS = set(REQUIRED) | {"order", "related", "steps"}
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
TOC_MIN_SECTIONS = 4
_INTERNAL_HREF = re.compile(r'href="/(?!static/)')
_TAGS = re.compile(r"<[^>]+>")
_WORD = re.compile(r"\w+")
_STEP_PREFIX = re.compile(r"^\w+\s+\d+\s*[:.]\s*")  # "Bước 3: ", "Step 3: "


@dataclass(frozen=True)
class Source:
    title: str
    url: str | None = None


@dataclass(frozen=True)
class Heading:
    level: int
    anchor: str
    title: str


@dataclass(frozen=True)
class Step:
    """One step of a journey: its heading in the journey guide and the guides that belong to it."""

    number: int
    anchor: str  # the heading's id in the journey guide
    name: str  # the heading's words without "Bước 3:"
    guides: tuple[str, ...]  # the first is where "previous" and "next" lead; none: to the heading

    @property
    def guide(self) -> str | None:
        return self.guides[0] if self.guides else None


@dataclass(frozen=True)
class JourneyPlace:
    """Where a guide stands in a journey: shown on the guide as a step-by-step box."""

    journey: str  # the journey guide's slug
    journey_title: str
    step: Step
    total: int
    previous: Step | None
    next: Step | None


@dataclass(frozen=True)
class Guide:
    slug: str
    locale: str
    title: str
    summary: str
    topic: str
    audience: tuple[str, ...]
    updated: dt.date
    order: int
    related: tuple[str, ...]
    sources: tuple[Source, ...]
    html: str
    headings: tuple[Heading, ...]
    text: str  # plain text of the body, for search
    path: Path
    links: tuple[str, ...]  # every href in the body, as written
    images_without_alt: tuple[str, ...]
    steps: tuple[tuple[str, tuple[str, ...]], ...] = ()  # a journey's steps as written: (heading id, guides)
    journey: JourneyPlace | None = None  # set when the library is loaded, for a guide that is a step
    front_matter: Positions = dataclasses.field(default_factory=lambda: Positions(""), compare=False, repr=False)

    def line(self, *path) -> int | None:
        """The file line of a front matter field (`line("steps", 2, "guides", 0)`), for a problem's place."""
        return self.front_matter.line(*path)

    @property
    def sections(self) -> tuple[Heading, ...]:
        return tuple(h for h in self.headings if h.level == 2)

    @property
    def shows_toc(self) -> bool:
        return len(self.sections) >= TOC_MIN_SECTIONS

    @property
    def anchors(self) -> frozenset[str]:
        return frozenset(h.anchor for h in self.headings) | frozenset(re.findall(r'id="([^"]+)"', self.html))

    def html_for(self, prefix: str) -> str:
        return with_prefix(self.html, prefix)


def with_prefix(rendered: str, prefix: str) -> str:
    """Rendered HTML with its internal links moved under `prefix` ('', '/en', '/xa/ea-na', …)."""
    return _INTERNAL_HREF.sub(f'href="{prefix}/', rendered) if prefix else rendered


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


class _CollectLinks(Treeprocessor):
    """Records every href and every image without alt text, for the content checker."""

    def run(self, root: etree.Element) -> None:
        self.md.collected_links = [a.get("href", "") for a in root.iter("a")]
        self.md.images_without_alt = [
            img.get("src", "") for img in root.iter("img") if not (img.get("alt") or "").strip()
        ]


class _CollectLinksExtension(Extension):
    def extendMarkdown(self, md: markdown.Markdown) -> None:
        md.treeprocessors.register(_CollectLinks(md), "collect_links", 0)


def make_markdown() -> markdown.Markdown:
    """A Markdown renderer for guides and wizard texts. Not thread-safe: one per loader."""
    return markdown.Markdown(
        extensions=[
            "toc",
            "tables",
            "attr_list",
            "admonition",
            "md_in_html",
            "sane_lists",
            "smarty",
            _CollectLinksExtension(),
        ],
        extension_configs={"toc": {"slugify": slugify, "toc_depth": "2-3"}, "smarty": {"smart_quotes": False}},
        output_format="html",
    )


def _flatten_toc(tokens) -> list[Heading]:
    headings = []
    for token in tokens:
        headings.append(Heading(token["level"], token["id"], html.unescape(_TAGS.sub("", token["name"]))))
        headings.extend(_flatten_toc(token["children"]))
    return headings


def _as_date(value) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return None
    return None


def load_guide(path: Path, locale: str, topics: dict, md: markdown.Markdown, problems: list[Problem]) -> Guide | None:
    """Parse one guide; append its problems and return None when it cannot be used."""
    slug = path.stem
    before = len(problems)
    if not SLUG.match(slug):
        problems.append(Problem(path, "the file name must be an ASCII slug (lowercase words joined by hyphens)"))
    try:
        raw = path.read_text(encoding="utf-8")
        post = frontmatter.loads(raw)
    except UnicodeDecodeError:
        problems.append(Problem(path, "is not UTF-8 text"))
        return None
    except ValueError as error:  # YAML that parses but cannot be a value, e.g. the date 2026-13-45
        problems.append(Problem(path, f"front matter has an impossible value: {error}", 1))
        return None
    except Exception as error:  # the YAML parser raises many kinds; all mean the same to an editor
        problems.append(Problem(path, f"front matter is not valid YAML: {error}", 1))
        return None
    meta = post.metadata
    # The front matter as split keeps the newline after the opening ---, so its lines are the file's.
    front_matter, _ = frontmatter.YAMLHandler().split(raw)
    positions = Positions(front_matter)

    def complain(message: str, *place) -> None:  # place: the field's path, e.g. ("steps", 2)
        problems.append(Problem(path, message, positions.line(*place) if place else None))

    for name in REQUIRED:
        if meta.get(name) in (None, "", []):
            complain(f"front matter is missing `{name}`")
    for name in sorted(set(meta) - KNOWN_FIELDS):
        complain(f"front matter has an unknown field `{name}`", name)
    topic = meta.get("topic")
    if topic and topic not in topics:
        complain(f"unknown topic {topic!r} (known: {', '.join(topics)})", "topic")
    updated = _as_date(meta.get("updated"))
    if meta.get("updated") and updated is None:
        complain(f"`updated` must be a date like 2026-11-25, not {meta.get('updated')!r}", "updated")
    audience = meta.get("audience") or []
    audience = [audience] if isinstance(audience, str) else audience
    if not isinstance(audience, list) or not set(map(str, audience)) <= AUDIENCES:
        complain(f"`audience` must list some of {', '.join(sorted(AUDIENCES))}", "audience")
        audience = []
    order = meta.get("order", 100)
    if not isinstance(order, int):
        complain("`order` must be a whole number", "order")
        order = 100
    related = meta.get("related") or []
    if not isinstance(related, list) or not all(isinstance(r, str) for r in related):
        complain("`related` must be a list of guide slugs", "related")
        related = []
    steps = []
    raw_steps = meta.get("steps")
    if raw_steps is not None:
        if not isinstance(raw_steps, list) or not raw_steps:
            complain("`steps` must list the journey's steps: `- {heading: buoc-1, guides: [slug, …]}`", "steps")
        else:
            for index, entry in enumerate(raw_steps):
                guides = entry.get("guides", []) if isinstance(entry, dict) else None
                if isinstance(guides, str):
                    guides = [guides]
                if (
                    not isinstance(entry, dict)
                    or not isinstance(entry.get("heading"), str)
                    or not isinstance(guides, list)
                    or not all(isinstance(g, str) for g in guides)
                    or set(entry) - {"heading", "guides"}
                ):
                    complain(
                        f"each step is `{{heading: <heading id>, guides: [slug, …]}}`, not {entry!r}", "steps", index
                    )
                    continue
                steps.append((entry["heading"], tuple(guides)))
    sources = []
    for source in meta.get("sources") or []:
        if isinstance(source, str):
            sources.append(Source(source))
        elif isinstance(source, dict) and source.get("title"):
            url = source.get("url")
            if url and not str(url).startswith("https://"):
                complain(f"source URL {url!r} must start with https://", "sources")
            sources.append(Source(str(source["title"]), str(url) if url else None))
        else:
            complain("each source needs a `title` (and may have an https `url`)", "sources")
    for forbidden in ("hethongphapluat.com",):
        if any(forbidden in (s.url or "") for s in sources):
            complain(f"{forbidden} is not an accepted source", "sources")
    if re.search(r"^# ", post.content, re.MULTILINE):
        complain("the body must not have a `#` heading: the title is the page's only h1")
    if len(problems) > before:
        return None

    md.reset()
    body = md.convert(post.content)
    text = html.unescape(_TAGS.sub(" ", body))
    return Guide(
        slug=slug,
        locale=locale,
        title=str(meta["title"]).strip(),
        summary=str(meta["summary"]).strip(),
        topic=str(topic),
        audience=tuple(map(str, audience)),
        updated=updated,
        order=order,
        related=tuple(related),
        sources=tuple(sources),
        html=body,
        headings=tuple(_flatten_toc(md.toc_tokens)),
        text=" ".join(text.split()),
        path=path,
        links=tuple(md.collected_links),
        images_without_alt=tuple(md.images_without_alt),
        steps=tuple(steps),
        front_matter=positions,
    )


def place_journeys(guides: dict[str, dict[str, Guide]], default: str, problems: list[Problem]) -> None:
    """Check every journey (a guide with `steps`) and tell each of its step guides where it stands.

    Steps are declared in the default language's guide; a translation uses them with its own headings
    (the same ids). A step names a heading of the journey and guides that exist; a guide belongs to
    one step of one journey.
    """
    for language, by_slug in guides.items():
        if language != default:
            for guide in by_slug.values():
                if guide.steps:
                    problems.append(
                        Problem(
                            guide.path,
                            f"`steps` belong in the {default} original; this translation uses them",
                            guide.line("steps"),
                        )
                    )
    for journey_slug, original in guides[default].items():
        if not original.steps:
            continue
        for language, by_slug in guides.items():
            journey = by_slug.get(journey_slug)
            if journey is None:
                continue
            titles = {h.anchor: h.title for h in journey.headings}
            steps, wrong = [], False

            def step_problem(
                message: str, number: int, slug: str, once: bool = language == default, original: Guide = original
            ) -> None:
                if once:  # said at the original's `steps`, not again for each translation
                    members = original.steps[number - 1][1]
                    line = original.line("steps", number - 1, "guides", members.index(slug))
                    problems.append(Problem(original.path, message, line))

            for number, (anchor, members) in enumerate(original.steps, start=1):
                if anchor not in titles:
                    line = journey.line("steps", number - 1, "heading") if journey is original else None
                    problems.append(
                        Problem(journey.path, f"step {number}: this journey has no heading {{#{anchor}}}", line)
                    )
                    wrong = True
                    continue
                for slug in members:
                    if slug not in by_slug and slug not in guides[default]:
                        step_problem(f"step {number}: there is no guide {slug!r}", number, slug)
                        wrong = True
                steps.append(Step(number, anchor, _STEP_PREFIX.sub("", titles[anchor]), members))
            seen: dict[str, int] = {}
            for step in steps:
                for slug in step.guides:
                    if slug == journey_slug or slug in seen:
                        where = "the journey itself" if slug == journey_slug else f"already in step {seen[slug]}"
                        step_problem(
                            f"step {step.number}: guide {slug!r} is {where}; a guide is one step", step.number, slug
                        )
                        wrong = True
                    seen.setdefault(slug, step.number)
            if wrong:
                continue
            for index, step in enumerate(steps):
                for slug in step.guides:
                    member = by_slug.get(slug)
                    if member is not None and member.journey is None:
                        by_slug[slug] = dataclasses.replace(
                            member,
                            journey=JourneyPlace(
                                journey=journey_slug,
                                journey_title=journey.title,
                                step=step,
                                total=len(steps),
                                previous=steps[index - 1] if index else None,
                                next=steps[index + 1] if index + 1 < len(steps) else None,
                            ),
                        )


def _load_yaml(path: Path, problems: list[Problem]) -> tuple[object, Positions]:
    try:
        text = path.read_text(encoding="utf-8")
        return yaml.safe_load(text), Positions(text)
    except FileNotFoundError:
        problems.append(Problem(path, "is missing"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        problems.append(Problem(path, f"cannot be read: {error}"))
    return None, Positions("")


def load_topics(path: Path, languages: Languages, problems: list[Problem]) -> dict[str, dict[str, str]]:
    data, _ = _load_yaml(path, problems)
    if data is None:
        return {}
    if not isinstance(data, dict) or not all(isinstance(v, dict) and v.get(languages.default) for v in data.values()):
        problems.append(Problem(path, f"each topic needs a name per language: `key: {{{languages.default}: …}}`"))
        return {}
    return {
        str(k): languages.in_every_language({str(lang): str(name) for lang, name in v.items()}) for k, v in data.items()
    }


def load_links(path: Path, languages: Languages, problems: list[Problem]) -> dict[str, Link]:
    data, positions = _load_yaml(path, problems)
    if not isinstance(data, dict):
        if data is not None:
            problems.append(Problem(path, "expected `key: {url: https://…, label: {vi: …, en: …}}` entries"))
        return {}
    links = {}
    for key, entry in data.items():
        url = entry.get("url") if isinstance(entry, dict) else None
        line = positions.line(key)
        if not SLUG.match(str(key)):
            problems.append(Problem(path, f"link key {key!r} must be an ASCII slug", line))
        elif not isinstance(url, str) or not re.match(r"^https://[^/\s?#]+\.[^/\s?#]+(/\S*)?$", url):
            problems.append(Problem(path, f"link {key!r}: url must be an https:// address, not {url!r}", line))
        else:
            label = entry.get("label") or {}
            label = label if isinstance(label, dict) else {languages.default: str(label)}
            links[str(key)] = Link(str(key), url, languages.in_every_language({languages.default: str(key), **label}))
    return links


def load_search_words(path: Path, languages: Languages, problems: list[Problem]) -> tuple[tuple, dict]:
    """content/search-synonyms.yaml, if there is one: `synonyms`, groups of words a search takes as one,
    and `ignore`, per language, words that say nothing about what is sought."""
    if not path.exists():
        return (), {}
    before = len(problems)
    data, positions = _load_yaml(path, problems)
    if len(problems) > before:
        return (), {}
    data = {} if data is None else data
    if (
        not isinstance(data, dict)
        or set(data) - {"synonyms", "ignore"}
        or not isinstance(data.get("synonyms", []), list)
    ):
        problems.append(Problem(path, "expected `synonyms: [[word, word, …], …]` and `ignore: {vi: [word, …]}`"))
        return (), {}
    groups, seen = [], {}
    for index, group in enumerate(data.get("synonyms") or []):
        line = positions.line("synonyms", index)
        if (
            not isinstance(group, list)
            or len(group) < 2
            or not all(isinstance(w, str) and _WORD.search(w) for w in group)
        ):
            problems.append(
                Problem(path, f"a synonym group lists two or more words, `[căn cước, CCCD]`, not {group!r}", line)
            )
            continue
        for word in group:
            key = " ".join(_WORD.findall(fold(word)))  # as the search cuts it into words
            if key in seen:
                problems.append(Problem(path, f"{word!r} is already in the group of {seen[key]!r}", line))
            seen.setdefault(key, group[0])
        groups.append(tuple(word.strip() for word in group))
    ignore = data.get("ignore") or {}
    if not isinstance(ignore, dict) or not all(
        code in languages.codes and isinstance(words, list) and all(isinstance(w, str) for w in words)
        for code, words in ignore.items()
    ):
        problems.append(
            Problem(
                path,
                f"`ignore` lists words per language: `{{vi: [làm, …]}}` (languages: {', '.join(languages.codes)})",
                positions.line("ignore"),
            )
        )
        ignore = {}
    return tuple(groups), {code: tuple(words) for code, words in ignore.items()}


def load_library(content_dir: Path) -> Library:
    """Read every guide and the data beside them; raise ContentError listing every problem."""
    languages = load_languages(content_dir)
    problems: list[Problem] = []
    topics = load_topics(content_dir / "topics.yaml", languages, problems)
    links = load_links(content_dir / "links.yaml", languages, problems)
    md = make_markdown()
    guides: dict[str, dict[str, Guide]] = {}
    for language in languages.codes:
        guides[language] = {}
        for path in sorted((content_dir / language / "guides").glob("*.md")):
            guide = load_guide(path, language, topics, md, problems)
            if guide is not None:
                guides[language][guide.slug] = guide
    place_journeys(guides, languages.default, problems)
    synonyms, ignored = load_search_words(content_dir / "search-synonyms.yaml", languages, problems)
    if problems:
        raise ContentError(problems)
    return Library(languages, guides, topics, links, synonyms, ignored)
