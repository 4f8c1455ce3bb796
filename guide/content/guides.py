"""One guide: content/<language>/guides/<slug>.md, its front matter checked at start-up and its
Markdown rendered when first shown, then kept for the process, never rendered per request
(rendering per request is ~30x slower).
`render` is the one Markdown renderer, for guides and wizard texts alike.

Internal links are written without a language or commune prefix; `Guide.html_for(prefix)` adds it.
"""

import dataclasses
import datetime as dt
import functools
import hashlib
import html
import re
import threading
import xml.etree.ElementTree as etree
from dataclasses import dataclass
from pathlib import Path

import markdown
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

from ..text import SLUG, slugify
from .placeholders import filled, line_of, unknown_placeholders
from .problems import Problem
from .schema import AnyOf, Choice, Date, Lines, ListOf, Record, Text, Whole, read_front_matter

AUDIENCES = {"nguoi-dan", "ho-kinh-doanh", "doanh-nghiep"}
REQUIRED = ("title", "summary", "topic", "audience", "updated", "sources")
FORBIDDEN_SOURCES = ("hethongphapluat.com",)
TOC_MIN_SECTIONS = 4
DEFAULT_ORDER = 100
_INTERNAL_HREF = re.compile(r'href="/(?!static/)')
_TAGS = re.compile(r"<[^>]+>")
_BODY_H1 = re.compile(r"^# ", re.MULTILINE)

STEP = Record(
    {"heading": Text(), "guides": ListOf(Text(), single=True)},
    required=("heading",),
    message="each step is `{{heading: <heading id>, guides: [slug, …]}}`, not {value!r}",
)
SOURCE = AnyOf(
    Text(numbers=True),
    Record(
        {
            "title": Text(numbers=True),
            "url": Text(pattern=re.compile(r"^https://"), message="source URL {value!r} must start with https://"),
        },
        required=("title",),
    ),
    expected="a title, or `{title: …, url: https://…}`",
)


def front_matter_shape(topics) -> Record:
    """What a guide's front matter holds; its topic must be one of `topics`."""
    return Record(
        {
            "title": Text(numbers=True),
            "summary": Text(numbers=True),
            "topic": Choice(topics, message=f"unknown topic {{value!r}} (known: {', '.join(topics)})"),
            "audience": ListOf(
                Choice(AUDIENCES), single=True, message=f"`audience` must list some of {', '.join(sorted(AUDIENCES))}"
            ),
            "updated": Date(message="`updated` must be a date like 2026-11-25, not {value!r}"),
            "order": Whole(),
            "related": ListOf(Text(), message="`related` must be a list of guide slugs"),
            "steps": ListOf(STEP, at_least=1, expected="the journey's steps: `- {heading: buoc-1, guides: [slug, …]}`"),
            "sources": ListOf(SOURCE),
        },
        required=REQUIRED,
        called="front matter",
    )


SOURCE_KEY_PREFIX = "nguon-"  # links.yaml keys never start with it: these keys are the sources'


def source_key(url: str) -> str:
    """The allow-list key of a source's page: /ra/<key> leads there, as body links do."""
    return SOURCE_KEY_PREFIX + hashlib.sha256(url.encode("utf-8")).hexdigest()[:10]


@dataclass(frozen=True)
class Source:
    title: str
    url: str | None = None

    @property
    def key(self) -> str | None:
        return source_key(self.url) if self.url else None


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
    guides: tuple[str, ...]


@dataclass(frozen=True)
class JourneyPlace:
    """Where a guide stands in a journey: shown on the guide as one line, "Part of: <journey>"."""

    journey: str  # the journey guide's slug
    journey_title: str
    step: Step


