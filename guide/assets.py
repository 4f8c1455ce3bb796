"""Static files under content-hashed names, cached for a year; HTML and text compressed; pages
answering conditional requests with 304.

`asset('css/site.css')` in a template gives `/static/css/site.<hash>.css`. Our CSS and JS are
served minified (rcssmin, rjsmin: the comments that explain them stay in the repository, off the
wire; a fifth of a first visit on 3G). The service worker
(static/js/sw.js) is also served at /sw.js, unhashed and revalidated, as workers must be. A file's hash changes
when its bytes do, so browsers can keep it for a year and never see a stale one. The compression
is Flask-Compress (a page many people read is kept compressed by guide/response_cache.py); the
hashes are computed once at start-up.
"""

import hashlib
import mimetypes
import re
from dataclasses import dataclass
from pathlib import Path

import rcssmin
import rjsmin
from flask import Flask, Response, abort, request, url_for
from flask_compress import Compress

from .config import ROOT
from .response_cache import shareable

STATIC = ROOT / "static"
YEAR = 365 * 24 * 3600
_HASHED = re.compile(r"^(?P<stem>.+)\.(?P<digest>[0-9a-f]{10})(?P<suffix>\.[A-Za-z0-9]+)$")
compress = Compress()


@dataclass(frozen=True)
class Asset:
    body: bytes
    digest: str
    mimetype: str


MINIFIERS = {".css": rcssmin.cssmin, ".js": rjsmin.jsmin}


def load_assets(folder: Path) -> dict[str, Asset]:
    """Every static file, read once (our CSS and JS minified): they are few and small, and served from memory."""
    assets = {}
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            body = path.read_bytes()
            minify = MINIFIERS.get(path.suffix) if not path.name.endswith(".min" + path.suffix) else None
            if minify is not None:
                body = minify(body)
            mimetype = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            assets[path.relative_to(folder).as_posix()] = Asset(body, hashlib.sha256(body).hexdigest()[:10], mimetype)
    return assets


def hashed_name(filename: str, digest: str) -> str:
    stem, dot, suffix = filename.rpartition(".")
    return f"{stem}.{digest}.{suffix}" if dot else f"{filename}.{digest}"


def init_app(app: Flask) -> None:
    known = load_assets(STATIC)
    serve_static_files(app, known)
    serve_service_worker(app, known)

    @app.template_global()
    def asset(filename: str) -> str:
        return url_for("static", filename=hashed_name(filename, known[filename].digest))

    compress_pages(app)


def serve_static_files(app: Flask, known: dict[str, Asset]) -> None:
    """/static/<name>.<hash>.<ext>: a year, immutable; the unhashed name an hour."""

    @shareable  # kept compressed by the response cache, like the pages
    def serve_static(filename: str):
        match = _HASHED.match(filename)
        name = match["stem"] + match["suffix"] if match else filename
        found = known.get(name)
        if found is None or (match and found.digest != match["digest"]):  # a stale hash: those bytes are gone
            abort(404)
        response = Response(found.body, mimetype=found.mimetype)
        response.cache_control.public = True
        response.cache_control.max_age = YEAR if match else 3600
        response.cache_control.immutable = bool(match)
        response.set_etag(found.digest)
        return response.make_conditional(request)

    app.add_url_rule("/static/<path:filename>", endpoint="static", view_func=serve_static)


def serve_service_worker(app: Flask, known: dict[str, Asset]) -> None:
    def service_worker():
        # At the root, so that its scope is the whole site (a worker covers only the paths under
        # its own); no-cache, so that a new version reaches a visitor on their next page.
        found = known["js/sw.js"]
        response = Response(found.body, mimetype="text/javascript")
        response.cache_control.no_cache = True
        response.set_etag(found.digest)
        return response.make_conditional(request)

    app.add_url_rule("/sw.js", endpoint="service_worker", view_func=service_worker)


def compress_pages(app: Flask) -> None:
    """Flask-Compress for HTML, text, CSS, JS, JSON, SVG and CSV; then ETags on pages."""
    app.config.setdefault(
        "COMPRESS_MIMETYPES",
        [
            "text/html",
            "text/css",
            "text/javascript",
            "application/javascript",
            "application/json",
            "image/svg+xml",
            "text/csv",
        ],
    )
    app.config.setdefault("COMPRESS_ALGORITHM", ["gzip"])
    app.config.setdefault("COMPRESS_LEVEL", 6)
    app.config.setdefault("COMPRESS_MIN_SIZE", 500)

    compress.init_app(app)

    # Registered after Flask-Compress, so it runs before it (Flask runs these in reverse): the
    # ETag is a hash of the uncompressed bytes. Compressed, they differ every second (gzip
    # writes the time into its header), which would make every ETag new and every 304 rare.
    @app.after_request
    def conditional_pages(response):
        if request.method in ("GET", "HEAD") and response.status_code == 200 and response.mimetype == "text/html":
            response.add_etag()
            response.make_conditional(request)
        return response
