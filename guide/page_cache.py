"""Rendered reading pages kept in memory for a few minutes.

A guide page is the same for everyone who asks for it with the same URL (language, commune and
slug are in the path; no cookies, nothing personal). Rendering it with Jinja and the catalogs
costs far more than serving it, and a link shared in a province's Zalo groups brings thousands of
requests for the same few pages at once. So keep the HTML, per worker, for a short time (short,
so signed form tokens in it stay fresh). Only the body is cached: every response still passes
through the tallies, headers and compression.
"""

import functools
import threading

from cachetools import TTLCache
from flask import current_app, g, request

from . import htmx
from .prefixes import current_language, is_own_parameter
from .response_cache import shareable

TTL_SECONDS = 300
MAX_PAGES = 2000
_pages: TTLCache = TTLCache(maxsize=MAX_PAGES, ttl=TTL_SECONDS)
_lock = threading.Lock()


def cached_page(view):
    @functools.wraps(view)
    def wrapper(**kwargs):
        shareable()  # and the finished answer may be kept whole (guide/response_cache.py)
        if current_app.config.get("TESTING") or current_app.debug or htmx:
            return view(**kwargs)
        commune = g.get("commune")
        own_args = tuple(sorted((k, v) for k, v in request.args.items(multi=True) if is_own_parameter(k)))
        key = (
            request.endpoint,
            tuple(sorted(kwargs.items())),
            current_language(),
            commune.slug if commune else None,
            own_args,
        )
        with _lock:
            html = _pages.get(key)
        if html is None:
            html = view(**kwargs)
            with _lock:
                _pages[key] = html
        return html

    return wrapper
