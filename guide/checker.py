"""`flask content check`: everything under content/ checked at once, each problem with file and line.

Registered as a Flask plugin command (pyproject's flask.commands entry point) so it runs even when
the content is too broken for the app to start: that is exactly when an editor needs it.
"""

import os
import sys
from pathlib import Path
from urllib.parse import urlsplit

import click

from .communes import load_registry
from .config import ROOT
from .content import DEFAULT_LOCALE, Library, load_library
from .errors import ContentError, Problem
from .wizards.model import Wizard, load_wizards

_PAGES = {"", "huong-dan", "tim-kiem"}


def _line(path: Path, needle: str) -> int | None:
    try:
        raw = path.read_text(encoding="utf-8")
    except OSError:
        return None
    at = raw.find(needle)
    return raw.count("\n", 0, at) + 1 if at >= 0 else None


def check_href(
    href: str,
    library: Library,
    wizards: dict[str, Wizard],
    communes: set[str],
    own_anchors: frozenset[str],
    locale: str,
) -> str | None:
    """What is wrong with a link in content, or None."""
    parts = urlsplit(href)
    if parts.scheme or parts.netloc:
        return f"link {href!r} goes straight out: add the page to links.yaml and link /ra/<key>"
    if not parts.path:
        return None if parts.fragment in own_anchors else f"anchor #{parts.fragment} does not exist on this page"
    segments = parts.path.strip("/").split("/")
    if segments[:1] == ["en"]:
        return f"link {href!r}: write internal links without /en; the app adds the prefix"
    if segments[:1] == ["xa"]:
        if len(segments) < 2 or segments[1] not in communes:
            return f"link {href!r} names a commune that is not in communes.yaml"
        segments = segments[2:] or [""]
    head = segments[0]
    if head == "huong-dan" and len(segments) == 2 and segments[1]:
        guide, _ = library.guide(segments[1], locale)
        if guide is None:
            return f"link {href!r}: there is no guide {segments[1]!r}"
        if parts.fragment and parts.fragment not in guide.anchors:
            return f"link {href!r}: guide {segments[1]!r} has no anchor #{parts.fragment}"
        return None
    if head == "tu-van" and len(segments) >= 2:
        wizard = wizards.get(segments[1])
        if wizard is None:
            return f"link {href!r}: there is no wizard {segments[1]!r}"
        step = segments[2] if len(segments) > 2 else ""
        if step and step not in wizard.questions and step not in ("kiem-tra", "ket-qua"):
            return f"link {href!r}: wizard {segments[1]!r} has no step {step!r}"
        return None
    if head == "ra" and len(segments) == 2:
        return None if segments[1] in library.links else f"link {href!r}: /ra/ key {segments[1]!r} is not in links.yaml"
    if head == "static":
        return None if (ROOT / parts.path.lstrip("/")).is_file() else f"link {href!r}: no such static file"
    if head in _PAGES and len(segments) == 1:
        return None
    return f"link {href!r} does not lead to a page of this site"


def check_content(content_dir: Path) -> list[Problem]:
    problems: list[Problem] = []
    try:
        library = load_library(content_dir)
    except ContentError as error:
        return error.problems  # the rest cannot be judged until the guides load
    try:
        communes = {c.slug for c in load_registry(content_dir / "communes.yaml").communes}
    except ContentError as error:
        problems += error.problems
        communes = set()
    try:
        wizards = load_wizards(content_dir, library)
    except ContentError as error:
        problems += error.problems
        wizards = {}

    for locale, guides in library.guides.items():
        for guide in guides.values():
            for href in guide.links:
                message = check_href(href, library, wizards, communes, guide.anchors, locale)
                if message:
                    problems.append(Problem(guide.path, message, _line(guide.path, f"({href}")))
            for src in guide.images_without_alt:
                problems.append(Problem(guide.path, f"image {src!r} has no alt text", _line(guide.path, src)))
            for slug in guide.related:
                if library.guide(slug, locale)[0] is None:
                    problems.append(
                        Problem(guide.path, f"related guide {slug!r} does not exist", _line(guide.path, slug))
                    )
            if locale != DEFAULT_LOCALE and guide.slug not in library.guides[DEFAULT_LOCALE]:
                problems.append(Problem(guide.path, "has no Vietnamese original with the same slug"))
    for slug, guide in library.guides[DEFAULT_LOCALE].items():
        if slug not in library.guides.get("en", {}) and slug not in library.pending_translations:
            problems.append(
                Problem(
                    guide.path,
                    "has no English version (content/en/guides/) and is not listed in pending-translations.yaml",
                )
            )

    for wizard in wizards.values():
        for outcome in wizard.outcomes.values():
            for href in outcome.body_links:
                message = check_href(href, library, wizards, communes, frozenset(), DEFAULT_LOCALE)
                if message:
                    problems.append(Problem(wizard.path, f"{outcome.id}: {message}", _line(wizard.path, href)))
    return problems


@click.group("content")
def content_cli():
    """Check the guides, wizards and registry under content/."""


@content_cli.command("check")
@click.option(
    "--content-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="default: $GUIDE_CONTENT_DIR or ./content",
)
def check_command(content_dir: Path | None):
    """Print every problem in content/ with its file and line; exit 1 if there is any."""
    content_dir = content_dir or Path(os.environ.get("GUIDE_CONTENT_DIR") or ROOT / "content")
    problems = check_content(content_dir)
    for problem in problems:
        click.echo(str(problem), err=True)
    if problems:
        click.echo(f"{len(problems)} problem(s) in {content_dir}", err=True)
        sys.exit(1)
    click.echo(f"content is clean: {content_dir}")
