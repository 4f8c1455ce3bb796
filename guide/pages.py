"""The reading pages: home (and a commune's landing page), the guide index, a guide; error pages."""

from flask import Flask, abort, current_app, g, render_template, request, url_for
from flask_babel import format_date, get_locale
from markupsafe import Markup
from werkzeug.exceptions import HTTPException, InternalServerError

from .communes import Registry
from .content import Library
from .prefixes import Blueprint, current_language, languages, url_in_language, url_prefix
from .response_cache import shareable

bp = Blueprint("pages", __name__)
MAIN_WIZARD = "cach-nop-ho-so"  # "Which way should I submit?": the home page's call to action


def library() -> Library:
    return current_app.extensions["guide.library"]


def registry() -> Registry:
    return current_app.extensions["guide.registry"]


@bp.route("/")
@shareable
def home():
    language = current_language()
    wizard = current_app.extensions["guide.wizards"].get(MAIN_WIZARD)
    return render_template(
        "pages/home.html",
        top_guides=library().top(language),
        communes=registry().communes,
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
    return render_template(
        "pages/guide.html",
        guide=found,
        fell_back=fell_back,
        body=Markup(found.html_for(url_prefix())),
        related=related,
        topic_name=topic.get(language, ""),
    )


def render_error(error: HTTPException):
    code = error.code or 500
    communes = registry().communes if code == 404 else ()
    try:
        return render_template("errors/error.html", code=code, communes=communes), code
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
    app.register_error_handler(HTTPException, render_error)
    app.register_error_handler(Exception, render_unexpected)
    app.add_template_filter(local_date)

    @app.context_processor
    def page_context():
        language = current_language()
        return {
            "lang": language,
            "languages": languages(),
            "url_in_language": url_in_language,
            "commune": g.get("commune"),
            "province": registry().province,
        }

    @app.after_request
    def vary_on_htmx(response):
        # The same URL answers htmx with a partial and everyone else with the page: say so to caches.
        if response.mimetype == "text/html":
            response.vary.add("HX-Request")
        return response
