"""The reading pages: home (and a commune's landing page), the guide index, a guide; error pages."""

import logging
import re

import sqlalchemy as sa
from flask import Flask, abort, current_app, g, has_request_context, render_template, request, url_for
from flask_babel import format_date, format_number, get_locale
from markupsafe import Markup
from werkzeug.exceptions import HTTPException, InternalServerError

from . import clock, db
from .communes import Registry, details
from .communes.finder import MAX_QUERY_LENGTH, Finder
from .communes.model import MERGED_ON, Commune, split_kind
from .content import Library
from .extensions import is_partial
from .prefixes import (
    FORMER_PARAMETER,
    Blueprint,
    FormerNameChoice,
    current_language,
    languages,
    url_in_language,
    url_prefix,
)
from .response_cache import shareable
from .text import fold

bp = Blueprint("pages", __name__)
log = logging.getLogger(__name__)
MAIN_WIZARD = "cach-nop-ho-so"  # "Which way should I submit?": the home page's call to action
# A guide's "what to do when something goes wrong" section, by its heading's id in each language
# ("Khi gặp trục trặc", "If something goes wrong"): in a commune's context, its offices follow it.
TROUBLE_SECTIONS = frozenset({"khi-gap-truc-trac", "if-something-goes-wrong"})
_SECTION_START = re.compile(r'<h2 id="([^"]+)"')


def library() -> Library:
    return current_app.extensions["guide.library"]


def registry() -> Registry:
    return current_app.extensions["guide.registry"]


def _on_record(key: str, read, nothing):
    """What `read(connection)` finds, read once per request (kept on `g` under `key`). A database
    that cannot answer, or has no such table yet, shows the page without it: `nothing`."""
    if key not in g:
        try:
            with db.engine().connect() as connection:
                setattr(g, key, read(connection))
        except sa.exc.SQLAlchemyError as error:
            log.info("commune details not read: %s", type(error).__name__)
            setattr(g, key, nothing)
    return g.get(key)


def commune_details() -> details.Details:
    """What the commune in context has on record: its staff's entries."""
    commune = g.get("commune")
    if commune is None:
        return details.NOTHING
    return _on_record("commune_details", lambda connection: details.read(connection, commune.slug), details.NOTHING)


def phones_of(communes) -> list[tuple[Commune, str]]:
    """(commune, its first phone) for those of `communes` whose staff entered one: the choice
    between communes says whom to ask."""
    on_record = _on_record("every_commune_details", details.read_all, {})
    return [(c, on_record[c.slug].phones[0]) for c in communes if c.slug in on_record and on_record[c.slug].phones]


def registry_of(app: Flask) -> Registry:
    return app.extensions["guide.registry"]


@bp.route("/")
@shareable
def home():
    language = current_language()
    wizard = current_app.extensions["guide.wizards"].get(MAIN_WIZARD)
    commune = g.get("commune")
    return render_template(
        "pages/home.html",
        landings=[registry().landing(unit.slug) for unit in commune.former] if commune else [],
        namesakes=registry().namesakes(commune) if commune else (),
        top_guides=library().top(language),
        main_wizard=wizard
        and {"title": wizard.title[language], "url": url_for("wizards.start", wizard_slug=wizard.slug)},
    )


@bp.route("/huong-dan/")
@shareable
def guide_index():
    return render_template("pages/guide_index.html", topics=library().by_topic(current_language()))


@bp.route("/huong-dan/<slug>")
@shareable
def guide(slug: str):
    language = current_language()
    found, fell_back = library().guide(slug, language)
    if found is None:
        abort(404)
    related = [other for other in (library().guide(s, language)[0] for s in found.related) if other is not None]
    topic = library().topics.get(found.topic, {})
    body = found.html_for(url_prefix())
    return render_template(
        "pages/guide.html",
        guide=found,
        fell_back=fell_back,
        body=Markup(body),
        # In a commune's context its offices follow "what to do when something goes wrong", or end the guide.
        around_help=g.get("commune") and (split_after_section(body, TROUBLE_SECTIONS) or (body, Markup(""))),
        related=related,
        topic_name=topic.get(language, ""),
    )


def split_after_section(html: str, anchors: frozenset[str]) -> tuple[Markup, Markup] | None:
    """A guide's HTML cut where its first section headed by one of `anchors` ends (at the next
    <h2>, or the end), for something to go in between; None when it has no such section."""
    for start in _SECTION_START.finditer(html):
        if start[1] in anchors:
            end = html.find("<h2", start.end())
            end = len(html) if end < 0 else end
            return Markup(html[:end]), Markup(html[end:])
    return None


