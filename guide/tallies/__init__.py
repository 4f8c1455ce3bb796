"""Per-commune usage tallies: privacy first, exact, never in the way (DESIGN.md, "Usage tallies").

The Flask side is thin. Views, the wizard pages among them, report what happened with `count()`
(report.py); once the response is made, `classify` decides whether the request was a person's and
what it counts for, `RepeatCap` drops what one client already counted too often this minute
(repeats.py), and the `Recorder` (writer.py) notes the rest, to be written with that second's counts
in one transaction. Nothing here may fail a page: any error is logged and counted as dropped.
"""

from urllib.parse import parse_qsl

from flask import Flask, current_app, g, request
from werkzeug.datastructures import MultiDict

from .. import db
from ..prefixes import current_language
from . import cli, views
from .classify import PageRequest, counts_for, is_person
from .repeats import RepeatCap
from .report import count as count  # the one way a view reports an event: tallies.count(…)
from .store import visitor_key
from .writer import Batch, Recorder

EXTENSION = "guide.tallies"
REPEATS = "guide.tallies.repeats"


def recorder(app: Flask | None = None) -> Recorder | None:
    return (app or current_app).extensions.get(EXTENSION)


# The request headers classify reads (read straight from the WSGI environ: this runs on every request).
_HEADERS = tuple(
    (name, "HTTP_" + name.upper().replace("-", "_"))
    for name in (
        "user-agent",
        "sec-purpose",
        "purpose",
        "x-purpose",
        "x-moz",
        "hx-request",
        "hx-current-url",
        "hx-history-restore-request",
    )
)


def headers_of(environ: dict) -> dict[str, str]:
    return {name: environ[key] for name, key in _HEADERS if key in environ}


def hit_of(response) -> PageRequest:
    """The request being answered, as `classify` sees it."""
    commune = g.get("commune")
    return PageRequest(
        method=request.method,
        endpoint=request.endpoint,
        status=response.status_code,
        is_page=response.mimetype == "text/html",
        path=request.path,
        query=request.query_string.decode("utf-8", "replace"),
        view_args=request.view_args or {},
        args=request.args.to_dict(flat=True),
        headers=headers_of(request.environ),
        commune=commune.slug if commune is not None else "",
        reported=tuple(g.get("tally_events", ())),
    )


# Where count_this_request leaves what the response cache needs to count the same page again without
# Flask (guide/response_cache.py): the request as classify saw it, and its language.
COUNTED_AS = "guide.tallies.counted_as"


def counted_as(environ: dict) -> tuple[PageRequest, str] | None:
    return environ.get(COUNTED_AS)


def count_again(app: Flask, environ: dict, counted_as: tuple[PageRequest, str] | None) -> None:
    """Count a request the response cache answered, as Flask would have: the same page, asked
    with this request's own headers (a crawler is still a crawler) and its own tags (?src=,
    utm_source, fbclid: where this visitor came from)."""
    if counted_as is None or not app.config.get("TALLIES_ENABLED"):
        return
    try:
        hit, language = counted_as
        query = environ.get("QUERY_STRING", "")
        tags = MultiDict(parse_qsl(query.encode("latin-1").decode("utf-8", "replace"))).to_dict() if query else {}
        _count(app, hit, language, environ, headers_of(environ), tags)
    except Exception:  # never into the page
        app.logger.exception("tallies: could not count a request")
        recorder(app).note_drop("error")


def _count(app: Flask, hit: PageRequest, language: str, environ: dict, headers=None, tags=None) -> None:
    if not is_person(hit, headers):
        return
    events = counts_for(hit, tags)
    if not events:
        return
    ip, user_agent = environ.get("REMOTE_ADDR") or "", environ.get("HTTP_USER_AGENT", "")
    events = app.extensions[REPEATS].admit(events, (recorder(app).today(), hit.commune), ip, user_agent)
    if events:
        recorder(app).record(Batch(tuple(events), hit.commune, language, ip, user_agent))


def init_app(app: Flask) -> None:
    url = app.config["DATABASE_URL"]
    app.extensions[EXTENSION] = Recorder(
        lambda: db.engine_for(url),
        visitor_key=visitor_key(app.secret_key),
        flush_seconds=app.config["TALLIES_FLUSH_SECONDS"],
        sqlite_file=db.sqlite_path(url),
        # The spool and the markers of killed workers (leftovers.py); GUIDE_TALLIES_STATE_DIR may put them elsewhere.
        state_dir=app.config.get("TALLIES_STATE_DIR") or app.instance_path,
        logger=app.logger,
    )
    app.extensions[REPEATS] = RepeatCap()
    app.cli.add_command(cli.tallies_cli)
    views.init_app(app)

    @app.after_request
    def count_this_request(response):
        if not app.config.get("TALLIES_ENABLED"):
            return response
        try:
            hit, language = hit_of(response), current_language()
            request.environ[COUNTED_AS] = (hit, language)
            _count(app, hit, language, request.environ)
        except Exception:  # never into the page; the Recorder counts its own failures, this is ours
            app.logger.exception("tallies: could not count a request")
            recorder(app).note_drop("error")
        return response