@dataclass(frozen=True)
class Rendered:
    html: str
    headings: tuple[Heading, ...]
    links: tuple[str, ...]  # every href, as written
    images_without_alt: tuple[str, ...]


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
    body: str  # Markdown, rendered when first asked for: most apps (tests make hundreds) show few guides
    path: Path
    steps: tuple[tuple[str, tuple[str, ...]], ...] = ()  # a journey's steps as written: (heading id, guides)
    journey: JourneyPlace | None = None  # set when the library is loaded, for a guide that is a step
    front_matter: Lines = dataclasses.field(default_factory=lambda: Lines(""), compare=False, repr=False)

    def line(self, *path) -> int | None:
        """The file line of a front matter field (`line("steps", 2, "guides", 0)`), for a problem's place."""
        return self.front_matter.line(*path)

    @property
    def rendered(self) -> Rendered:
        return render(self.body)

    @property
    def html(self) -> str:
        return self.rendered.html

    @property
    def headings(self) -> tuple[Heading, ...]:
        return self.rendered.headings

    @property
    def links(self) -> tuple[str, ...]:
        """Every href in the body, as written."""
        return self.rendered.links

    @property
    def images_without_alt(self) -> tuple[str, ...]:
        return self.rendered.images_without_alt

    @functools.cached_property
    def text(self) -> str:
        """Plain text of the body, for search."""
        return " ".join(html.unescape(_TAGS.sub(" ", self.html)).split())

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


def _make_markdown() -> markdown.Markdown:
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


_markdown = _make_markdown()
_markdown_lock = threading.Lock()  # a Markdown instance keeps state between documents: one at a time


@functools.lru_cache(maxsize=4096)
def render(source: str) -> Rendered:
    """Markdown to HTML, with its headings and links. A pure function of the text, so kept for the
    process: each text is rendered once however many apps the process makes (tests make hundreds)."""
    with _markdown_lock:
        _markdown.reset()
        rendered = _markdown.convert(source)
        return Rendered(
            rendered,
            tuple(_flatten_toc(_markdown.toc_tokens)),
            tuple(_markdown.collected_links),
            tuple(_markdown.images_without_alt),
        )


def _sources(given) -> tuple[Source, ...]:
    return tuple(Source(s) if isinstance(s, str) else Source(s["title"], s["url"]) for s in given)


def _check(document, path: Path, body: str) -> None:
    """What the schema cannot say about a guide: its placeholders, file name, sources and headings."""
    meta = document.data
    for message in unknown_placeholders(body + str(meta)):
        document.complain_at_line(message, line_of(path.read_text(encoding="utf-8"), message.split()[0]))
    if not SLUG.match(path.stem):
        document.complain("the file name must be an ASCII slug (lowercase words joined by hyphens)")
    if meta is not None:
        for forbidden in FORBIDDEN_SOURCES:
            if any(forbidden in (source.url or "") for source in _sources(meta["sources"])):
                document.complain(f"{forbidden} is not an accepted source", "sources")
    if _BODY_H1.search(body):
        document.complain("the body must not have a `#` heading: the title is the page's only h1")


def load_guide(
    path: Path, locale: str, topics: dict, problems: list[Problem], words: dict | None = None
) -> Guide | None:
    """Read one guide, its placeholders filled with `words`; append its problems and return None
    when it cannot be used."""
    document, body = read_front_matter(path, front_matter_shape(topics))
    meta = document.data
    _check(document, path, body)
    if not document.ok:
        problems.extend(document.problems())
        return None
    return Guide(
        slug=path.stem,
        locale=locale,
        title=filled(meta["title"], words or {}),
        summary=filled(meta["summary"], words or {}),
        topic=meta["topic"],
        audience=meta["audience"],
        updated=meta["updated"],
        order=DEFAULT_ORDER if meta["order"] is None else meta["order"],
        related=meta["related"] or (),
        sources=_sources(meta["sources"]),
        body=filled(body, words or {}),
        path=path,
        steps=tuple((step["heading"], step["guides"] or ()) for step in meta["steps"] or ()),
        front_matter=document.lines,
    )
