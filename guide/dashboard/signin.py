"""How often the sign-in form may be tried (flask-limiter): per client and name, per client, per
name from anywhere, and per device that signed in before.

Per client and name, so that someone guessing an officer's password elsewhere does not lock the
officer out of their own computer; per client, so one computer cannot try name after name; per
name from anywhere, a slower bound, so that many computers together cannot guess one password
quickly either. Every attempt counts (the count is taken before the password is checked, so
guesses sent in parallel cannot slip past it), and names that exist and names that do not are
counted alike: the limits say nothing about which is which.

The name's bound must not lock the officer out (anyone who knows the name could fill it), so two
kinds of attempt are not counted against it nor refused by it (OWASP's "device cookies"):
- from a device that signed in with this name before: a successful sign-in leaves a signed cookie
  (`DEVICE_COOKIE`, the folded name and a random number, nothing about the person nor the address,
  sent to the sign-in page only). Such a device has a bound of its own instead (PER_DEVICE), and is
  not held to its address's bounds either (an office's shared address may be the guesser's);
- from a client that has not been guessing: its first FRESH_TRIES attempts of the day that did not
  succeed (counted when made, a success gives its attempt back). Someone guessing from many
  addresses gains FRESH_TRIES guesses an address a day over the name's bound, up to
  PER_NAME_FRESH; for this an IPv6 address is its /48 (a site's, which holds 65,536 /64s), for
  the other limits its /64 (one subscriber's), and an IPv4 address itself.
  So strangers try a name at most 300 + 1,000 times a day, and its officer is refused only from an
  address that has been guessing, or, on a new device, once 500 addresses have guessed at the name
  that day.

The counts live in each worker's memory only: nothing about a person is written to disk, and a
restart forgets them. Each worker keeps its own (threads share theirs), so with W workers a bound
is W times the figure here at most (README.md, "Sign-in limits"). One limiter per process: the app
last made holds the counts (production makes one; each test's app starts afresh).
"""

import ipaddress
import logging
import secrets
from collections.abc import Callable

from flask import Flask, Response, current_app, g, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from itsdangerous import BadData, URLSafeTimedSerializer

PER_CLIENT_AND_NAME = "5 per minute;20 per hour"
PER_CLIENT = "30 per minute;200 per hour"
PER_NAME = "60 per hour;300 per day"
PER_NAME_FRESH = "1000 per day"  # attempts spared the name's bound as fresh, per name
PER_DEVICE = "5 per minute;20 per hour"  # a device that signed in before, whatever its address
FRESH_TRIES = 2  # a client's attempts that did not succeed, in a day, before the name's bound holds it too
DAY = 24 * 3600
DEVICE_COOKIE = "guide_device"
DEVICE_DAYS = 180  # a device that has not signed in for this long is a stranger again
DEVICE_NAMES = 4  # names one device keeps (a shared office computer)

# A moving window: a full window's worth of guesses cannot be made on each side of a boundary.
limiter = Limiter(key_func=get_remote_address, storage_uri="memory://", strategy="moving-window")
# flask-limiter logs each refusal at INFO with its key: a client's address and the name they typed.
logging.getLogger("flask-limiter").setLevel(logging.WARNING)


def submitted_name() -> str:
    """The name as typed, folded the way people mistype it (case, spaces): one bucket for all forms."""
    name = request.form.get("name", "")
    return " ".join(name.split()).casefold()[:200]


def client_address(ipv6_prefix: int = 64) -> str:
    """The client, as the limits count it: an IPv4 address (also when IPv4-mapped), or an IPv6 /64."""
    address = get_remote_address() or ""
    try:
        parsed = ipaddress.ip_address(address.split("%")[0])
    except ValueError:
        return address
    if parsed.version == 6 and parsed.ipv4_mapped is not None:
        return str(parsed.ipv4_mapped)
    if parsed.version == 6:
        return str(ipaddress.ip_network(f"{parsed}/{ipv6_prefix}", strict=False))
    return str(parsed)


def _client() -> str:
    return f"client:{client_address()}"


