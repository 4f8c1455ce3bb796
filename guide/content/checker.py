"""`flask content check`: everything under content/ checked at once, each problem with file and line.

Links are checked against the app's own URL map, so a new page is linkable the day it is routed.
What is not yet translated is reported as a warning: the site shows the default language instead.

Registered as a Flask plugin command (pyproject's flask.commands entry point) so it runs even when
the content is too broken for the app to start: that is exactly when an editor needs it.
"""

import os
import sys
from pathlib import Path
from urllib.parse import urlsplit

import click
from flask import Flask
from werkzeug.exceptions import HTTPException
from werkzeug.routing import Map, RequestRedirect

# The package (guide/__init__.py) is always imported before this module, so these are no circle.
from .. import register_blueprints
from ..communes import load_registry
from ..config import ROOT
from ..wizards.model import CHECK, RESULT, load_wizards
from . import plain_language
from .languages import Languages
from .library import Library, load_library
from .naming import naming_problems
from .problems import ContentError, Problem, line_in_file
from .source_hosts import source_problems


def url_map_for(languages: Languages) -> Map:
    """The site's URL map, from the same blueprints the app registers, without starting the app."""
    app = Flask("guide")
    app.extensions["guide.languages"] = languages
    register_blueprints(app)
    return app.url_map


class LinkChecker:
    """What is wrong with a link written in content (without a language or commune prefix)."""

    def __init__(self, library: Library, wizards: dict, communes: set[str]):
        self.library, self.wizards, self.communes = library, wizards, communes
        self.urls = url_map_for(library.languages).bind("localhost")

    def problem(self, href: str, own_anchors: frozenset[str], language: str) -> str | None:
        parts = urlsplit(href)
        if parts.scheme == "tel":  # a phone number to tap: digits, and a + in front at most
            number = parts.path.removeprefix("+")
            return None if number.isdigit() and 3 <= len(number) <= 15 else f"link {href!r}: write tel:0123456789"
        if parts.scheme or parts.netloc:
            return f"link {href!r} goes straight out: add the page to links.yaml and link /ra/<key>"
        if not parts.path:
            return None if parts.fragment in own_anchors else f"anchor #{parts.fragment} does not exist on this page"
        if parts.path.startswith("/static/"):
            return None if (ROOT / parts.path.lstrip("/")).is_file() else f"link {href!r}: no such static file"
        return self.page_problem(href, parts, language)

    def page_problem(self, href: str, parts, language: str) -> str | None:
        """What is wrong with a link to a page of this site, by the app's URL map."""
        try:
            endpoint, values = self.urls.match(parts.path, method="GET")
        except RequestRedirect as redirect:
            return f"link {href!r}: write it as {urlsplit(redirect.new_url).path!r}"
        except HTTPException:
            return f"link {href!r} does not lead to a page of this site"
        if values.get("lang_code", self.library.languages.default) != self.library.languages.default:
            return f"link {href!r}: write internal links without a language prefix; the app adds it"
        if "commune" in values and values["commune"] not in self.communes:
            return f"link {href!r} names a commune that is not in communes.yaml"
        check = getattr(self, "check_" + endpoint.replace(".", "_"), None)
        return check(href, values, parts.fragment, language) if check else None

    def check_pages_guide(self, href, values, fragment, language):
        guide, _ = self.library.guide(values["slug"], language)
        if guide is None:
            return f"link {href!r}: there is no guide {values['slug']!r}"
        if fragment and fragment not in guide.anchors:
            return f"link {href!r}: guide {values['slug']!r} has no anchor #{fragment}"
        return None

    def check_wizards_start(self, href, values, fragment, language):
        if values["wizard_slug"] not in self.wizards:
            return f"link {href!r}: there is no wizard {values['wizard_slug']!r}"
        return None

    def check_wizards_step(self, href, values, fragment, language):
        wizard = self.wizards.get(values["wizard_slug"])
        if wizard is None:
            return self.check_wizards_start(href, values, fragment, language)
        if values["step"] not in wizard.questions and values["step"] not in (CHECK, RESULT):
            return f"link {href!r}: wizard {wizard.slug!r} has no step {values['step']!r}"
        return None

    def check_outbound_follow(self, href, values, fragment, language):
        if values["key"] not in self.library.links:
            return f"link {href!r}: /ra/ key {values['key']!r} is not in links.yaml"
        return None


