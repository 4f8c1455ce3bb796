"""The two pages the tallies show readers: "was this page useful?" and "what we count".

"Yes" is thanked; "No" asks why, from a fixed list of reasons (buttons: nothing typed, so nothing a
person wrote is ever stored), then thanks and offers the commune's help and the main wizard. Counted
as `useful_yes` / `useful_no` (subject: the page's, e.g. `guide:<slug>`, `wizard:<wizard>:<outcome>`)
and `useful_reason` (same subject, source: the reason's code from REASONS). Without JavaScript each
answer posts and comes back to the page with `?cam-on=<what comes next>`; with htmx the next part is
swapped in place.

The useful form carries no cookie: its token is the subject and the page to come back to, signed
with the app's secret and never expiring, so a form left open for days still works while a form
forged elsewhere does not. Cross-site posts are refused outright (Sec-Fetch-Site, Origin).
"""

from datetime import date, timedelta
from urllib.parse import urlencode, urlsplit

from flask import Flask, abort, current_app, redirect, render_template, request
from itsdangerous import BadData, URLSafeSerializer

from .. import db
from ..clock import today
from ..extensions import is_partial
from ..pages import MAIN_WIZARD
from ..prefixes import Blueprint, is_own_parameter
from .classify import THANKS
from .report import count
from .store import losses, requests_lost

bp = Blueprint("tallies", __name__)
ANSWERS = ("yes", "no")
REASONS = ("hard", "missing", "wrong", "other")  # why not useful: hard to understand, information missing or wrong
WIDGET_ID = "huu-ich"  # the widget's id, and the fragment a plain form comes back to
# What the widget shows next, by the ?cam-on= value the page comes back with.
THANKED, ASKED_WHY, HELPED = "1", "khong", "ly-do"
NEXT_PART = {THANKED: "thanks", ASKED_WHY: "why", HELPED: "help"}


def _serializer() -> URLSafeSerializer:
    # No timestamp: the page carrying the token is the same bytes for everyone, every second (its
    # ETag holds, the response cache can keep it). The signature only stops forged subjects.
    return URLSafeSerializer(current_app.secret_key, salt="guide.tallies.useful")


def useful_token(subject: str) -> str:
    """The widget's token: what the answer is about and where the reader is now."""
    own = [(key, value) for key, value in request.args.items(multi=True) if is_own_parameter(key) and key != THANKS]
    query = urlencode(own)
    return _serializer().dumps([subject, request.path + (f"?{query}" if query else "")])


def read_token(token: str) -> tuple[str, str] | None:
    try:
        subject, back = _serializer().loads(token)
    except (BadData, TypeError, ValueError):
        return None
    if not isinstance(subject, str) or not isinstance(back, str) or not is_local_path(back):
        return None
    return subject, back


def is_local_path(url: str) -> bool:
    """A path on this site, never another site (no scheme, no host, no //host, no backslash)."""
    parts = urlsplit(url)
    return (
        url.startswith("/") and not url.startswith("//") and "\\" not in url and not parts.scheme and not parts.netloc
    )


def is_cross_site() -> bool:
    if request.headers.get("Sec-Fetch-Site") == "cross-site":
        return True
    origin = request.headers.get("Origin")
    if not origin or origin == "null":
        return False
    try:
        return urlsplit(origin).netloc != request.host
    except ValueError:  # not an origin at all (`http://[::1`): no browser sends that from our pages
        return True


@bp.route("/phan-hoi", methods=["POST"])
def useful():
    if is_cross_site():
        abort(403)
    token = request.form.get("token", "")
    found = read_token(token)
    answer, reason = request.form.get("answer"), request.form.get("reason")
    if found is None or (answer not in ANSWERS if reason is None else reason not in REASONS):
        abort(400)  # the error page, in the visitor's language
    subject, back = found
    if reason is not None:
        count("useful_reason", subject, reason)
        after = HELPED
    else:
        count(f"useful_{answer}", subject)
        after = ASKED_WHY if answer == "no" else THANKED
    if is_partial():
        return render_template("tallies/_useful_next.html", part=NEXT_PART[after], token=token)
    path, _, _ = back.partition("#")
    return redirect(f"{path}{'&' if '?' in path else '?'}{THANKS}={after}#{WIDGET_ID}", 303)


def useful_part() -> str:
    """What the widget on this page shows: the question, or what follows the answer just given."""
    if THANKS not in request.args:
        return "ask"
    return NEXT_PART.get(request.args[THANKS], "thanks")


def main_wizard():
    """The wizard that answers "how do I do my paperwork?", offered when a page did not help."""
    return current_app.extensions["guide.wizards"].get(MAIN_WIZARD)


@bp.route("/thong-ke-an-danh")
def about():
    return render_template("tallies/about.html")


LOST_DAYS = 30  # the province dashboard tells of the losses of this many days


def lost_lately() -> list[tuple[date, int]]:
    """The days of the last LOST_DAYS with requests whose counts could not be written, and how many,
    newest first: for the one line on the province dashboard (tallies/_lost.html)."""
    end = today()
    try:
        with db.engine().connect() as connection:
            found = losses(connection, end - timedelta(days=LOST_DAYS - 1), end)
    except Exception:  # the dashboard's own queries say when the database is away; this line is no page's
        current_app.logger.exception("tallies: could not read the losses")
        return []
    return sorted(
        ((day, requests_lost(reasons)) for day, reasons in found.items() if requests_lost(reasons)), reverse=True
    )


def init_app(app: Flask) -> None:
    app.add_template_global(lost_lately, "tallies_lost")
    app.add_template_global(useful_token)
    app.add_template_global(useful_part)
    app.add_template_global(main_wizard, "useful_main_wizard")
    app.jinja_env.globals["useful_widget_id"] = WIDGET_ID
    # Should CSRFProtect ever be switched on for the whole app, this form has its own protection.
    csrf = app.extensions.get("csrf")
    if csrf is not None:
        csrf.exempt(useful)