def _client_and_name() -> str:
    return f"client:{client_address()} name:{submitted_name()}"


def _name() -> str:
    return f"name:{submitted_name()}"


def _device() -> str:
    return f"device:{_attempt()['device']}"


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt="guide: sign-in device")


def _devices() -> list[list[str]]:
    """[[folded name, number], …] from this device's cookie, if it is ours and recent enough."""
    value = request.cookies.get(DEVICE_COOKIE)
    if not value:
        return []
    try:
        devices = _serializer().loads(value, max_age=DEVICE_DAYS * DAY)
    except BadData:
        return []
    if not isinstance(devices, list):
        return []
    return [d for d in devices if isinstance(d, list) and len(d) == 2 and all(isinstance(x, str) for x in d)]


def _tried_key() -> str:
    return f"sign-in/tried/{client_address(ipv6_prefix=48)}"


def _attempt() -> dict:
    """This request's standing, worked out once (the limits ask for it several times): the device
    number when it signed in with the name typed, and whether the client counts as fresh. The
    client's attempt is counted here, before the password is checked."""
    if "guide_signin" not in g:
        name = submitted_name()
        device = next((number for known, number in _devices() if known == name), None)
        fresh = False
        if device is None:
            fresh = limiter.storage.incr(_tried_key(), DAY) <= FRESH_TRIES
        g.guide_signin = {"device": device, "fresh": fresh, "counted": device is None}
    return g.guide_signin


def _known_device() -> bool:
    return request.method == "POST" and _attempt()["device"] is not None


def _not_a_known_device() -> bool:
    return request.method != "POST" or _attempt()["device"] is None


def _spared_by_name() -> bool:
    """Not held by the name's bound: a device that signed in with it before, or a fresh client."""
    if request.method != "POST":
        return False
    attempt = _attempt()
    return attempt["device"] is not None or attempt["fresh"]


def _not_fresh() -> bool:
    return request.method != "POST" or not (_attempt()["device"] is None and _attempt()["fresh"])


def signed_in(response: Response) -> Response:
    """After the right password: the attempt is given back to the client (it was not a guess), and
    the device is remembered for this name on this sign-in page."""
    attempt = _attempt()
    if attempt["counted"]:
        limiter.storage.decr(_tried_key())
    name = submitted_name()
    devices = [d for d in _devices() if d[0] != name]
    devices = [[name, attempt["device"] or secrets.token_urlsafe(16)], *devices][:DEVICE_NAMES]
    response.set_cookie(
        DEVICE_COOKIE,
        _serializer().dumps(devices),
        max_age=DEVICE_DAYS * DAY,
        path=request.path,  # the sign-in page this device uses, and nothing else
        secure=current_app.config["SESSION_COOKIE_SECURE"],
        httponly=True,
        samesite="Strict",
    )
    return response


def init_app(app: Flask) -> None:
    # There are no app-wide limits: only the sign-in view's (`limited`). Pages answered from the
    # response cache never reach flask-limiter's check at all.
    limiter.init_app(app)


def limited(view: Callable) -> Callable:
    """The sign-in view, with its limits on POST (shared scopes: every language's URL counts alike).

    flask-limiter counts a request against each limit in turn, shortest window first and, within a
    window, in the order given here, and stops at the first that is full. The name's own bound comes
    last, so a client already stopped by its own limits adds nothing to it: one computer guessing
    slowly and steadily at an officer's name never locks the officer out of theirs."""
    for limit, scope, key, exempt in (
        (PER_CLIENT_AND_NAME, "sign-in/client-and-name", _client_and_name, _known_device),
        (PER_CLIENT, "sign-in/client", _client, _known_device),
        (PER_DEVICE, "sign-in/device", _device, _not_a_known_device),
        (PER_NAME, "sign-in/name", _name, _spared_by_name),
        (PER_NAME_FRESH, "sign-in/name-fresh", _name, _not_fresh),
    ):
        view = limiter.shared_limit(limit, scope=scope, key_func=key, methods=["POST"], exempt_when=exempt)(view)
    return view