@bp.route("/ngoai-tuyen")
@shareable
def offline():
    """What the service worker (static/js/sw.js) shows for a page never opened, when there is no
    network: kept once per language, the first time a page in that language is opened."""
    return render_template("pages/offline.html")


# --- the communes: every one of them, "which commune am I in now?", and the choice of a former name


def finder() -> Finder:
    return current_app.extensions["guide.commune_finder"]


def _sort_key(commune: Commune) -> str:
    return fold(commune.name.lower().replace("đ", "d{"))  # Đ after every D


def by_letter(communes) -> list[tuple[str, list[Commune]]]:
    """The communes in alphabetical order, grouped by first letter (Đ after D, as in the alphabet)."""
    groups: dict[str, list[Commune]] = {}
    for commune in sorted(communes, key=_sort_key):
        first = commune.name[:1].upper()
        groups.setdefault("Đ" if first == "Đ" else fold(first).upper(), []).append(commune)
    return list(groups.items())


@bp.route("/xa/")
@shareable
def communes():
    groups = [
        (province, by_letter([c for c in registry().communes if c.province == province]))
        for province in registry().provinces
    ] or [(None, by_letter(registry().communes))]
    return render_template("communes/index.html", groups=groups, count=len(registry().communes), query="")


@bp.route("/tim-xa")
@shareable
def find_commune():
    query = request.args.get("q", "")[:MAX_QUERY_LENGTH]
    found = finder().find(query) if query.strip() else None
    template = "communes/_found.html" if is_partial() else "communes/find.html"
    return render_template(template, query=query, found=found, partial=template.startswith("communes/_"))


def render_choice(choice: FormerNameChoice):
    """/xa/<former>/…, where the former name could mean several communes: ask which, with the same
    page under each."""
    try:
        links = [
            (
                landing,
                commune,
                url_for(choice.endpoint, **choice.values, lang_code=current_language(), commune=commune.slug),
            )
            for landing in choice.landings
            for commune in landing.communes
        ]
        return render_template("communes/choice.html", slug=choice.slug, landings=choice.landings, links=links)
    except Exception as error:
        return render_unexpected(error)


def moved_from():
    """The former unit a visitor was just redirected from (`?tu=`), if it went to this commune."""
    commune, slug = g.get("commune"), request.args.get(FORMER_PARAMETER, "")
    if commune is None or not slug or len(slug) > 80:
        return None
    landing = registry().landing(slug)
    return landing if landing is not None and commune in landing.communes else None


def render_error(error: HTTPException):
    code = error.code or 500
    unknown = g.get("unknown_commune") if code == 404 else None
    try:
        return render_template(
            "errors/error.html",
            code=code,
            unknown_commune=unknown,
            query=" ".join(unknown.split("-"))[:MAX_QUERY_LENGTH] if unknown else "",
        ), code
    except Exception:  # the error page itself failed: answer plainly rather than with a trace
        current_app.logger.exception("error page failed to render")
        return "Lỗi / Error", code, {"Content-Type": "text/plain; charset=utf-8"}


def render_unexpected(error: Exception):
    current_app.logger.error("unhandled error on %s", request.path, exc_info=error)
    return render_error(InternalServerError())


def local_date(day) -> str:
    """Dates as people write them: 1/7/2025 in Vietnamese, 1 July 2025 in English."""
    return format_date(day, "d/M/y" if get_locale().language == "vi" else "d MMMM y")


def init_app(app: Flask) -> None:
    app.extensions["guide.commune_finder"] = Finder(registry_of(app))
    app.register_error_handler(FormerNameChoice, render_choice)
    app.register_error_handler(HTTPException, render_error)
    app.register_error_handler(Exception, render_unexpected)
    app.add_template_filter(local_date)
    app.add_template_filter(format_number)
    app.add_template_global(phones_of)  # communes/_candidates.html
    app.add_template_global(split_kind)  # communes/_names.html: each language says a place's kind its own way

    @app.context_processor
    def page_context():
        language = current_language()
        return {
            "lang": language,
            "languages": languages(),
            "outbound_links": library().links,  # the allow-list, for pages that point the way out
            "url_in_language": url_in_language,
            "commune": g.get("commune"),
            "details": commune_details() if has_request_context() else details.NOTHING,
            "local_now": clock.now().replace(tzinfo=None),  # "open now", with the time it was true
            "finder_example": registry().example,  # communes/_find_form.html: a name this province knows
            "moved_from": moved_from() if has_request_context() else None,
            "moved_on": MERGED_ON,
        }

    @app.after_request
    def vary_on_htmx(response):
        # The same URL answers htmx with a partial and everyone else with the page: say so to caches.
        if response.mimetype == "text/html":
            response.vary.add("HX-Request")
        return response
