"""The one cache: finished answers to public pages, kept in memory a few minutes, served without Flask.

A link shared in a province's Zalo groups brings thousands of requests for one URL at once. Flask's
work per request (rendering, the URL processors, the after-request hooks: security headers, ETag,
compression, tallies) costs many times what sending the bytes does. So when a view says its answer
is the same for anyone who asks for the same URL (`shareable()`), the finished response (status,
headers, compressed body) is kept, keyed by everything it varies on, and the next such request is
answered with it at the WSGI layer: a 200 with the same bytes, or a 304 when the browser already
has them (its If-None-Match names the entry's ETag). Pages render the same bytes every time, so
ETags hold across workers and restarts.

The tags chat apps add to a shared link (`fbclid`, new on every Facebook click; `zarsrc`, `utm_*`)
and our own `?src=` are never rendered into a page, so they are not part of the key. They are
still read: every request answered from here is counted as Flask would count it (`on_hit`), with
its own tags and headers (a crawler is still a crawler, a prefetch still a prefetch).

Only plain GETs from someone without a cookie are served from here. A cookie or credentials (staff
signed in), a range or a precondition other than If-None-Match, HEAD, and anything not marked
shareable go to Flask; only 200s that set no cookie are kept.
"""

import functools
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from urllib.parse import parse_qsl

from cachetools import TTLCache
from flask import current_app, request
from werkzeug.http import parse_etags, remove_entity_headers

from .prefixes import is_own_parameter

SHAREABLE = "guide.shareable"  # the environ key a view sets (through `shareable()`)
TTL_SECONDS = 300
MAX_ENTRIES = 1000  # a few KB each
# Sent by someone whose answer may be personal, or who asks a question a kept answer cannot answer.
BYPASS = ("HTTP_COOKIE", "HTTP_AUTHORIZATION", "HTTP_IF_MODIFIED_SINCE", "HTTP_IF_MATCH", "HTTP_IF_UNMODIFIED_SINCE",
          "HTTP_IF_RANGE", "HTTP_RANGE")  # fmt: skip
# The request headers a page's answer depends on (with the URL): htmx's, and the compression asked for.
VARIES_ON = ("HTTP_ACCEPT_ENCODING", "HTTP_HX_REQUEST", "HTTP_HX_HISTORY_RESTORE_REQUEST")


def shareable(view: Callable) -> Callable:
    """For a view whose answer depends only on the URL's path, its own query parameters
    (`prefixes.is_own_parameter`) and the headers in VARIES_ON: its 200s may be kept."""

    @functools.wraps(view)
    def marked(**values):
        request.environ[SHAREABLE] = True
        return view(**values)

    return marked


@dataclass(frozen=True)
class Answer:
    status: str
    headers: list[tuple[str, str]]
    body: bytes
    etag: str | None
    counted_as: object  # what on_hit needs to count a request answered from here (None: nothing)


def forget_kept() -> None:
    """Forget this process's kept answers (staff changed what pages show); other workers' expire
    within TTL_SECONDS."""
    cache = current_app.extensions.get("guide.response_cache")
    if cache is not None:
        cache.clear()


def key_of(environ: dict) -> tuple | None:
    if environ.get("REQUEST_METHOD") != "GET" or any(name in environ for name in BYPASS):
        return None
    query = parse_qsl(environ.get("QUERY_STRING", ""), keep_blank_values=True)
    return (
        environ.get("wsgi.url_scheme"),
        environ.get("HTTP_HOST"),
        environ.get("SCRIPT_NAME", ""),
        environ.get("PATH_INFO", ""),
        tuple((name, value) for name, value in query if is_own_parameter(name)),
        *(environ.get(name) for name in VARIES_ON),
    )


class ResponseCache:
    """WSGI middleware around the Flask app (inside ProxyFix, so addresses are the real ones).

    `counted_as(environ)` reads, after Flask has answered, what the tallies need to count this page
    again; `on_hit(environ, counted_as)` counts a request answered from here. Neither may raise."""

    def __init__(self, app: Callable, *, counted_as: Callable[[dict], object], on_hit: Callable[[dict, object], None],
                 ttl: float = TTL_SECONDS, max_entries: int = MAX_ENTRIES):  # fmt: skip
        self.app = app
        self.counted_as = counted_as
        self.on_hit = on_hit
        self._answers: TTLCache = TTLCache(maxsize=max_entries, ttl=ttl)
        self._lock = threading.Lock()

    def clear(self) -> None:
        with self._lock:
            self._answers.clear()

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        key = key_of(environ)
        if key is None:
            return self.app(environ, start_response)
        with self._lock:
            kept = self._answers.get(key)
        if kept is not None:
            return self._send_kept(kept, environ, start_response)
        return self._answer_and_keep(key, environ, start_response)

    def _send_kept(self, kept: Answer, environ: dict, start_response: Callable) -> Iterable[bytes]:
        """A kept answer: counted as Flask would count it, a 304 when the browser has its bytes."""
        self.on_hit(environ, kept.counted_as)
        # The server adds its own Date, as it does for Flask's answers.
        if kept.etag and parse_etags(environ.get("HTTP_IF_NONE_MATCH")).contains(kept.etag):
            headers = list(kept.headers)
            remove_entity_headers(headers)  # in place
            start_response("304 Not Modified", headers)
            return []
        start_response(kept.status, kept.headers)
        return [kept.body]

    def _answer_and_keep(self, key: tuple, environ: dict, start_response: Callable) -> Iterable[bytes]:
        """Flask's answer, kept for the next request with the same key if it may be."""
        answered = {}

        def remember(status, headers, exc_info=None):
            answered.update(status=status, headers=headers)
            return start_response(status, headers, exc_info)

        body = self.app(environ, remember)
        headers = keepable_headers(environ, answered)
        if headers is None:
            return body
        chunks = read_whole(body)
        with self._lock:
            self._answers[key] = Answer(
                answered["status"], headers, chunks, strong_etag(headers), self.counted_as(environ)
            )
        return [chunks]


def keepable_headers(environ: dict, answered: dict) -> list[tuple[str, str]] | None:
    """The headers to keep (without Date) of an answer that may be kept: a 200 of a shareable view
    that sets no cookie. None for any other."""
    if not environ.get(SHAREABLE) or not answered.get("status", "").startswith("200 "):
        return None
    headers = [(name, value) for name, value in answered["headers"] if name.lower() != "date"]
    if any(name.lower() == "set-cookie" for name, _ in headers):
        return None
    return headers


def read_whole(body: Iterable[bytes]) -> bytes:
    """The body's bytes, the iterable closed as WSGI asks."""
    try:
        return b"".join(body)
    finally:
        if hasattr(body, "close"):
            body.close()


def strong_etag(headers: list[tuple[str, str]]) -> str | None:
    """The answer's ETag without its quotes, if it has a strong one (a weak one is never matched here)."""
    etag = next((value for name, value in headers if name.lower() == "etag"), None)
    return etag.strip('"') if etag and not etag.startswith("W/") else None
