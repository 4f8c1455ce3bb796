"""The two pages the tallies show readers: "was this page useful?" and "what we count".

The useful form carries no cookie: its token is the subject and the page to come back to, signed
with the app's secret and never expiring, so a form left open for days still works while a form
forged elsewhere does not. Cross-site posts are refused outright (Sec-Fetch-Site, Origin).
"""

from urllib.parse import urlencode, urlsplit

from flask import Flask, abort, current_app, redirect, render_template, request
from itsdangerous import BadData, URLSafeSerializer

from .. import htmx
from ..prefixes import Blueprint, is_own_parameter
from . import count
from .classify import THANKS

bp = Blueprint("tallies", __name__)
ANSWERS = ("yes", "no")
WIDGET_ID = "huu-ich"  # the widget's id, and the fragment a plain form comes back to


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
    found = read_token(request.form.get("token", ""))
    answer = request.form.get("answer")
    if found is None or answer not in ANSWERS:
        abort(400)
    subject, back = found
    count(f"useful_{answer}", subject)
    if htmx and not htmx.history_restore_request:
        return render_template("tallies/_useful_thanks.html")
    path, _, _ = back.partition("#")
    return redirect(f"{path}{'&' if '?' in path else '?'}{THANKS}=1#{WIDGET_ID}", 303)


@bp.route("/thong-ke-an-danh")
def about():
    return render_template("tallies/about.html")


def init_app(app: Flask) -> None:
    app.add_template_global(useful_token)
    app.add_template_global(lambda: THANKS in request.args, "useful_thanked")
    app.jinja_env.globals["useful_widget_id"] = WIDGET_ID
    # Should CSRFProtect ever be switched on for the whole app, this form has its own protection.
    csrf = app.extensions.get("csrf")
    if csrf is not None:
        csrf.exempt(useful)
