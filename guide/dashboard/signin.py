"""How often the sign-in form may be tried (flask-limiter): per client and name, per client, and per
name from anywhere.

Per client and name, so that someone guessing an officer's password elsewhere does not lock the
officer out of their own computer; per client, so one computer cannot try name after name; per
name from anywhere, a slower bound, so that many computers together cannot guess one password
quickly either. Every attempt counts (the count is taken before the password is checked, so
guesses sent in parallel cannot slip past it), and names that exist and names that do not are
counted alike: the limits say nothing about which is which.

The counts live in each worker's memory only: nothing about a person is written to disk, and a
restart forgets them. Each worker keeps its own, so with several workers the bounds are per worker
(threads share theirs). One limiter per process: the app last made holds the counts (production
makes one; each test's app starts afresh).
"""

import logging
from collections.abc import Callable

from flask import Flask, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

PER_CLIENT_AND_NAME = "5 per minute;20 per hour"
PER_CLIENT = "30 per minute;200 per hour"
PER_NAME = "60 per hour;300 per day"

# A moving window: a full window's worth of guesses cannot be made on each side of a boundary.
limiter = Limiter(key_func=get_remote_address, storage_uri="memory://", strategy="moving-window")
# flask-limiter logs each refusal at INFO with its key: a client's address and the name they typed.
logging.getLogger("flask-limiter").setLevel(logging.WARNING)


def submitted_name() -> str:
    """The name as typed, folded the way people mistype it (case, spaces): one bucket for all forms."""
    name = request.form.get("name", "")
    return " ".join(name.split()).casefold()[:200]


def _client() -> str:
    return f"client:{get_remote_address()}"


def _client_and_name() -> str:
    return f"client:{get_remote_address()} name:{submitted_name()}"


def _name() -> str:
    return f"name:{submitted_name()}"


def init_app(app: Flask) -> None:
    # There are no app-wide limits: only the sign-in view's (`limited`). Pages answered from the
    # response cache never reach flask-limiter's check at all.
    limiter.init_app(app)


def limited(view: Callable) -> Callable:
    """The sign-in view, with its three limits on POST (shared scopes: every language's URL counts alike).

    flask-limiter counts a request against each limit in turn, shortest window first and, within a
    window, in the order given here, and stops at the first that is full. The name's own bound comes
    last, so a client already stopped by its own limits adds nothing to it: one computer guessing
    slowly and steadily at an officer's name never locks the officer out of theirs."""
    for limit, scope, key in (
        (PER_CLIENT_AND_NAME, "sign-in/client-and-name", _client_and_name),
        (PER_CLIENT, "sign-in/client", _client),
        (PER_NAME, "sign-in/name", _name),
    ):
        view = limiter.shared_limit(limit, scope=scope, key_func=key, methods=["POST"])(view)
    return view