def check_content(content_dir: Path, translations: Path = ROOT / "guide" / "translations") -> list[Problem]:
    """Every problem in the content tree: errors, then warnings (`Problem.warning`)."""
    try:
        library = load_library(content_dir)
    except ContentError as error:
        return error.problems  # the rest cannot be judged until the guides load
    problems: list[Problem] = []
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
    links = LinkChecker(library, wizards, communes)
    problems += guide_problems(library, links) + wizard_problems(wizards, links, library.languages.default)
    problems += naming_problems(library, wizards, content_dir, translations)
    problems += source_problems(library, content_dir)
    return problems + untranslated(library, wizards, content_dir) + plain_language.library_warnings(library)


def guide_problems(library: Library, links: LinkChecker) -> list[Problem]:
    """What is wrong in the guides' bodies: links, images without alt text, related guides, orphans."""
    problems, default = [], library.languages.default
    for language, guides in library.guides.items():
        for guide in guides.values():
            for href in guide.links:
                message = links.problem(href, guide.anchors, language)
                if message:
                    problems.append(Problem(guide.path, message, line_in_file(guide.path, f"({href}")))
            for src in guide.images_without_alt:
                problems.append(Problem(guide.path, f"image {src!r} has no alt text", line_in_file(guide.path, src)))
            for slug in guide.related:
                if library.guide(slug, language)[0] is None:
                    problems.append(
                        Problem(guide.path, f"related guide {slug!r} does not exist", line_in_file(guide.path, slug))
                    )
            if language != default and guide.slug not in library.originals:
                problems.append(Problem(guide.path, f"has no {default} original with the same slug"))
    return problems


def wizard_problems(wizards: dict, links: LinkChecker, default: str) -> list[Problem]:
    """The links written in the wizards' outcome texts."""
    problems = []
    for wizard in wizards.values():
        for outcome in wizard.outcomes.values():
            for href in outcome.body_links:
                message = links.problem(href, frozenset(), default)
                if message:
                    line = wizard.lines.line("outcomes", outcome.id, "body")
                    problems.append(Problem(wizard.path, f"{outcome.id}: {message}", line))
    return problems


def untranslated(library: Library, wizards: dict, content_dir: Path) -> list[Problem]:
    """What readers of each language see in the default language instead, as warnings."""
    warnings = []
    for language in library.languages.prefixed:
        missing = [slug for slug in library.originals if slug not in library.guides[language]]
        if missing:
            folder = content_dir / language / "guides"
            warnings.append(
                Problem(folder, f"{len(missing)} guide(s) not yet in {language}: {', '.join(missing)}", warning=True)
            )
        for wizard in wizards.values():
            if wizard.untranslated.get(language):
                where = wizard.untranslated[language]
                warnings.append(
                    Problem(
                        wizard.path,
                        f"{len(where)} text(s) not yet in {language}: "
                        f"{', '.join(where[:5])}{' …' if len(where) > 5 else ''}",
                        warning=True,
                    )
                )
    return warnings


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
    """Print every problem in content/ with its file and line; exit 1 if there is an error."""
    content_dir = content_dir or Path(os.environ.get("GUIDE_CONTENT_DIR") or ROOT / "content")
    problems = check_content(content_dir)
    for problem in problems:
        click.echo(str(problem), err=True)
    errors = [problem for problem in problems if not problem.warning]
    if errors:
        click.echo(f"{len(errors)} problem(s) in {content_dir}", err=True)
        sys.exit(1)
    click.echo(f"content is clean: {content_dir}" + (f" ({len(problems)} warning(s))" if problems else ""))
