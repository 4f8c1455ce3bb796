"""Finished answers to public pages, kept in memory for a few minutes and served without Flask.

A link shared in a province's Zalo groups brings thousands of requests for one URL at once. Flask's
work per request (the request context, the URL processors, the after-request hooks: security
headers, ETag, compression, tallies) costs several times what sending the bytes does. So when a
view says its answer is the same for anyone who asks for the same URL (`shareable()`), the
finished response (status, headers, compressed body) is kept, keyed by everything it varies on,
and the next identical request is answered with it at the WSGI layer.

Such a request is still counted: the tallies keep their view of the first request with the entry
(`on_hit`), and classify each later one again with its own headers (a crawler is still a crawler,
a prefetch still a prefetch).

Only plain GETs from someone without a cookie are served from here. A cookie or credentials
(staff signed in), a conditional request (Flask answers it with a 304), HEAD, and anything not
marked shareable go to Flask; only 200s that set no cookie are kept.
"""

import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from cachetools import TTLCache
from flask import request

SHAREABLE = "guide.shareable"  # the environ key a view sets (through `shareable()`)
TTL_SECONDS = 300  # like the page cache: signed form tokens in a kept page stay fresh
MAX_ENTRIES = 1000  # a few KB each
# Sent by someone whose answer may be personal, or who asks a question a kept answer cannot answer.
BYPASS = (
    "HTTP_COOKIE",
    "HTTP_AUTHORIZATION",
    "HTTP_IF_NONE_MATCH",
    "HTTP_IF_MODIFIED_SINCE",
    "HTTP_IF_MATCH",
    "HTTP_IF_UNMODIFIED_SINCE",
    "HTTP_IF_RANGE",
    "HTTP_RANGE",
)
# The request headers a page's answer depends on (with the URL): htmx's, and the compression asked for.
VARIES_ON = ("HTTP_ACCEPT_ENCODING", "HTTP_HX_REQUEST", "HTTP_HX_HISTORY_RESTORE_REQUEST")


def shareable() -> None:
    """Called by a view whose answer depends only on the URL and the headers in VARIES_ON."""
    request.environ[SHAREABLE] = True


@dataclass(frozen=True)
class Entry:
    status: str
    headers: list[tuple[str, str]]
    body: bytes
    counted_as: object  # what on_hit needs to count a request answered from here (None: nothing)


def key_of(environ: dict) -> tuple | None:
    if environ.get("REQUEST_METHOD") != "GET" or any(name in environ for name in BYPASS):
        return None
    return (
        environ.get("wsgi.url_scheme"),
        environ.get("HTTP_HOST"),
        environ.get("SCRIPT_NAME", ""),
        environ.get("PATH_INFO", ""),
        environ.get("QUERY_STRING", ""),
        *(environ.get(name) for name in VARIES_ON),
    )


class ResponseCache:
    """WSGI middleware around the Flask app (inside ProxyFix, so addresses are the real ones).

    `counted_as(environ)` reads, after Flask has answered, what the tallies need to count this URL
    again; `on_hit(environ, counted_as)` counts a request answered from here. Neither may raise."""

    def __init__(
        self,
        app: Callable,
        *,
        counted_as: Callable[[dict], object],
        on_hit: Callable[[dict, object], None],
        ttl: float = TTL_SECONDS,
        max_entries: int = MAX_ENTRIES,
    ):
        self.app = app
        self.counted_as = counted_as
        self.on_hit = on_hit
        self._entries: TTLCache = TTLCache(maxsize=max_entries, ttl=ttl)
        self._lock = threading.Lock()

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        key = key_of(environ)
        if key is None:
            return self.app(environ, start_response)
        with self._lock:
            entry = self._entries.get(key)
        if entry is not None:
            self.on_hit(environ, entry.counted_as)
            start_response(entry.status, entry.headers)  # the server adds its own Date, as it does for Flask's
            return [entry.body]

        answered = {}

        def remember(status, headers, exc_info=None):
            answered.update(status=status, headers=headers)
            return start_response(status, headers, exc_info)

        body = self.app(environ, remember)
        if not environ.get(SHAREABLE) or not answered.get("status", "").startswith("200 "):
            return body
        headers = [(name, value) for name, value in answered["headers"] if name.lower() != "date"]
        if any(name.lower() == "set-cookie" for name, _ in headers):
            return body
        try:
            chunks = b"".join(body)
        finally:
            if hasattr(body, "close"):
                body.close()
        entry = Entry(answered["status"], headers, chunks, self.counted_as(environ))
        with self._lock:
            self._entries[key] = entry
        return [chunks]
